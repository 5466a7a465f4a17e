using System.Collections.Frozen;
using System.Diagnostics.Metrics;

namespace Crm.Actors.Operating;

/// <summary>
/// Every metric of Crm.Actors, on the Meter "Crm.Actors" (exported by the host, e.g. to Prometheus). Instruments live
/// here and only here; code that counts calls one of the Record methods. Durations are in seconds.
/// Counters whose label values are known in advance exist at zero from construction, so a <c>rate()</c> alert sees
/// them before the first event; histograms appear with their first measurement (OpenTelemetry creates a histogram's
/// point only then, and a made-up zero measurement would be a false sample).
/// </summary>
public sealed partial class CrmMetrics : IDisposable
{
    public const string MeterName = "Crm.Actors";

    /// <summary>
    /// The stages of a record's way to Braze, the <c>stage</c> label of <c>crm.stage.duration</c> (seconds); each is
    /// measured where it happens, one sample per occurrence (see <see cref="Stage"/>). <c>recovery_wait</c> is in the set
    /// but never recorded: Akka.NET's public API does not show when an entity's recovery permit
    /// (<c>max-concurrent-recoveries</c>) is granted, so the wait for it is part of <c>recovery</c>.
    /// </summary>
    public static readonly IReadOnlyList<string> Stages =
        [Stage.RecoveryWait, Stage.Recovery, Stage.Catalog, Stage.JournalWrite, Stage.GatewayQueue, Stage.Http, Stage.CommitWait];

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
    private readonly Histogram<double> _stageDuration;
    private volatile ShardingCounts _sharding = new(0, 0);
    private volatile BrazeGatewayState _braze = new(false, null, null);
    private volatile ClusterCounts _cluster = new(new Dictionary<string, int>(), 0);
    private volatile int _ready;

