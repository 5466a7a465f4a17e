using System.Globalization;
using Crm.Management;

namespace Crm.Cli.Commands;

public sealed class ActorHierarchyCommand : CliCommand
{
    public override string Name => "actor hierarchy";
    public override string Summary => "the node's actors under a path, as a tree (children counts where the depth stops)";

    public override IReadOnlyList<OptionSpec> Options =>
    [
        new("-s", "--start", "path to start from", "/user"),
        new("-d", "--depth", "levels below the start", "2"),
    ];

    public override Task<int> RunAsync(CommandContext context)
    {
        if (!int.TryParse(context.Option("depth"), NumberStyles.None, CultureInfo.InvariantCulture, out var depth) || depth < 1)
            throw CliException.Usage($"--depth '{context.Option("depth")}' is not a whole number of 1 or more");
        var path = $"api/actors?path={Uri.EscapeDataString(context.Option("start"))}&depth={depth}";
        return context.RenderAsync((client, ct) => client.GetAsync<ActorHierarchyView>(path, ct), (view, output) =>
        {
            output.WriteLine($"{view.Root} on {view.Node}");
            foreach (var actor in view.Actors.Where(a => a.Depth > 0))
            {
                var name = actor.Path[(actor.Path.LastIndexOf('/') + 1)..];
                var hidden = actor.Depth == view.Depth && actor.Children > 0 ? actor.Children == 1 ? " (1 child)" : $" ({actor.Children} children)" : "";
                output.WriteLine($"{new string(' ', actor.Depth * 2)}{name}{hidden}");
            }
        });
    }
}
