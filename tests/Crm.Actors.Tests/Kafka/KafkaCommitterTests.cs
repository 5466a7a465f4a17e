using Crm.Actors.Kafka;

namespace Crm.Actors.Tests.Kafka;

public class KafkaCommitterTests
{
    private static CommittableOffset Offset(string topic, int partition, long offset, long generation = 1) =>
        new(topic, partition, offset, generation);

    private static List<CommittableOffset> Sorted(IEnumerable<CommittableOffset> offsets) => offsets
        .OrderBy(o => o.Topic, StringComparer.Ordinal).ThenBy(o => o.Partition).ThenBy(o => o.Generation).ToList();

    [Fact]
    public void Keeps_the_highest_offset_of_a_partition()
    {
        var highest = KafkaCommitter.HighestPerPartition([Offset("bookings", 0, 10), Offset("bookings", 0, 12), Offset("bookings", 0, 11)]);

        Assert.Equal([Offset("bookings", 0, 12)], highest);
    }

    [Fact]
    public void Keeps_one_offset_per_topic_and_partition()
    {
        CommittableOffset[] offsets =
        [
            Offset("bookings", 0, 5), Offset("bookings", 1, 7), Offset("carts", 0, 3),
            Offset("bookings", 0, 6), Offset("carts", 0, 9), Offset("bookings", 1, 2), Offset("carts", 1, 1),
        ];

        var highest = KafkaCommitter.HighestPerPartition(offsets);

        Assert.Equal(
            [Offset("bookings", 0, 6), Offset("bookings", 1, 7), Offset("carts", 0, 9), Offset("carts", 1, 1)],
            Sorted(highest));
    }

    [Fact]
    public void Same_partition_number_on_different_topics_is_kept_apart()
    {
        var highest = KafkaCommitter.HighestPerPartition([Offset("accounts", 2, 100), Offset("wishlists", 2, 1)]);

        Assert.Equal([Offset("accounts", 2, 100), Offset("wishlists", 2, 1)], Sorted(highest));
    }

    [Fact]
    public void Generations_of_one_partition_are_kept_apart()
    {
        // After a rebalance the partition is read under a new generation: the older one's offsets must not
        // stand in for (or hide) the newer one's.
        var highest = KafkaCommitter.HighestPerPartition(
            [Offset("bookings", 0, 50, generation: 1), Offset("bookings", 0, 40, generation: 2), Offset("bookings", 0, 45, generation: 2)]);

        Assert.Equal([Offset("bookings", 0, 50, generation: 1), Offset("bookings", 0, 45, generation: 2)], Sorted(highest));
    }

    [Fact]
    public void Duplicate_offsets_give_one_entry()
    {
        var highest = KafkaCommitter.HighestPerPartition([Offset("bookings", 0, 3), Offset("bookings", 0, 3)]);

        Assert.Equal([Offset("bookings", 0, 3)], highest);
    }

    [Fact]
    public void Offset_zero_is_kept()
    {
        Assert.Equal([Offset("bookings", 0, 0)], KafkaCommitter.HighestPerPartition([Offset("bookings", 0, 0)]));
    }

    [Fact]
    public void No_offsets_give_nothing()
    {
        Assert.Empty(KafkaCommitter.HighestPerPartition([]));
    }
}
