namespace Crm.Management;

/// <summary>The nodes hosting a region of a sharded entity type (Akka's GetCurrentRegions).</summary>
public sealed record ShardRegionsView(string Region, IReadOnlyList<string> Nodes);

public sealed record ShardEntities(string Shard, int Entities);

/// <summary>The shards of a region on the answering node, with their entity counts (Akka's GetShardRegionStats).</summary>
public sealed record RegionStatsView(string Region, string Node, IReadOnlyList<ShardEntities> Shards, IReadOnlyList<string> FailedShards);

public sealed record NodeShards(string Node, IReadOnlyList<ShardEntities> Shards);

/// <summary>Every node's shards of a region (Akka's GetClusterShardingStats).</summary>
public sealed record ShardStatsView(string Region, IReadOnlyList<NodeShards> Nodes);
