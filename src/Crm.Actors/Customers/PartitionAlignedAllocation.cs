using System.Collections.Immutable;
using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Akka.Cluster.Sharding.External;

namespace Crm.Actors.Customers;

/// <summary>
/// Akka's <see cref="ExternalShardAllocationStrategy"/> (shards go where <see cref="PartitionShardAlignment"/> says
/// their partition is consumed), except that it never starts moving a shard away from an unreachable node: the
/// hand-off would wait for that node's answer until <c>handoff-timeout</c>, holding every message to the shard
/// meanwhile. Once the coordinator sees the node's region end, its shards are free and are allocated where their
/// partition is consumed now.
/// </summary>
public sealed class PartitionAlignedAllocation(ActorSystem system) : IStartableAllocationStrategy
{
    private readonly ExternalShardAllocationStrategy _external = new(system, CustomerActor.EntityType);
    private readonly Cluster _cluster = Cluster.Get(system);

    public void Start() => _external.Start();

    public Task<IActorRef> AllocateShard(
        IActorRef requester, string shardId, IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations) =>
        _external.AllocateShard(requester, shardId, currentShardAllocations);

    public async Task<IImmutableSet<string>> Rebalance(
        IImmutableDictionary<IActorRef, IImmutableList<string>> currentShardAllocations, IImmutableSet<string> rebalanceInProgress)
    {
        var moving = await _external.Rebalance(currentShardAllocations, rebalanceInProgress).ConfigureAwait(false);
        if (moving.Count == 0) return moving;
        var state = _cluster.State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var alive = state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Leaving)
            .Select(m => m.Address).ToHashSet();
        // A region on a node that is unreachable, downed or already removed (the coordinator may learn of its end
        // after the membership does) cannot answer a hand-off.
        var stranded = currentShardAllocations
            .Where(region => !region.Key.Path.Address.HasLocalScope
                && (unreachable.Contains(region.Key.Path.Address) || !alive.Contains(region.Key.Path.Address)))
            .SelectMany(region => region.Value)
            .ToHashSet();
        return stranded.Count == 0 ? moving : moving.Except(stranded);
    }
}
