using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.Kafka;
using Crm.Host.Demo;

namespace Crm.Actors.Benchmarks;

/// <summary>
/// The benchmark's records: <see cref="SampleEvents"/> customer stories (the contract's mix), each envelope carrying
/// the tracing metadata real producers add (fields the router must ignore), which brings records to about 400 bytes.
/// </summary>
public sealed class Workload(string topicPrefix, int seed)
{
    private static readonly HashSet<string> StateChangingTypes = ["BookingCompleted", "BookingCancelled", "ActivityConducted", "CustomerDeleted"];

    private readonly SampleEvents _samples = new(seed);
    private readonly Random _random = new(seed);
    private int _nextCustomer;

    public string TopicPrefix => topicPrefix;

    /// <summary>Customer ids in the order their stories were generated.</summary>
    public List<string> Customers { get; } = [];

    /// <summary>Customers of <see cref="DeepHistories"/>.</summary>
    public List<string> DeepCustomers { get; } = [];

    /// <summary>Whole customer stories until <paramref name="count"/> records (the last story is cut).</summary>
    public List<SampleRecord> Records(int count)
    {
        var records = new List<SampleRecord>(count + 16);
        while (records.Count < count) records.AddRange(NextCustomer());
        records.RemoveRange(count, records.Count - count);
        return records;
    }

    /// <summary>
    /// <paramref name="count"/> records of as many customers: one record drawn at random from each customer's story (so the
    /// event mix follows the stories'). Every record meets an entity nobody has used yet.
    /// </summary>
    public List<SampleRecord> ColdRecords(int count)
    {
        var records = new List<SampleRecord>(count);
        while (records.Count < count)
        {
            var story = NextCustomer().ToList();
            records.Add(story[_random.Next(story.Count)]);
        }
        return records;
    }

    public IEnumerable<SampleRecord> NextCustomer()
    {
        var customer = $"cus_{topicPrefix}{_nextCustomer++}";
        Customers.Add(customer);
        return _samples.Customer(customer, DateTimeOffset.UtcNow)
            .Select(r => r with { Topic = topicPrefix + r.Topic, Value = WithProducerMetadata(r.Value, occurredAt: null) });
    }

    /// <summary>
    /// Customers with a long history: <paramref name="bookings"/> completed bookings each (one journal event each),
    /// all still upcoming, fewer than a snapshot's worth so that recovery replays every one of them.
    /// </summary>
    public List<SampleRecord> DeepHistories(int customers, int bookings)
    {
        var records = new List<SampleRecord>(customers * bookings);
        var start = DateTimeOffset.UtcNow;
        for (var c = 0; c < customers; c++)
        {
            var customer = $"cus_{topicPrefix}deep_{c}";
            DeepCustomers.Add(customer);
            for (var b = 0; b < bookings; b++)
            {
                var activity = SampleEvents.Activities[(c + b) % SampleEvents.Activities.Count];
                var record = _samples.Record("bookings", "BookingCompleted", customer, start.AddMinutes(b), new JsonObject
                {
                    ["booking_id"] = $"bkg_{customer}_{b}",
                    ["activity_id"] = activity.ActivityId,
                    ["starts_at"] = start.AddDays(30 + b).ToString("yyyy-MM-dd'T'09:00:00'Z'", CultureInfo.InvariantCulture),
                    ["activity_title"] = activity.Title,
                    ["city"] = activity.City,
                    ["country"] = activity.Country,
                    ["participants"] = 2,
                });
                records.Add(record with { Topic = topicPrefix + record.Topic, Value = WithProducerMetadata(record.Value, occurredAt: null) });
            }
        }
        return records;
    }

    /// <summary>The same record with <c>occurred_at</c> set to now (millisecond precision): event time for latency.</summary>
    public SampleRecord StampedNow(SampleRecord record) => record with { Value = WithProducerMetadata(record.Value, DateTimeOffset.UtcNow) };

    public static double StateChangingShare(IReadOnlyCollection<SampleRecord> records) =>
        records.Count(r => StateChangingTypes.Contains(EventType(r.Value))) / (double)records.Count;

    public static IProducer<string, byte[]> Producer(string bootstrap) =>
        new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();

    /// <summary>Produces every record and waits until all are acknowledged.</summary>
    public static void ProduceAll(string bootstrap, IEnumerable<SampleRecord> records)
    {
        using var producer = Producer(bootstrap);
        foreach (var record in records) producer.Produce(record.Topic, new Message<string, byte[]> { Key = record.Key, Value = record.Value });
        producer.Flush(TimeSpan.FromMinutes(1));
    }

    private static string EventType(byte[] value) => JsonNode.Parse(value)!["event_type"]!.GetValue<string>();

    private byte[] WithProducerMetadata(byte[] value, DateTimeOffset? occurredAt)
    {
        var envelope = JsonNode.Parse(value)!.AsObject();
        if (occurredAt is { } at)
            envelope["occurred_at"] = at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
        envelope["producer"] ??= $"marketplace-{envelope["event_type"]!.GetValue<string>().ToLowerInvariant()}-service/4.{_random.Next(30)}.{_random.Next(10)}";
        envelope["trace_id"] ??= Convert.ToHexStringLower(RandomBytes(16));
        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
