using System.Text;
using Akka.Actor;
using Crm.Actors.Braze;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;
using Crm.Host.Local;

namespace Crm.Actors.Tests.EndToEnd;

/// <summary>
/// The whole service, wired as in production: records produced to the mock Kafka cluster reach the local Braze
/// enriched, malformed ones reach the dead-letter topic, and offsets are committed only after Braze accepted.
/// </summary>
public sealed class PipelineEndToEndTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Events_reach_braze_enriched_and_malformed_records_reach_the_dead_letter_topic()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var records = deployment.ProduceCustomers(30, seed: 7);
        var samples = new SampleEvents(seed: 8);
        var malformed = new[] { samples.Malformed("cus_bad_1"), samples.Malformed("cus_bad_2"), samples.Malformed("cus_bad_3") };
        deployment.Produce(malformed);

        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        await PipelineDeployment.WaitUntil(() => stats.Delivered == records.Count && stats.DeadLettered == malformed.Length, Patience,
            () => $"delivered {stats.Delivered}/{records.Count}, dead letters {stats.DeadLettered}");

        // Every booking reached Braze with its activity's city and title: carried, or filled in from the catalog.
        var bookings = deployment.Braze.AcceptedObjects()
            .Where(o => o.Array == "events" && o.Object.GetProperty("name").GetString() == "booking_completed").ToList();
        Assert.Equal(records.Count(r => Encoding.UTF8.GetString(r.Value).Contains("\"BookingCompleted\"", StringComparison.Ordinal)), bookings.Count);
        var byId = SampleEvents.Activities.ToDictionary(a => a.ActivityId);
        foreach (var (_, booking) in bookings)
        {
            var properties = booking.GetProperty("properties");
            var activity = byId[properties.GetProperty("activity_id").GetString()!];
            Assert.Equal(activity.City, properties.GetProperty("city").GetString());
            Assert.Equal(activity.Title, properties.GetProperty("activity_title").GetString());
        }
        Assert.True(deployment.Catalog.Requests > 0, "no booking needed the catalog: the sample should include some without details");
        Assert.All(deployment.Braze.Accepted, request => Assert.Equal("Bearer " + PipelineDeployment.ApiKey, request.Authorization));

        // Each malformed record is in the dead-letter topic byte for byte, with its reason and origin.
        var letters = kafka.ReadAll(deployment.DeadLetterTopic);
        Assert.Equal(malformed.Length, letters.Count);
        foreach (var bad in malformed)
        {
            var letter = Assert.Single(letters, l => l.Message.Value.AsSpan().SequenceEqual(bad.Value));
            Assert.Equal(bad.Key, Encoding.UTF8.GetString(letter.Message.Key!));
            Assert.False(string.IsNullOrEmpty(letter.Message.Headers.Text("crm-error")));
            Assert.Equal(deployment.Topics[bad.Topic], letter.Message.Headers.Text("crm-source-topic"));
            Assert.NotNull(letter.Message.Headers.Text("crm-source-partition"));
            Assert.NotNull(letter.Message.Headers.Text("crm-source-offset"));
        }

        // Everything is committed once done.
        await PipelineDeployment.WaitUntil(deployment.AllCommitted, Patience, deployment.CommitState);
    }

    [Fact]
    public async Task Live_entities_stay_within_Customers_MaxLiveEntities_and_every_event_reaches_braze_once()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        const int limit = 4;
        deployment.Settings["Customers:MaxLiveEntities"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var records = deployment.ProduceCustomers(30, seed: 13);

        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        await PipelineDeployment.WaitUntil(() => stats.Delivered == records.Count && deployment.AllCommitted(), Patience,
            () => $"delivered {stats.Delivered}/{records.Count}; {deployment.CommitState()}");

        // Idle passivation is minutes away: without the cap all 30 customers' entities would still be live.
        var system = host.Service<ActorSystem>();
        await PipelineDeployment.WaitUntil(() => LiveEntities(system) <= limit, Patience, () => $"{LiveEntities(system)} live entities");
        var count = deployment.Count(records);
        Assert.Equal(0, count.Lost);
        Assert.Equal(0, count.Duplicates);
    }

    private static int LiveEntities(ActorSystem system) =>
        Crm.Actors.Operating.ShardingQueries.RegionStatsAsync(system, Crm.Actors.Customers.CustomerActor.EntityType)
            .GetAwaiter().GetResult().Shards.Sum(s => s.Entities);

    [Fact]
    public async Task Offsets_are_committed_only_after_braze_accepted()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var failing = true;
        deployment.Braze.Override = _ => Volatile.Read(ref failing) ? new BrazeReply(503, """{"message":"unavailable"}""") : null;
        var records = deployment.ProduceCustomers(5, seed: 11);

        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        var counters = host.Service<BrazeCounters>();
        // All records read and Braze refused them several times (each retry is a backoff, far longer than the commit interval).
        await PipelineDeployment.WaitUntil(() => stats.RecordsIn == records.Count && counters.FailedRequests >= 10, Patience,
            () => $"records in {stats.RecordsIn}/{records.Count}, failed requests {counters.FailedRequests}");
        Assert.Equal(0, stats.Delivered);
        foreach (var topic in deployment.Topics.Values)
            Assert.All(kafka.CommittedOffsets(deployment.Group, topic).Values, offset => Assert.True(offset < 0, $"{topic} committed {offset} before Braze accepted anything"));

        Volatile.Write(ref failing, false);
        await PipelineDeployment.WaitUntil(() => stats.Delivered == records.Count, Patience, () => $"delivered {stats.Delivered}/{records.Count}");
        await PipelineDeployment.WaitUntil(deployment.AllCommitted, Patience, deployment.CommitState);
        Assert.Equal(records.Count, deployment.Braze.AcceptedObjects().Count(o => o.Array == "events"));
    }

    [Fact]
    public async Task An_event_produced_again_after_its_customer_was_passivated_reaches_braze_once()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        deployment.Settings["Customers:PassivateAfter"] = "00:00:01";
        var records = deployment.ProduceCustomers(10, seed: 12);
        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        await PipelineDeployment.WaitUntil(() => stats.Delivered == records.Count && deployment.AllCommitted(), Patience, deployment.CommitState);

        // Minutes later, as far as the entities go: every one of them was passivated, its state only in the journal.
        var region = Akka.Cluster.Sharding.ClusterSharding.Get(host.Service<ActorSystem>()).ShardRegion(Crm.Actors.Customers.CustomerActor.EntityType);
        await Eventually.Passes(async () =>
        {
            var regionStats = await region.Ask<Akka.Cluster.Sharding.ShardRegionStats>(Akka.Cluster.Sharding.GetShardRegionStats.Instance, TimeSpan.FromSeconds(5));
            Assert.Equal(0, regionStats.Stats.Values.Sum());
        }, Patience);

        // The producer sends every record again (a retry after a timeout it misread): new offsets, the same event ids.
        deployment.Produce(records);
        await PipelineDeployment.WaitUntil(() => stats.RecordsIn == 2 * records.Count && stats.Delivered == 2 * records.Count && deployment.AllCommitted(),
            Patience, () => $"read {stats.RecordsIn}, done {stats.Delivered}; {deployment.CommitState()}");

        var count = deployment.Count(records);
        Assert.Equal(count.Sent, count.Delivered);
        Assert.Equal(0, count.Duplicates);
    }
}
