using Crm.Actors.Pipeline;

namespace Crm.Actors.UnitTests.Pipeline;

public class CustomerLanesTests
{
    [Fact]
    public void An_idle_customer_goes_out_at_once_and_a_busy_one_waits_for_its_batch()
    {
        var lanes = new CustomerLanes<int>(maxBatch: 10);

        var first = lanes.Enqueue("alice", 1, now: 0);
        Assert.NotNull(first);
        Assert.Equal([1], first.Items);
        Assert.Null(lanes.Enqueue("alice", 2, now: 1));
        Assert.Null(lanes.Enqueue("alice", 3, now: 2));
        Assert.Equal([7], lanes.Enqueue("bob", 7, now: 2)!.Items); // other customers do not wait

        var (done, next) = lanes.Complete("alice", first.Id, now: 3)!.Value;
        Assert.Equal([1], done);
        Assert.Equal([2, 3], next!.Items); // everything that waited, in order, as one batch
        Assert.Equal(3, next.SentAt);
    }

    [Fact]
    public void Batches_are_capped_and_the_rest_follows_in_order()
    {
        var lanes = new CustomerLanes<int>(maxBatch: 2);
        var batch = lanes.Enqueue("alice", 0, 0)!;
        for (var i = 1; i <= 5; i++) lanes.Enqueue("alice", i, 0);

        var seen = new List<int>();
        while (batch is not null)
        {
            Assert.InRange(batch.Items.Count, 1, 2);
            var (done, next) = lanes.Complete("alice", batch.Id, 0)!.Value;
            seen.AddRange(done);
            batch = next!;
        }
        Assert.Equal([0, 1, 2, 3, 4, 5], seen);
        Assert.Equal(0, lanes.InFlight);
    }

    [Fact]
    public void A_late_answer_to_an_earlier_batch_is_ignored()
    {
        var lanes = new CustomerLanes<int>(maxBatch: 10);
        var first = lanes.Enqueue("alice", 1, 0)!;
        lanes.Enqueue("alice", 2, 0);
        var second = lanes.Complete("alice", first.Id, 0)!.Value.Next!;

        Assert.Null(lanes.Complete("alice", first.Id, 0)); // answered twice (it was asked twice)
        Assert.Null(lanes.Complete("bob", second.Id, 0));
        Assert.Equal([2], lanes.Complete("alice", second.Id, 0)!.Value.Done);
    }

    [Fact]
    public void Overdue_batches_are_given_out_again_unchanged_and_restamped()
    {
        var lanes = new CustomerLanes<int>(maxBatch: 10);
        var old = lanes.Enqueue("alice", 1, now: 100)!;
        lanes.Enqueue("bob", 2, now: 500);

        var overdue = Assert.Single(lanes.Overdue(sentBefore: 400, now: 1000));
        Assert.Equal((old.Id, old.Items), (overdue.Id, overdue.Items));
        Assert.Equal(1000, overdue.SentAt);
        Assert.Empty(lanes.Overdue(sentBefore: 400, now: 1001)); // restamped: not overdue again at once
    }
}
