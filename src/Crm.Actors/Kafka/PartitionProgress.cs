namespace Crm.Actors.Kafka;

/// <summary>Where the consumer stands on one partition it owns (before the first commit, its read position).</summary>
public sealed record PartitionProgress(string Topic, int Partition, long? Committed, long? HighWatermark)
{
    /// <summary>Records not yet committed: the consumer-group lag.</summary>
    public long? Lag => HighWatermark is { } high && Committed is { } committed ? Math.Max(0, high - committed) : null;
}