    /// <param name="factory">The host's meter factory (meters die with its service provider); null: a meter of our own.</param>
    /// <param name="locality">Where the events this node's entities receive were read (shard alignment), when known.</param>
    /// <param name="consumed">The consumer group (label of every partition series) and topics.</param>
    public CrmMetrics(LagMonitor lag, IMeterFactory? factory = null, Customers.EntityLocality? locality = null, ConsumedTopics? consumed = null)
    {
        _meter = factory?.Create(new MeterOptions(MeterName)) ?? new Meter(MeterName);
        _ownsMeter = factory is null;
        _recordsIn = _meter.CreateCounter<long>("crm.records.in", "{record}", "Kafka records read, by topic and event type");
        _deadLetters = _meter.CreateCounter<long>("crm.dead_letters", "{record}", "Records dead-lettered by the pipeline, by reason");
        _brazeObjects = _meter.CreateCounter<long>("crm.braze.objects", "{object}", "Marketing objects sent to Braze, by outcome (accepted, rejected)");
        _brazeRequests = _meter.CreateCounter<long>("crm.braze.requests", "{request}",
            $"Braze requests, by status ({string.Join(", ", BrazeStatus.All)})");
        _brazeRequestDuration = _meter.CreateHistogram("crm.braze.request.duration", "s", "Braze request latency, by status", advice: Seconds);
        _eventToBraze = _meter.CreateHistogram("crm.event_to_braze.duration", "s", "From the Kafka record's timestamp to Braze accepting what it became", advice: Seconds);
        _journalWrite = _meter.CreateHistogram("crm.journal.write.duration", "s", "Customer journal writes (persist to confirmation)", advice: Seconds);
        _stageDuration = _meter.CreateHistogram("crm.stage.duration", "s", $"Time a record spends in each stage ({string.Join(", ", Stages)})", advice: Seconds);
        SeriesFromStart();

        var group = new KeyValuePair<string, object?>("group", consumed?.Group);
        KeyValuePair<string, object?>[] Partition(PartitionLag p) => [group, new("topic", p.Topic), new("partition", p.Partition)];
        _meter.CreateObservableGauge("crm.kafka.consumer.lag", () => lag.Snapshot().Select(p =>
            new Measurement<long>(p.Lag, Partition(p))), "{record}", "Records not yet committed, per partition this node owns (the Kafka source's progress)");
        _meter.CreateObservableGauge("crm.kafka.consumer.committed_offset", () => lag.Snapshot().Select(p =>
            new Measurement<long>(p.Committed, Partition(p))), "{offset}", "The consumer group's committed offset, per partition this node owns");
        _meter.CreateObservableGauge("crm.kafka.partition.state", () => lag.Snapshot().SelectMany(p =>
            Enum.GetValues<LagState>().Select(state => new Measurement<int>(p.State == state ? 1 : 0,
                [.. Partition(p), new("state", state.ToString().ToLowerInvariant())]))), null, "1 for the partition's Burrow-style lag state (ok, lagging, stalled, unknown)");
        _meter.CreateObservableGauge("crm.kafka.not_lagging.ratio", () => lag.Snapshot().Select(p =>
            new Measurement<double>(p.NotLaggingRatio, Partition(p))), null, $"Share of evaluated time the partition was not lagging (SLO target {LagMonitor.SloTarget})");
        // The lag SLO's error ratio over any window is rate(lagging) / rate(evaluated): the SRE workbook's burn-rate form.
        _meter.CreateObservableCounter("crm.kafka.partition.evaluated", () => lag.Snapshot().Select(p =>
            new Measurement<double>(p.Evaluated.TotalSeconds, Partition(p))), "s", "Time the partition's lag state was evaluated (not unknown), since this node got it");
        _meter.CreateObservableCounter("crm.kafka.partition.lagging", () => lag.Snapshot().Select(p =>
            new Measurement<double>((p.Evaluated - p.NotLagging).TotalSeconds, Partition(p))), "s", "Evaluated time the partition was lagging or stalled, since this node got it");
        _meter.CreateObservableGauge("crm.sharding.entities", () => new Measurement<int>(_sharding.Entities, Region()), "{entity}", "Customer entities alive on this node");
        _meter.CreateObservableGauge("crm.sharding.shards", () => new Measurement<int>(_sharding.Shards, Region()), "{shard}", "Customer shards hosted on this node");
        _meter.CreateObservableGauge("crm.braze.halted", () => _braze.Halted ? 1 : 0, null,
            "1 while the gateway halts sending because an answer said the key or the endpoint is wrong (401, 403, 404, 405, not Braze's API); cleared by Braze's next acceptance");
        _meter.CreateObservableGauge("crm.braze.rate_limit.remaining", () => Known(_braze.RateLimitRemaining), "{request}", "X-RateLimit-Remaining of Braze's last answer that had it");
        _meter.CreateObservableGauge("crm.braze.rate_limit.limit", () => Known(_braze.RateLimitLimit), "{request}", "X-RateLimit-Limit of Braze's last answer that had it");
        _meter.CreateObservableGauge("crm.cluster.members", () => Enum.GetValues<Akka.Cluster.MemberStatus>().Select(status =>
        {
            var name = status.ToString().ToLowerInvariant();
            return new Measurement<int>(_cluster.ByStatus.GetValueOrDefault(name), new KeyValuePair<string, object?>("status", name));
        }), "{member}", "Cluster members this node sees, by status");
        _meter.CreateObservableGauge("crm.cluster.unreachable_members", () => _cluster.Unreachable, "{member}", "Cluster members this node's failure detector marks unreachable");
        _meter.CreateObservableGauge("crm.node.ready", () => _ready, null, "1 while /readyz answers 200 (Up member, owns partitions, Braze accepts the key)");
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

    /// <param name="status">One of <see cref="BrazeStatus"/>.</param>
    public void BrazeRequest(string status, TimeSpan took, int accepted, int rejected)
    {
        var tag = new KeyValuePair<string, object?>("status", status);
        _brazeRequests.Add(1, tag);
        _brazeRequestDuration.Record(took.TotalSeconds, tag);
        if (accepted > 0) _brazeObjects.Add(accepted, new KeyValuePair<string, object?>("outcome", "accepted"));
        if (rejected > 0) _brazeObjects.Add(rejected, new KeyValuePair<string, object?>("outcome", "rejected"));
    }

    public void EventReachedBraze(TimeSpan sinceEventTime) => _eventToBraze.Record(Math.Max(0, sinceEventTime.TotalSeconds));

    /// <summary>One customer journal write, persist to confirmation; also the <see cref="Stage.JournalWrite"/> stage.</summary>
    public void JournalWrite(TimeSpan took)
    {
        _journalWrite.Record(took.TotalSeconds);
        RecordStage(Stage.JournalWrite, took);
    }

    /// <summary>Time spent in <paramref name="stage"/>, one of <see cref="Stages"/> (a fixed set: the label stays bounded).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stage"/> is not one of <see cref="Stages"/>.</exception>
    public void RecordStage(string stage, TimeSpan elapsed)
    {
        // Recorded per record, per delivery and per journal write: one hash lookup for the check and the ready-made tag.
        if (!StageTags.TryGetValue(stage, out var tag))
            throw new ArgumentOutOfRangeException(nameof(stage), stage, $"not one of {string.Join(", ", Stages)}");
        _stageDuration.Record(Math.Max(0, elapsed.TotalSeconds), tag);
    }

    private static readonly FrozenDictionary<string, KeyValuePair<string, object?>> StageTags =
        Stages.ToFrozenDictionary(stage => stage, stage => new KeyValuePair<string, object?>("stage", stage), StringComparer.Ordinal);

    /// <summary>The node's customer shards and entities, as last counted (the management actor counts periodically).</summary>
    public void Sharding(int shards, int entities) => _sharding = new ShardingCounts(shards, entities);

    /// <summary>The Braze gateway's state as last sampled: halted on a wrong key or endpoint, the rate limit last seen.</summary>
    public void BrazeGateway(bool halted, int? rateLimitLimit, int? rateLimitRemaining) =>
        _braze = new BrazeGatewayState(halted, rateLimitLimit, rateLimitRemaining);

    /// <summary>The cluster as this node last saw it: members by status (lower case) and how many are unreachable.</summary>
    public void Cluster(IReadOnlyDictionary<string, int> membersByStatus, int unreachable) => _cluster = new ClusterCounts(membersByStatus, unreachable);

    /// <summary>Whether the node's readiness check passed when last run.</summary>
    public void Ready(bool ready) => _ready = ready ? 1 : 0;

    public void Dispose()
    {
        if (_ownsMeter) _meter.Dispose();
    }

    /// <summary>
    /// Counters at zero for every label value known before the first event: Braze statuses and outcomes here, the
    /// records-in kinds of each consumed topic once the pipeline starts (<see cref="RecordsInFromStart"/>). Dead-letter
    /// reasons are not known in advance: each appears with its first dead letter.
    /// </summary>
    private void SeriesFromStart()
    {
        foreach (var status in BrazeStatus.All) _brazeRequests.Add(0, new KeyValuePair<string, object?>("status", status));
        foreach (var outcome in (string[])["accepted", "rejected"]) _brazeObjects.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
    }

    /// <summary>Records-in counters at zero for each topic and the kinds it may carry: its event types, malformed, unknown.</summary>
    public void RecordsInFromStart(EventTypes.EventCatalog catalog, IReadOnlyList<string> topics)
    {
        foreach (var topic in topics)
        foreach (var type in catalog.EventTypesOn(topic).Append("malformed").Append("unknown"))
            _recordsIn.Add(0, new("topic", topic), new("type", type));
    }

    private static Measurement<int>[] Known(int? value) => value is { } v ? [new Measurement<int>(v)] : [];

    private static KeyValuePair<string, object?> Region() => new("region", Customers.CustomerActor.EntityType);

    [System.Text.RegularExpressions.GeneratedRegex("'[^']*'")]
    private static partial System.Text.RegularExpressions.Regex QuotedValue();

    private sealed record ShardingCounts(int Shards, int Entities);

    private sealed record BrazeGatewayState(bool Halted, int? RateLimitLimit, int? RateLimitRemaining);

    private sealed record ClusterCounts(IReadOnlyDictionary<string, int> ByStatus, int Unreachable);

    /// <summary>The <c>stage</c> label of <c>crm.stage.duration</c>: what each sample measures, in seconds.</summary>
    public static class Stage
    {
        /// <summary>
        /// Waiting for a recovery permit. Never recorded: Akka.NET's public API does not show when it is granted, so the
        /// wait is inside <see cref="Recovery"/>. The time to the first replayed event or snapshot offer is no proxy: it
        /// also holds the snapshot query, and a customer with no history replays nothing.
        /// </summary>
        public const string RecoveryWait = "recovery_wait";

        /// <summary>
        /// One customer entity's start: from its constructor to <c>RecoveryCompleted</c>. Includes the wait for a recovery
        /// permit, the snapshot read, the highest-sequence-number read and the replay. One sample per entity start.
        /// </summary>
        public const string Recovery = "recovery";

        /// <summary>One Activity Catalog lookup by an entity: from asking to the entity handling the answer.</summary>
        public const string Catalog = "catalog";

        /// <summary>One customer journal write (a batch's facts, or a ledger write): persist to confirmation.</summary>
        public const string JournalWrite = "journal_write";

        /// <summary>
        /// One delivery (a record's Braze objects) in the gateway: from its <c>Deliver</c> arriving to the request with its
        /// first object being handed to a worker (throttle, per-customer order, requests in flight).
        /// </summary>
        public const string GatewayQueue = "gateway_queue";

        /// <summary>One Braze request: from sending to its answer read (any status).</summary>
        public const string Http = "http";

        /// <summary>
        /// One record: from being done (its batch answered by the entity, dead-lettered, or skipped) to the Kafka commit
        /// carrying its offset returning. Includes waiting for earlier records of its partition and for the commit interval.
        /// </summary>
        public const string CommitWait = "commit_wait";
    }

    /// <summary>The <c>status</c> label of Braze requests.</summary>
    public static class BrazeStatus
    {
        public const string Accepted = "accepted";
        public const string Refused = "refused";
        /// <summary>401/403: the key; sending halts.</summary>
        public const string Unauthorized = "unauthorized";

        /// <summary>404, 405 or another answer that is not Braze's API: the endpoint; sending halts.</summary>
        public const string Misconfigured = "misconfigured";

        /// <summary>413: the request was too large; its halves go again.</summary>
        public const string TooLarge = "too_large";

        public const string RateLimited = "rate_limited";
        public const string Transient = "transient";

        public static readonly IReadOnlyList<string> All = [Accepted, Refused, Unauthorized, Misconfigured, TooLarge, RateLimited, Transient];
    }
}

/// <summary>What a node consumes, for its metrics: the consumer group and the topics.</summary>
public sealed record ConsumedTopics(string Group, IReadOnlyList<string> Topics);
