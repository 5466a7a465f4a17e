namespace Crm.Cli.Commands;

/// <summary>Every command of <c>crm-cmd</c>: the one place a new command is registered.</summary>
public static class CommandCatalog
{
    public static readonly IReadOnlyList<CliCommand> All =
    [
        new ClusterShow(),
        new ClusterLeave(),
        new ClusterDown(),
        new ClusterDownUnreachable(),
        new ShardingRegions(),
        new ShardingRegionStats(),
        new ShardingShardStats(),
        new ActorHierarchyCommand(),
        new PipelineStatus(),
        new BrazeStatus(),
        new CustomerShow(),
        new LogLevelCommand(),
    ];
}
