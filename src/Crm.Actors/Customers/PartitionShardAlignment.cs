using System.Collections.Immutable;
using System.Globalization;
using Akka.Actor;
using Akka.Cluster.Sharding.External;
using Confluent.Kafka;
using Crm.Actors.Kafka;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Customers;

/// <summary>
/// Keeps each customer shard on the node that consumes its partition: when the group assigns partitions to this
/// node's consumer, it records this node as the shards' location for <see cref="ExternalShardAllocationStrategy"/>,
/// which allocates new shards there and moves running ones at its next rebalance. Until a shard has moved its
/// records still reach the one live entity, over the network: alignment saves hops, it is never needed for
/// correctness.
/// </summary>
public sealed class PartitionShardAlignment(ActorSystem system, ILogger logger) : IPartitionAssignmentListener
{
    private const int Attempts = 5;
    private readonly IExternalShardAllocationClient _client = ExternalShardAllocation.Get(system).ClientFor(CustomerActor.EntityType);
    private readonly Address _self = Akka.Cluster.Cluster.Get(system).SelfAddress;

    public void Assigned(IReadOnlyCollection<TopicPartition> partitions)
    {
        // Shard id = partition number; every topic's partition n holds the same customers.
        var shards = partitions
            .Select(p => p.Partition.Value.ToString(CultureInfo.InvariantCulture))
            .Distinct()
            .ToImmutableDictionary(shard => shard, _ => _self);
        if (shards.Count > 0) _ = UpdateAsync(shards);
    }

    private async Task UpdateAsync(IImmutableDictionary<string, Address> shards)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _client.UpdateShardLocations(shards).ConfigureAwait(false);
                logger.LogInformation("Customer shards {Shards} located on this node ({Node}), where their partitions are consumed",
                    string.Join(",", shards.Keys.Order(StringComparer.Ordinal)), _self);
                return;
            }
            catch (Exception e) when (e is ClientTimeoutException or AskTimeoutException && attempt < Attempts)
            {
                logger.LogWarning("Recording the location of shards {Shards} failed ({Reason}); attempt {Attempt} of {Attempts}",
                    string.Join(",", shards.Keys), e.Message, attempt, Attempts);
            }
            catch (Exception e) when (e is ClientTimeoutException or AskTimeoutException)
            {
                // Shards then stay where they are: records cross the network, nothing is lost.
                logger.LogError("Could not record the location of shards {Shards}: {Reason}", string.Join(",", shards.Keys), e.Message);
                return;
            }
        }
    }
}
