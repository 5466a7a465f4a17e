using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;

namespace Crm.Actors.UnitTests.Pipeline;

public class PartitionOffsetsTests
{
    private static CommittableOffset At(long offset, int partition = 0, string topic = "bookings", long generation = 1) =>
        new(topic, partition, offset, generation);

    private static PartitionOffsets With(params CommittableOffset[] offsets)
    {
        var tracker = new PartitionOffsets();
        foreach (var offset in offsets) tracker.Add(offset);
        return tracker;
    }

    [Fact]
    public void A_record_done_out_of_order_waits_for_the_earlier_ones_of_its_partition()
    {
        var tracker = With(At(10), At(11), At(12));
        tracker.Done(At(12));
        tracker.Done(At(11));
        Assert.Empty(tracker.TakeCommittable()); // 10 is still out

        tracker.Done(At(10));
        Assert.Equal([At(12)], tracker.TakeCommittable());
        Assert.Equal(0, tracker.Pending);
    }

    [Fact]
    public void Each_record_an_offset_taken_covers_hands_back_when_it_was_done_once()
    {
        var tracker = With(At(10), At(11), At(12), At(0, partition: 1));
        tracker.Done(At(11), doneAt: 111);
        tracker.Done(At(0, partition: 1), doneAt: 200);
        tracker.Done(At(0, partition: 1), doneAt: 999); // done already: ignored
        var doneAt = new List<long>();
        Assert.Equal([At(0, partition: 1)], tracker.TakeCommittable(doneAt));
        Assert.Equal([200L], doneAt);

        // 11 waited for 10: both go with the commit of 11, each with its own time; 12 is not covered yet.
        tracker.Done(At(10), doneAt: 150);
        doneAt.Clear();
        Assert.Equal([At(11)], tracker.TakeCommittable(doneAt));
        Assert.Equal([111L, 150L], doneAt.Order());
        doneAt.Clear();
        Assert.Empty(tracker.TakeCommittable(doneAt));
        Assert.Empty(doneAt);
    }

    [Fact]
    public void A_held_record_holds_back_only_its_own_partition()
    {
        var tracker = With(At(0, partition: 0), At(0, partition: 1), At(1, partition: 1), At(0, topic: "accounts"));
        tracker.Done(At(1, partition: 1));
        tracker.Done(At(0, partition: 1));
        tracker.Done(At(0, topic: "accounts"));

        Assert.Equal([At(1, partition: 1), At(0, topic: "accounts")], tracker.TakeCommittable().OrderBy(o => o.Topic == "accounts"));
        Assert.Equal(1, tracker.Pending);
    }

    [Fact]
    public void Offsets_need_not_be_contiguous()
    {
        // Compacted topics and transaction markers leave gaps between the offsets a consumer reads.
        var tracker = With(At(3), At(7), At(20));
        tracker.Done(At(3));
        tracker.Done(At(7));
        Assert.Equal([At(7)], tracker.TakeCommittable());
        Assert.Empty(tracker.TakeCommittable()); // nothing moved since
        tracker.Done(At(20));
        Assert.Equal([At(20)], tracker.TakeCommittable());
    }

    [Fact]
    public void Generations_of_one_partition_are_kept_apart()
    {
        // Given back after a revocation, the partition is read again from the committed offset under a new generation.
        var tracker = With(At(5, generation: 1), At(6, generation: 1), At(5, generation: 2));
        tracker.Done(At(5, generation: 2));
        tracker.Done(At(6, generation: 1));

        Assert.Equal([At(5, generation: 2)], tracker.TakeCommittable()); // generation 1 still waits for its offset 5
        Assert.Equal(1, tracker.Pending);
    }

    [Fact]
    public void Unknown_and_repeated_completions_are_ignored()
    {
        var tracker = With(At(1), At(2));
        tracker.Done(At(9));
        tracker.Done(At(1, partition: 3));
        tracker.Done(At(2));
        tracker.Done(At(2));

        Assert.Equal(1, tracker.Pending);
        Assert.Empty(tracker.TakeCommittable());
    }

    [Fact]
    public void Offsets_of_a_partition_must_be_added_in_order() =>
        Assert.Throws<ArgumentException>(() => With(At(4), At(4)));
}
