using Akka;
using Akka.Streams.Dsl;

namespace Crm.Actors.Kafka;

/// <summary>
/// Commits offsets in batches: a batch closes at <c>CommitBatchSize</c> offsets or after <c>CommitInterval</c>,
/// whichever comes first. Offsets must arrive in record order per partition (the pipeline keeps order), so the
/// highest offset of a partition in a batch is one whose record and all earlier ones are done.
/// </summary>
public static class KafkaCommitter
{
    public static Sink<CommittableOffset, Task<Done>> Sink(CommittableKafkaSource source, int batchSize, TimeSpan interval) =>
        Flow.Create<CommittableOffset>()
            .GroupedWithin(batchSize, interval)
            .SelectAsync(1, async batch =>
            {
                await source.CommitAsync(HighestPerPartition(batch)).ConfigureAwait(false);
                return batch.Count();
            })
            .ToMaterialized(Akka.Streams.Dsl.Sink.Ignore<int>(), Keep.Right);

    public static IReadOnlyCollection<CommittableOffset> HighestPerPartition(IEnumerable<CommittableOffset> offsets)
    {
        var highest = new Dictionary<(string, int, long), CommittableOffset>();
        foreach (var offset in offsets)
        {
            var key = (offset.Topic, offset.Partition, offset.Generation);
            if (!highest.TryGetValue(key, out var known) || offset.Offset > known.Offset)
                highest[key] = offset;
        }
        return highest.Values;
    }
}
