using Crm.Actors.Kafka;

namespace Crm.Actors.Operating;

/// <summary>
/// Where one partition the node consumes stands, with its SLO evaluation: <paramref name="Evaluated"/> is the time its
/// lag state was known since this node got it, <paramref name="NotLagging"/> the part of it the partition was ok.
/// </summary>
public sealed record PartitionLag(
    string Topic, int Partition, long Committed, long EndOffset, long Lag, double CommittedPerSecond, LagState State, double NotLaggingRatio,
    TimeSpan Evaluated, TimeSpan NotLagging);

/// <summary>
/// The consumer lag of the partitions this node owns, fed by the Kafka source's <see cref="PartitionProgress"/> (one
/// sample per refresh, about every second, on the consumer's thread) and evaluated per partition by
/// <see cref="PartitionSlo"/>. Partitions the consumer no longer owns are dropped with their history. Readable from any thread.
/// </summary>
public sealed class LagMonitor(int windowSize = LagMonitor.DefaultWindow, TimeProvider? clock = null)
{
    /// <summary>Ten samples: ten seconds at the source's refresh of about one second.</summary>
    public const int DefaultWindow = 10;

    public const double SloTarget = 0.9995;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Topic, int Partition), PartitionSlo> _partitions = [];

    /// <summary>
    /// Records one sample per owned partition now; partitions absent from <paramref name="owned"/> are forgotten, and a
    /// partition whose committed offset or end is not known yet (no fetch answered) gives no sample.
    /// </summary>
    public void Record(IReadOnlyList<PartitionProgress> owned)
    {
        var at = _clock.GetUtcNow();
        lock (_lock)
        {
            var keys = owned.Select(p => (p.Topic, p.Partition)).ToHashSet();
            foreach (var gone in _partitions.Keys.Where(k => !keys.Contains(k)).ToList()) _partitions.Remove(gone);
            foreach (var progress in owned)
            {
                if (progress is not { Committed: { } committed, HighWatermark: { } end }) continue;
                if (!_partitions.TryGetValue((progress.Topic, progress.Partition), out var slo))
                    _partitions[(progress.Topic, progress.Partition)] = slo = new PartitionSlo(windowSize);
                slo.Add(new LagSample(at, committed, end));
            }
        }
    }

    public IReadOnlyList<PartitionLag> Snapshot()
    {
        lock (_lock)
        {
            return _partitions
                .Where(kv => kv.Value.Last is not null)
                .Select(kv => new PartitionLag(kv.Key.Topic, kv.Key.Partition, kv.Value.Last!.Committed, kv.Value.Last.EndOffset,
                    kv.Value.Last.Lag, kv.Value.CommittedPerSecond, kv.Value.State, kv.Value.NotLaggingRatio, kv.Value.Evaluated, kv.Value.NotLagging))
                .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)
                .ToList();
        }
    }
}
