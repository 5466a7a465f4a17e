using System.Globalization;
using System.Text;
using Crm.Cli.Commands;
using Crm.Cli.Hosting;
using Crm.Cli.Output;

namespace Crm.Cli;

/// <summary>
/// <c>crm-cmd</c>, the operator CLI: one command per call (<c>crm-cmd cluster show</c>), or an interactive session when
/// no command is given. Global options: <c>--host</c>, <c>--port</c>, <c>--token</c> (or CRM_HOST, CRM_PORT, CRM_TOKEN)
/// and <c>--json</c>. Returns one of <see cref="ExitCodes"/>.
/// </summary>
public static class CrmCli
{
    public const string Prompt = "crm-cmd> ";

    public static async Task<int> RunAsync(
        string[] args, TextWriter output, TextWriter error, TextReader? input = null,
        Func<string, string?>? environment = null, CancellationToken cancellationToken = default)
    {
        environment ??= Environment.GetEnvironmentVariable;
        Session session;
        List<string> words;
        try
        {
            (session, words) = Session.Parse(args, environment);
        }
        catch (CliException e)
        {
            error.WriteLine($"crm-cmd: {e.Message}");
            return e.ExitCode;
        }

        using var client = new ManagementClient(session.BaseAddress, session.Token);
        if (words.Count > 0) return await RunOneAsync(words, session, client, output, error, cancellationToken).ConfigureAwait(false);
        if (input is null)
        {
            WriteHelp(output);
            return ExitCodes.Usage;
        }

        output.WriteLine($"crm-cmd on {client.BaseAddress}: 'help' lists the commands, 'exit' leaves.");
        while (!cancellationToken.IsCancellationRequested)
        {
            output.Write(Prompt);
            var line = await input.ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null || line.Trim() is "exit" or "quit") break;
            var lineWords = Split(line);
            if (lineWords.Count > 0) await RunOneAsync(lineWords, session, client, output, error, cancellationToken).ConfigureAwait(false);
        }
        return ExitCodes.Ok;
    }

    private static async Task<int> RunOneAsync(
        List<string> words, Session session, ManagementClient client, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (words is ["help"] or ["--help"] or ["-h"])
        {
            WriteHelp(output);
            return ExitCodes.Ok;
        }
        var command = CommandCatalog.All
            .Where(c => c.Name.Split(' ') is var name && words.Count >= name.Length && name.SequenceEqual(words.Take(name.Length)))
            .MaxBy(c => c.Name.Length);
        try
        {
            if (command is null) throw CliException.Usage($"unknown command '{string.Join(' ', words)}' ('help' lists the commands)");
            var (arguments, options) = ParseCommandLine(command, words.Skip(command.Name.Split(' ').Length).ToList());
            var context = new CommandContext(client, output, session.Json, arguments, options, cancellationToken);
            return await command.RunAsync(context).ConfigureAwait(false);
        }
        catch (CliException e)
        {
            error.WriteLine($"crm-cmd: {e.Message}");
            if (e.ExitCode == ExitCodes.Usage && command is not null) error.WriteLine($"usage: crm-cmd {command.Usage}");
            return e.ExitCode;
        }
    }

    private static (List<string> Arguments, Dictionary<string, string> Options) ParseCommandLine(CliCommand command, List<string> rest)
    {
        var options = command.Options.ToDictionary(o => o.Long.TrimStart('-'), o => o.Default);
        var arguments = new List<string>();
        for (var i = 0; i < rest.Count; i++)
        {
            var word = rest[i];
            if (!word.StartsWith('-') || word == "-")
            {
                arguments.Add(word);
                continue;
            }
            var (name, inline) = word.IndexOf('=') is var eq and > 0 ? (word[..eq], word[(eq + 1)..]) : (word, null);
            var option = command.Options.FirstOrDefault(o => o.Short == name || o.Long == name)
                         ?? throw CliException.Usage($"'{command.Name}' has no option {name}");
            var value = inline ?? (i + 1 < rest.Count ? rest[++i] : throw CliException.Usage($"{option.Long} needs a value"));
            options[option.Long.TrimStart('-')] = value;
        }
        if (arguments.Count != command.Arguments.Count)
            throw CliException.Usage(command.Arguments.Count == 0
                ? $"'{command.Name}' takes no argument"
                : $"'{command.Name}' takes {string.Join(" ", command.Arguments.Select(a => $"<{a}>"))}");
        return (arguments, options);
    }

    private static void WriteHelp(TextWriter output)
    {
        output.WriteLine("usage: crm-cmd [--host <host>] [--port <port>] [--token <token>] [--json] <command> [arguments]");
        output.WriteLine("       crm-cmd [options]            (no command: interactive session)");
        output.WriteLine();
        var table = new Table("COMMAND", "WHAT IT DOES");
        foreach (var command in CommandCatalog.All) table.Row(command.Usage, command.Summary);
        table.Write(output);
        output.WriteLine();
        output.WriteLine("Defaults: --host 127.0.0.1 --port 9110, or CRM_HOST / CRM_PORT / CRM_TOKEN.");
        output.WriteLine("Exit codes: 0 ok, 1 command failed, 2 usage, 3 node unreachable, 4 unauthorised.");
    }

    /// <summary>Splits an interactive line into words; double quotes keep spaces inside one word.</summary>
    internal static List<string> Split(string line)
    {
        var words = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"') quoted = !quoted;
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (current.Length > 0) words.Add(current.ToString());
                current.Clear();
            }
            else current.Append(c);
        }
        if (current.Length > 0) words.Add(current.ToString());
        return words;
    }

    /// <summary>Where to connect and how to print, from the global options (which may stand anywhere) and the environment.</summary>
    private sealed record Session(Uri BaseAddress, string? Token, bool Json)
    {
        public static (Session Session, List<string> Words) Parse(string[] args, Func<string, string?> environment)
        {
            var host = environment("CRM_HOST") ?? "127.0.0.1";
            var port = environment("CRM_PORT") ?? "9110";
            var token = environment("CRM_TOKEN");
            var json = false;
            var words = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                var (name, inline) = args[i].StartsWith("--", StringComparison.Ordinal) && args[i].IndexOf('=') is var eq and > 0
                    ? (args[i][..eq], args[i][(eq + 1)..])
                    : (args[i], null);
                switch (name)
                {
                    case "--json":
                        json = true;
                        break;
                    case "--host" or "--port" or "--token":
                        var value = inline ?? (i + 1 < args.Length ? args[++i] : throw CliException.Usage($"{name} needs a value"));
                        if (name == "--host") host = value;
                        else if (name == "--port") port = value;
                        else token = value;
                        break;
                    default:
                        words.Add(args[i]);
                        break;
                }
            }
            if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
                throw CliException.Usage($"port '{port}' is not a number from 1 to 65535");
            if (!Uri.TryCreate($"http://{(host.Contains(':') && !host.StartsWith('[') ? $"[{host}]" : host)}:{number}/", UriKind.Absolute, out var address))
                throw CliException.Usage($"host '{host}' is not a host name or address");
            return (new Session(address, string.IsNullOrWhiteSpace(token) ? null : token, json), words);
        }
    }
}
