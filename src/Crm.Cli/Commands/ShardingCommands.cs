using Crm.Cli.Output;
using Crm.Management;

namespace Crm.Cli.Commands;

/// <summary>The <c>-r</c> option the sharding commands share, and the path of their API.</summary>
public abstract class ShardingCommand : CliCommand
{
    public override IReadOnlyList<OptionSpec> Options => [new("-r", "--region", "shard region (entity type)", "customer")];

    protected static string PathOf(CommandContext context, string question) =>
        $"api/sharding/{Uri.EscapeDataString(context.Option("region"))}/{question}";
}

public sealed class ShardingRegions : ShardingCommand
{
    public override string Name => "cluster-sharding regions";
    public override string Summary => "nodes hosting the region";

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.GetAsync<ShardRegionsView>(PathOf(context, "regions"), ct), (view, output) =>
        {
            output.WriteLine($"Region {view.Region}: {view.Nodes.Count} node(s)");
            var table = new Table("NODE");
            foreach (var node in view.Nodes) table.Row(node);
            table.Write(output);
        });
}

public sealed class ShardingRegionStats : ShardingCommand
{
    public override string Name => "cluster-sharding region-stats";
    public override string Summary => "shards and entities of the region on the node asked";

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.GetAsync<RegionStatsView>(PathOf(context, "region-stats"), ct), (view, output) =>
        {
            output.WriteLine($"Region {view.Region} on {view.Node}: {view.Shards.Count} shard(s), {view.Shards.Sum(s => s.Entities)} entities");
            var table = new Table("SHARD", "ENTITIES");
            foreach (var shard in view.Shards) table.Row(shard.Shard, shard.Entities);
            table.Write(output);
            if (view.FailedShards.Count > 0) output.WriteLine($"Shards that did not answer: {string.Join(", ", view.FailedShards)}");
        });
}

public sealed class ShardingShardStats : ShardingCommand
{
    public override string Name => "cluster-sharding shard-stats";
    public override string Summary => "every node's shards of the region with their entities";

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.GetAsync<ShardStatsView>(PathOf(context, "shard-stats"), ct), (view, output) =>
        {
            var table = new Table("NODE", "SHARD", "ENTITIES");
            foreach (var node in view.Nodes)
                foreach (var shard in node.Shards) table.Row(node.Node, shard.Shard, shard.Entities);
            table.Write(output);
            output.WriteLine($"Region {view.Region}: {view.Nodes.Sum(n => n.Shards.Count)} shard(s) on {view.Nodes.Count} node(s), " +
                             $"{view.Nodes.Sum(n => n.Shards.Sum(s => s.Entities))} entities");
        });
}
