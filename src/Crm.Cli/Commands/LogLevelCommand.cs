using Crm.Management;

namespace Crm.Cli.Commands;

public sealed class LogLevelCommand : CliCommand
{
    private static readonly string[] Levels = ["Verbose", "Debug", "Information", "Warning", "Error", "Fatal"];

    public override string Name => "log level";
    public override string Summary => "sets the node's log level (Verbose, Debug, Information, Warning, Error), Serilog and Akka alike";
    public override IReadOnlyList<string> Arguments => ["level"];

    public override Task<int> RunAsync(CommandContext context)
    {
        var level = Levels.FirstOrDefault(l => l.Equals(context.Argument(0), StringComparison.OrdinalIgnoreCase))
                    ?? throw CliException.Usage($"'{context.Argument(0)}' is not a level: {string.Join(", ", Levels)}");
        return context.RenderAsync((client, ct) => client.PutAsync<LogLevelView>("api/log-level", new LogLevelRequest(level), ct),
            (view, output) => output.WriteLine($"Log level of {view.Node} is now {view.Level} (Akka: {view.AkkaLevel})."));
    }
}
