using System.Diagnostics.Metrics;

namespace Crm.Actors.Operating;

/// <summary>
/// Every metric of Crm.Actors, on the Meter "Crm.Actors" (exported by the host, e.g. to Prometheus). Instruments live
/// here and only here; code that counts calls one of the Record methods. Durations are in seconds.
/// </summary>
public sealed partial class CrmMetrics : IDisposable
{
    public const string MeterName = "Crm.Actors";

    /// <summary>From a millisecond to a minute: Braze calls, journal writes and end-to-end delivery all fit.</summary>
    private static readonly InstrumentAdvice<double> Seconds = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    };

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _recordsIn;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _brazeObjects;
    private readonly Counter<long> _brazeRequests;
    private readonly Histogram<double> _brazeRequestDuration;
    private readonly Histogram<double> _eventToBraze;
    private readonly Histogram<double> _journalWrite;
    private volatile ShardingCounts _sharding = new(0, 0);

    /// <param name="factory">The host's meter factory (meters die with its service provider); null: a meter of our own.</param>
    /// <param name="locality">Where the events this node's entities receive were read (shard alignment), when known.</param>
    public CrmMetrics(LagMonitor lag, IMeterFactory? factory = null, Customers.EntityLocality? locality = null)
    {
        _meter = factory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _ownsMeter = factory is null;
        _recordsIn = _meter.CreateCounter<long>("crm.records.in", "{record}", "Kafka records read, by topic and event type");
        _deadLetters = _meter.CreateCounter<long>("crm.dead_letters", "{record}", "Records dead-lettered by the pipeline, by reason");
        _brazeObjects = _meter.CreateCounter<long>("crm.braze.objects", "{object}", "Marketing objects sent to Braze, by outcome (accepted, rejected)");
        _brazeRequests = _meter.CreateCounter<long>("crm.braze.requests", "{request}", "Braze requests, by status (accepted, refused, unauthorized, transient)");
        _brazeRequestDuration = _meter.CreateHistogram("crm.braze.request.duration", "s", "Braze request latency, by status", advice: Seconds);
        _eventToBraze = _meter.CreateHistogram("crm.event_to_braze.duration", "s", "From the Kafka record's timestamp to Braze accepting what it became", advice: Seconds);
        _journalWrite = _meter.CreateHistogram("crm.journal.write.duration", "s", "Customer journal writes (persist to confirmation)", advice: Seconds);

        _meter.CreateObservableGauge("crm.kafka.consumer.lag", () => lag.Snapshot().Select(p =>
            new Measurement<long>(p.Lag, Partition(p))), "{record}", "Records not yet committed, per partition this node owns (librdkafka statistics)");
        _meter.CreateObservableGauge("crm.kafka.partition.state", () => lag.Snapshot().SelectMany(p =>
            Enum.GetValues<LagState>().Select(state => new Measurement<int>(p.State == state ? 1 : 0,
                [.. Partition(p), new("state", state.ToString().ToLowerInvariant())]))), null, "1 for the partition's Burrow-style lag state (ok, lagging, stalled, unknown)");
        _meter.CreateObservableGauge("crm.kafka.not_lagging.ratio", () => lag.Snapshot().Select(p =>
            new Measurement<double>(p.NotLaggingRatio, Partition(p))), null, $"Share of evaluated time the partition was not lagging (SLO target {LagMonitor.SloTarget})");
        _meter.CreateObservableGauge("crm.sharding.entities", () => new Measurement<int>(_sharding.Entities, Region()), "{entity}", "Customer entities alive on this node");
        _meter.CreateObservableGauge("crm.sharding.shards", () => new Measurement<int>(_sharding.Shards, Region()), "{shard}", "Customer shards hosted on this node");
        if (locality is null) return;
        _meter.CreateObservableCounter("crm.entity.events", () => new[]
        {
            new Measurement<long>(locality.Local, new KeyValuePair<string, object?>("origin", "local")),
            new Measurement<long>(locality.Remote, new KeyValuePair<string, object?>("origin", "remote")),
        }, "{event}", "Events this node's customer entities received, by where their record was read (local: this node)");
        _meter.CreateObservableGauge("crm.entity.local.ratio", () => locality.LocalFraction, null,
            "Share of events handled by an entity on the node that read the record (1 when shards follow partitions)");
    }

    public void RecordIn(string topic, string eventType) => _recordsIn.Add(1, new("topic", topic), new("type", eventType));

    /// <summary>Quoted input values are blanked out of the reason: the label stays a small set of kinds.</summary>
    public void DeadLettered(string reason) =>
        _deadLetters.Add(1, new KeyValuePair<string, object?>("reason", QuotedValue().Replace(reason, "'…'")));

    public void BrazeRequest(string status, TimeSpan took, int accepted, int rejected)
    {
        var tag = new KeyValuePair<string, object?>("status", status);
        _brazeRequests.Add(1, tag);
        _brazeRequestDuration.Record(took.TotalSeconds, tag);
        if (accepted > 0) _brazeObjects.Add(accepted, new KeyValuePair<string, object?>("outcome", "accepted"));
        if (rejected > 0) _brazeObjects.Add(rejected, new KeyValuePair<string, object?>("outcome", "rejected"));
    }

    public void EventReachedBraze(TimeSpan sinceEventTime) => _eventToBraze.Record(Math.Max(0, sinceEventTime.TotalSeconds));

    public void JournalWrite(TimeSpan took) => _journalWrite.Record(took.TotalSeconds);

    /// <summary>The node's customer shards and entities, as last counted (the management actor counts periodically).</summary>
    public void Sharding(int shards, int entities) => _sharding = new ShardingCounts(shards, entities);

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }

    private static KeyValuePair<string, object?>[] Partition(PartitionLag p) => [new("topic", p.Topic), new("partition", p.Partition)];

    private static KeyValuePair<string, object?> Region() => new("region", Customers.CustomerActor.EntityType);

    [System.Text.RegularExpressions.GeneratedRegex("'[^']*'")]
    private static partial System.Text.RegularExpressions.Regex QuotedValue();

    private sealed record ShardingCounts(int Shards, int Entities);
}
