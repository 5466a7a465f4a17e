using System.Text.Json;

namespace Crm.Actors.Operating;

/// <summary>
/// Where one partition the node consumes stands, with its SLO evaluation: <paramref name="Evaluated"/> is the time its
/// lag state was known since this node got it, <paramref name="NotLagging"/> the part of it the partition was ok.
/// </summary>
public sealed record PartitionLag(
    string Topic, int Partition, long Committed, long EndOffset, long Lag, double CommittedPerSecond, LagState State, double NotLaggingRatio,
    TimeSpan Evaluated, TimeSpan NotLagging);

/// <summary>
/// The consumer lag of the partitions this node owns, fed by librdkafka's statistics (one JSON document every
/// <c>statistics.interval.ms</c>, on the consumer's thread) and evaluated per partition by <see cref="PartitionSlo"/>.
/// Partitions the consumer no longer owns are dropped with their history. Readable from any thread.
/// </summary>
public sealed class LagMonitor(int windowSize = LagMonitor.DefaultWindow, TimeProvider? clock = null)
{
    /// <summary>Ten samples: ten seconds at the default statistics interval of one second.</summary>
    public const int DefaultWindow = 10;

    public const double SloTarget = 0.9995;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Topic, int Partition), PartitionSlo> _partitions = [];

    /// <summary>Takes one librdkafka statistics document; malformed documents are ignored (they carry no decision).</summary>
    public void OnStatistics(string json)
    {
        IReadOnlyList<(string Topic, int Partition, long Committed, long End)> owned;
        try
        {
            owned = OwnedPartitions(json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            return;
        }
        Record(owned, _clock.GetUtcNow());
    }

    /// <summary>Records one sample per owned partition at <paramref name="at"/>; partitions absent here are forgotten.</summary>
    public void Record(IReadOnlyList<(string Topic, int Partition, long Committed, long End)> owned, DateTimeOffset at)
    {
        lock (_lock)
        {
            var keys = owned.Select(p => (p.Topic, p.Partition)).ToHashSet();
            foreach (var gone in _partitions.Keys.Where(k => !keys.Contains(k)).ToList()) _partitions.Remove(gone);
            foreach (var (topic, partition, committed, end) in owned)
            {
                if (!_partitions.TryGetValue((topic, partition), out var slo))
                    _partitions[(topic, partition)] = slo = new PartitionSlo(windowSize);
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

    /// <summary>
    /// The partitions of a statistics document the consumer is assigned (librdkafka marks them <c>desired</c>), with
    /// their committed offset and high watermark. Before the group's first commit the committed offset is the low
    /// watermark: with <c>auto.offset.reset=earliest</c> that is where consumption starts.
    /// </summary>
    public static IReadOnlyList<(string Topic, int Partition, long Committed, long End)> OwnedPartitions(string json)
    {
        using var document = JsonDocument.Parse(json);
        var result = new List<(string, int, long, long)>();
        if (!document.RootElement.TryGetProperty("topics", out var topics)) return result;
        foreach (var topic in topics.EnumerateObject())
        {
            if (!topic.Value.TryGetProperty("partitions", out var partitions)) continue;
            foreach (var entry in partitions.EnumerateObject())
            {
                var p = entry.Value;
                var partition = p.GetProperty("partition").GetInt32();
                if (partition < 0 || !p.TryGetProperty("desired", out var desired) || !desired.GetBoolean()) continue;
                var end = p.GetProperty("hi_offset").GetInt64();
                if (end < 0) continue; // no fetch answered yet: nothing known about this partition
                var committed = p.GetProperty("committed_offset").GetInt64();
                if (committed < 0) committed = Math.Max(0, p.GetProperty("lo_offset").GetInt64());
                result.Add((topic.Name, partition, committed, end));
            }
        }
        return result;
    }
}
