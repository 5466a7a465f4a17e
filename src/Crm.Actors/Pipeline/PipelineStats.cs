using System.Diagnostics;
using System.Collections.Concurrent;
using Confluent.Kafka;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Operating;

namespace Crm.Actors.Pipeline;

/// <summary>Running totals of the record pipeline, readable from any thread; also counted in <see cref="CrmMetrics"/> when given.</summary>
public sealed class PipelineStats(CrmMetrics? metrics = null)
{
    private long _recordsIn;
    private long _delivered;
    private long _deadLettered;
    private long _skipped;
    private long _retries;

    public long RecordsIn => Interlocked.Read(ref _recordsIn);
    public long Delivered => Interlocked.Read(ref _delivered);
    public long DeadLettered => Interlocked.Read(ref _deadLettered);
    public long Skipped => Interlocked.Read(ref _skipped);
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Dead letters by reason (the reason's text up to its first colon, so counts group).</summary>
    public ConcurrentDictionary<string, long> DeadLettersByReason { get; } = new();

    /// <summary>Skipped records by unknown event type.</summary>
    public ConcurrentDictionary<string, long> SkippedByType { get; } = new();

    /// <summary>The records-in series of <paramref name="topics"/> exist at zero before their first record.</summary>
    internal void RecordsInFromStart(EventTypes.EventCatalog catalog, IReadOnlyList<string> topics) => metrics?.RecordsInFromStart(catalog, topics);

    internal void RecordIn(string topic, DecodeResult decoded)
    {
        Interlocked.Increment(ref _recordsIn);
        // Unknown types come from the input: one label value for all of them keeps the series count bounded.
        metrics?.RecordIn(topic, decoded switch
        {
            DecodeResult.Valid valid => valid.Type.Name,
            DecodeResult.Malformed => "malformed",
            _ => "unknown",
        });
    }

    /// <summary>A record's objects were accepted by Braze: the time since the record's Kafka timestamp.</summary>
    internal void RecordReachedBraze(Timestamp eventTime)
    {
        if (eventTime.Type != TimestampType.NotAvailable) metrics?.EventReachedBraze(DateTime.UtcNow - eventTime.UtcDateTime);
    }

    private long _deliveryTicks;
    private long _maxDeliveryTicks;

    /// <summary>Mean time from asking the entity to Braze's acceptance.</summary>
    public TimeSpan MeanDeliveryTime => Delivered == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref _deliveryTicks) / Delivered);

    public TimeSpan MaxDeliveryTime => TimeSpan.FromTicks(Interlocked.Read(ref _maxDeliveryTicks));

    internal void RecordDelivered(TimeSpan took)
    {
        Interlocked.Increment(ref _delivered);
        Interlocked.Add(ref _deliveryTicks, took.Ticks);
        long max;
        while (took.Ticks > (max = Interlocked.Read(ref _maxDeliveryTicks)) &&
               Interlocked.CompareExchange(ref _maxDeliveryTicks, took.Ticks, max) != max) { }
    }
    internal void RecordRetry() => Interlocked.Increment(ref _retries);

    /// <summary>Stage durations go to <see cref="CrmMetrics"/>: worth gathering their timestamps.</summary>
    internal bool MeasuresStages => metrics is not null;

    /// <summary>Records done at <paramref name="doneAt"/> (Stopwatch timestamps) are committed to Kafka at <paramref name="committedAt"/>.</summary>
    internal void CommitWaited(IEnumerable<long> doneAt, long committedAt)
    {
        foreach (var at in doneAt) metrics?.RecordStage(CrmMetrics.Stage.CommitWait, Stopwatch.GetElapsedTime(at, committedAt));
    }

    internal void RecordDeadLetter(string reason)
    {
        Interlocked.Increment(ref _deadLettered);
        var colon = reason.IndexOf(':');
        var group = colon > 0 ? reason[..colon] : reason;
        DeadLettersByReason.AddOrUpdate(group, 1, (_, n) => n + 1);
        metrics?.DeadLettered(group);
    }

    internal void RecordSkipped(string eventType)
    {
        Interlocked.Increment(ref _skipped);
        SkippedByType.AddOrUpdate(eventType, 1, (_, n) => n + 1);
    }
}
