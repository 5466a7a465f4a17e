using Akka;
using Akka.Streams.Dsl;
using Crm.Actors.Kafka;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// The simplest committer, for tests of <see cref="CommittableKafkaSource"/> alone: offsets must arrive done and in
/// record order per partition (an ordered stream), so the highest of each partition in a group is committable. The
/// service itself commits through <c>PartitionOffsets</c>, which lets records finish in any order.
/// </summary>
public static class OrderedCommitSink
{
    public static Sink<CommittableOffset, Task<Done>> For(CommittableKafkaSource source, int batchSize, TimeSpan interval) =>
        Flow.Create<CommittableOffset>()
            .GroupedWithin(batchSize, interval)
            .SelectAsync(1, async group =>
            {
                var highest = group
                    .GroupBy(o => (o.Topic, o.Partition, o.Generation))
                    .Select(partition => partition.MaxBy(o => o.Offset))
                    .ToList();
                await source.CommitAsync(highest).ConfigureAwait(false);
                return highest.Count;
            })
            .ToMaterialized(Sink.Ignore<int>(), Keep.Right);
}
