using Akka.Actor;
using Akka.Cluster;
using Akka.Cluster.Sharding;
using Crm.Actors.Customers;
using Crm.Management;

namespace Crm.Actors.Operating;

/// <summary><c>cluster-sharding</c> and <c>customer show</c>: questions to a shard region of this node.</summary>
public static class ShardingQueries
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    public static async Task<ShardRegionsView> RegionsAsync(ActorSystem system, string region)
    {
        var regions = await Region(system, region).Ask<CurrentRegions>(GetCurrentRegions.Instance, Patience).ConfigureAwait(false);
        return new ShardRegionsView(region, regions.Regions.Select(a => Node(system, a)).Order(StringComparer.Ordinal).ToList());
    }

    public static async Task<RegionStatsView> RegionStatsAsync(ActorSystem system, string region)
    {
        var stats = await Region(system, region).Ask<ShardRegionStats>(GetShardRegionStats.Instance, Patience).ConfigureAwait(false);
        return new RegionStatsView(region, Cluster.Get(system).SelfAddress.ToString(), Shards(stats), stats.Failed.Order(StringComparer.Ordinal).ToList());
    }

    public static async Task<ShardStatsView> ShardStatsAsync(ActorSystem system, string region)
    {
        var stats = await Region(system, region)
            .Ask<ClusterShardingStats>(new GetClusterShardingStats(Patience), Patience + TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        return new ShardStatsView(region, stats.Regions
            .Select(kv => new NodeShards(Node(system, kv.Key), Shards(kv.Value)))
            .OrderBy(n => n.Node, StringComparer.Ordinal)
            .ToList());
    }

    /// <summary>The customer's entity state; asking starts the entity, so an unknown customer shows as empty.</summary>
    public static async Task<CustomerDetails> CustomerAsync(ActorSystem system, string customerId)
    {
        if (string.IsNullOrWhiteSpace(customerId)) throw ManagementException.BadRequest("a customer id is required");
        var view = await Region(system, CustomerActor.EntityType).Ask<CustomerView>(new GetCustomer(customerId.Trim()), Patience).ConfigureAwait(false);
        return new CustomerDetails(view.CustomerId,
            view.OpenTrips.Select(t => new TripView(t.BookingId, t.ActivityId, t.ActivityTitle, t.City, t.Country, t.StartsAt)).ToList(),
            view.ClosedBookings, view.SequenceNr);
    }

    private static IActorRef Region(ActorSystem system, string region)
    {
        var sharding = ClusterSharding.Get(system);
        return sharding.ShardTypeNames.Contains(region)
            ? sharding.ShardRegion(region)
            : throw ManagementException.NotFound($"no shard region '{region}' (known: {string.Join(", ", sharding.ShardTypeNames.Order(StringComparer.Ordinal))})");
    }

    private static List<ShardEntities> Shards(ShardRegionStats stats) =>
        stats.Stats.Select(kv => new ShardEntities(kv.Key, kv.Value)).OrderBy(s => s.Shard.Length).ThenBy(s => s.Shard, StringComparer.Ordinal).ToList();

    /// <summary>The local region is reported without host and port: name it by the node's own address.</summary>
    private static string Node(ActorSystem system, Address address) =>
        (address.HasLocalScope ? Cluster.Get(system).SelfAddress : address).ToString();
}
