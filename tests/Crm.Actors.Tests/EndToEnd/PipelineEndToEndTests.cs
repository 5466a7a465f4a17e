using System.Text;
using System.Text.Json;
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
public sealed class PipelineEndToEndTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>, IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private const string ApiKey = "e2e-secret-key";
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"crm-e2e-{Guid.NewGuid():N}.db");
    private LocalBraze _braze = null!;
    private LocalCatalog _catalog = null!;

    public async ValueTask InitializeAsync()
    {
        _braze = await LocalBraze.StartAsync(ApiKey);
        _catalog = await LocalCatalog.StartAsync(SampleEvents.Activities);
    }

    public async ValueTask DisposeAsync()
    {
        await _braze.DisposeAsync();
        await _catalog.DisposeAsync();
        File.Delete(_database);
    }

    /// <summary>Fresh topics and group for one test; returns the host settings and the topic of each default name.</summary>
    private (Dictionary<string, string?> Settings, Dictionary<string, string> Topics, string DeadLetters, string Group) NewDeployment()
    {
        var topics = DemoEnvironment.Topics.ToDictionary(t => t, t => kafka.NewTopic(t));
        var deadLetters = kafka.NewTopic("crm.deadletter");
        var group = "crm-e2e-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka:Topics"] = string.Join(',', topics.Values),
            ["Kafka:GroupId"] = group,
            ["Kafka:DeadLetterTopic"] = deadLetters,
            ["Kafka:Client:session.timeout.ms"] = "6000",
            ["Kafka:Client:heartbeat.interval.ms"] = "500",
            ["Braze:RestEndpoint"] = _braze.BaseUrl.ToString(),
            ["Braze:ApiKey"] = ApiKey,
            ["Braze:MinBackoff"] = "00:00:00.100",
            ["Braze:MaxBackoff"] = "00:00:01",
            ["Catalog:BaseUrl"] = _catalog.BaseUrl.ToString(),
            ["Persistence:ConnectionString"] = $"Data Source={_database}",
            ["Cluster:Port"] = "0",
            ["Management:Port"] = "0",
        };
        return (settings, topics, deadLetters, group);
    }

    [Fact]
    public async Task Events_reach_braze_enriched_and_malformed_records_reach_the_dead_letter_topic()
    {
        var (settings, topics, deadLetterTopic, group) = NewDeployment();
        var samples = new SampleEvents(seed: 7);
        var records = Enumerable.Range(0, 30).SelectMany(i => samples.Customer($"cus_{i}", DateTimeOffset.UtcNow)).ToList();
        var malformed = new[] { samples.Malformed("cus_bad_1"), samples.Malformed("cus_bad_2"), samples.Malformed("cus_bad_3") };
        foreach (var record in records.Concat(malformed)) kafka.Produce(record, topics[record.Topic]);
        kafka.Flush();

        await using var host = await CrmTestHost.StartAsync(settings);
        var stats = host.Service<PipelineStats>();
        await WaitUntil(() => stats.Delivered == records.Count && stats.DeadLettered == malformed.Length);

        // Every booking reached Braze with its activity's city and title: carried, or filled in from the catalog.
        var objects = _braze.AcceptedObjects();
        var bookings = objects.Where(o => o.Array == "events" && o.Object.GetProperty("name").GetString() == "booking_completed").ToList();
        Assert.Equal(records.Count(r => Encoding.UTF8.GetString(r.Value).Contains("\"BookingCompleted\"", StringComparison.Ordinal)), bookings.Count);
        var byId = SampleEvents.Activities.ToDictionary(a => a.ActivityId);
        foreach (var (_, booking) in bookings)
        {
            var properties = booking.GetProperty("properties");
            var activity = byId[properties.GetProperty("activity_id").GetString()!];
            Assert.Equal(activity.City, properties.GetProperty("city").GetString());
            Assert.Equal(activity.Title, properties.GetProperty("activity_title").GetString());
        }
        Assert.True(_catalog.Requests > 0, "no booking needed the catalog: the sample should include some without details");
        Assert.All(_braze.Accepted, request => Assert.Equal("Bearer " + ApiKey, request.Authorization));

        // Each malformed record is in the dead-letter topic byte for byte, with its reason and origin.
        var letters = kafka.ReadAll(deadLetterTopic);
        Assert.Equal(malformed.Length, letters.Count);
        foreach (var bad in malformed)
        {
            var letter = Assert.Single(letters, l => l.Message.Value.AsSpan().SequenceEqual(bad.Value));
            Assert.Equal(bad.Key, Encoding.UTF8.GetString(letter.Message.Key!));
            Assert.False(string.IsNullOrEmpty(letter.Message.Headers.Text("crm-error")));
            Assert.Equal(topics[bad.Topic], letter.Message.Headers.Text("crm-source-topic"));
            Assert.NotNull(letter.Message.Headers.Text("crm-source-partition"));
            Assert.NotNull(letter.Message.Headers.Text("crm-source-offset"));
        }

        // Everything is committed once done.
        await WaitUntil(() => topics.Values.All(topic => kafka.IsFullyCommitted(group, topic)));
    }

    [Fact]
    public async Task Offsets_are_committed_only_after_braze_accepted()
    {
        var (settings, topics, _, group) = NewDeployment();
        var failing = true;
        _braze.Override = _ => Volatile.Read(ref failing) ? new BrazeReply(503, """{"message":"unavailable"}""") : null;
        var samples = new SampleEvents(seed: 11);
        var records = Enumerable.Range(0, 5).SelectMany(i => samples.Customer($"cus_{i}", DateTimeOffset.UtcNow)).ToList();
        foreach (var record in records) kafka.Produce(record, topics[record.Topic]);
        kafka.Flush();

        await using var host = await CrmTestHost.StartAsync(settings);
        var stats = host.Service<PipelineStats>();
        var counters = host.Service<BrazeCounters>();
        // All records read and Braze refused them several times (each retry is a backoff, far longer than the commit interval).
        await WaitUntil(() => stats.RecordsIn == records.Count && counters.FailedRequests >= 10,
            () => $"records in {stats.RecordsIn}/{records.Count}, failed requests {counters.FailedRequests}, braze saw {_braze.Log.Count}");
        Assert.Equal(0, stats.Delivered);
        foreach (var topic in topics.Values)
            Assert.All(kafka.CommittedOffsets(group, topic).Values, offset => Assert.True(offset < 0, $"{topic} committed {offset} before Braze accepted anything"));

        Volatile.Write(ref failing, false);
        await WaitUntil(() => stats.Delivered == records.Count, () => $"delivered {stats.Delivered}/{records.Count}");
        await WaitUntil(() => topics.Values.All(topic => kafka.IsFullyCommitted(group, topic)));
        Assert.Equal(records.Count, _braze.AcceptedObjects().Count(o => o.Array == "events"));
    }

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>Waits on a condition (polled), failing with <paramref name="state"/> when it does not hold in time.</summary>
    private static async Task WaitUntil(Func<bool> condition, Func<string>? state = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"condition not met within {Patience}: {state?.Invoke()}");
            await Task.Delay(PollInterval);
        }
    }
}
