using System.Text.Json;
using Crm.Cli.Hosting;

namespace Crm.Cli.Commands;

/// <summary>An option of a command: <c>-r customer</c>, <c>--region customer</c> or <c>--region=customer</c>.</summary>
public sealed record OptionSpec(string Short, string Long, string Description, string Default);

/// <summary>
/// One command of <c>crm-cmd</c>: its words (e.g. "cluster show"), positional arguments and options, and what it
/// does. The command asks the node through <see cref="CommandContext.Client"/> and renders with
/// <see cref="CommandContext.RenderAsync{T}"/> (a table, or the answer's JSON under <c>--json</c>). A new command is a
/// subclass listed in <see cref="CommandCatalog.All"/>.
/// </summary>
public abstract class CliCommand
{
    public abstract string Name { get; }

    public abstract string Summary { get; }

    /// <summary>Names of the required positional arguments, in order.</summary>
    public virtual IReadOnlyList<string> Arguments => [];

    public virtual IReadOnlyList<OptionSpec> Options => [];

    public string Usage => string.Join(' ', new[] { Name }
        .Concat(Arguments.Select(a => $"<{a}>"))
        .Concat(Options.Select(o => $"[{o.Short}|{o.Long} <{o.Long.TrimStart('-')}>]")));

    public abstract Task<int> RunAsync(CommandContext context);
}

/// <summary>What a command runs with: the client, its parsed arguments and options, and where to write.</summary>
public sealed class CommandContext(
    ManagementClient client, TextWriter output, bool json, IReadOnlyList<string> arguments,
    IReadOnlyDictionary<string, string> options, CancellationToken cancellationToken)
{
    private static readonly JsonSerializerOptions Indented = new(ManagementClient.Json) { WriteIndented = true };

    public ManagementClient Client { get; } = client;
    public TextWriter Output { get; } = output;
    public CancellationToken CancellationToken { get; } = cancellationToken;

    public string Argument(int index) => arguments[index];

    /// <summary>The option's value by its long name (without dashes); its default when not given.</summary>
    public string Option(string longName) => options[longName];

    /// <summary>Writes <paramref name="result"/> as a table (or as JSON under <c>--json</c>) and succeeds.</summary>
    public int Render<T>(T result, Action<T, TextWriter> table)
    {
        if (json) Output.WriteLine(JsonSerializer.Serialize(result, Indented));
        else table(result, Output);
        return ExitCodes.Ok;
    }

    /// <summary>Asks with <paramref name="call"/> and renders the answer.</summary>
    public async Task<int> RenderAsync<T>(Func<ManagementClient, CancellationToken, Task<T>> call, Action<T, TextWriter> table) =>
        Render(await call(Client, CancellationToken).ConfigureAwait(false), table);
}
