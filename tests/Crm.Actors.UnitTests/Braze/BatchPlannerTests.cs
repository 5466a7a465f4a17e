using Crm.Actors.Braze;

namespace Crm.Actors.UnitTests.Braze;

public class BatchPlannerTests
{
    private static readonly IReadOnlySet<string> NoneInFlight = new HashSet<string>();
    private static long _deliveries;

    private static PendingObject Track(string customer, string tag = "", MarketingObjectKind kind = MarketingObjectKind.Event) =>
        new(Interlocked.Increment(ref _deliveries), new MarketingObject(kind, customer, $"{{\"external_id\":\"{customer}\",\"tag\":\"{tag}\"}}"), null);

    private static PendingObject Delete(string customer) =>
        new(Interlocked.Increment(ref _deliveries), new MarketingObject(MarketingObjectKind.UserDelete, customer, $"\"{customer}\""), null);

    private static IReadOnlySet<string> InFlight(params string[] customers) => new HashSet<string>(customers);

    /// <summary>Every object planned is either in the batch or still queued, none twice, and the queue keeps its order.</summary>
    private static void AssertPartition(IReadOnlyList<PendingObject> queue, IReadOnlyList<PendingObject> batch, IReadOnlyList<PendingObject> remaining)
    {
        Assert.Equal(queue.Count, batch.Count + remaining.Count);
        Assert.Equal(queue.Where(o => !batch.Contains(o)), remaining);
        Assert.Equal(queue.Where(batch.Contains), batch);
    }

    [Fact]
    public void Takes_everything_when_the_queue_fits()
    {
        PendingObject[] queue = [Track("a"), Track("b", kind: MarketingObjectKind.Attributes), Track("a", kind: MarketingObjectKind.Purchase)];

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.False(isDelete);
        Assert.Equal(queue, batch);
        Assert.Empty(remaining);
    }

    [Fact]
    public void Empty_queue_gives_an_empty_batch()
    {
        var (batch, _, remaining) = BatchPlanner.Take([], NoneInFlight, 75);

        Assert.Empty(batch);
        Assert.Empty(remaining);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(75)]
    public void Batch_holds_at_most_max_objects(int maxObjects)
    {
        var queue = Enumerable.Range(0, 100).Select(i => Track($"cus_{i % 7}", i.ToString())).ToList();

        var (batch, _, remaining) = BatchPlanner.Take(queue, NoneInFlight, maxObjects);

        Assert.Equal(maxObjects, batch.Count);
        Assert.Equal(queue.Take(maxObjects), batch);
        Assert.Equal(queue.Skip(maxObjects), remaining);
    }

    [Fact]
    public void Customer_in_flight_keeps_all_its_objects_queued()
    {
        PendingObject[] queue = [Track("a", "1"), Track("b", "1"), Track("a", "2"), Track("c", "1"), Track("a", "3")];

        var (batch, _, remaining) = BatchPlanner.Take(queue, InFlight("a"), 75);

        Assert.Equal([queue[1], queue[3]], batch);
        Assert.Equal([queue[0], queue[2], queue[4]], remaining);
        Assert.DoesNotContain(batch, o => o.Object.ExternalId == "a");
    }

    [Fact]
    public void Only_customers_in_flight_queued_gives_an_empty_batch()
    {
        PendingObject[] queue = [Track("a"), Track("b"), Track("a")];

        var (batch, _, remaining) = BatchPlanner.Take(queue, InFlight("a", "b"), 75);

        Assert.Empty(batch);
        Assert.Equal(queue, remaining);
    }

    [Fact]
    public void Later_track_object_never_overtakes_an_earlier_queued_delete_of_the_same_customer()
    {
        // The batch becomes a track batch (first object); a's delete cannot join, so a's later track must wait too.
        PendingObject[] queue = [Track("b", "1"), Delete("a"), Track("a", "after-delete"), Track("c", "1")];

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.False(isDelete);
        Assert.Equal([queue[0], queue[3]], batch);
        Assert.Equal([queue[1], queue[2]], remaining);
        AssertPartition(queue, batch, remaining);
    }

    [Fact]
    public void Later_delete_never_overtakes_an_earlier_queued_track_object_of_the_same_customer()
    {
        // The batch becomes a delete batch; a's track cannot join, so a's later delete must wait too.
        PendingObject[] queue = [Delete("b"), Track("a", "before-delete"), Delete("a"), Delete("c")];

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.True(isDelete);
        Assert.Equal([queue[0], queue[3]], batch);
        Assert.Equal([queue[1], queue[2]], remaining);
    }

    [Fact]
    public void Later_object_never_overtakes_an_earlier_one_left_behind_by_a_full_batch()
    {
        PendingObject[] queue = [Track("a", "1"), Track("b", "1"), Track("a", "2")];

        var (batch, _, remaining) = BatchPlanner.Take(queue, NoneInFlight, 1);

        Assert.Equal([queue[0]], batch);
        Assert.Equal([queue[1], queue[2]], remaining);
    }

    [Fact]
    public void Objects_of_one_customer_in_the_batch_keep_their_queue_order()
    {
        var queue = Enumerable.Range(0, 10).Select(i => Track(i % 2 == 0 ? "a" : "b", i.ToString())).ToList();

        var (batch, _, _) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.Equal(queue.Where(o => o.Object.ExternalId == "a"), batch.Where(o => o.Object.ExternalId == "a"));
        Assert.Equal(queue.Where(o => o.Object.ExternalId == "b"), batch.Where(o => o.Object.ExternalId == "b"));
    }

    [Fact]
    public void Track_batch_holds_no_deletes()
    {
        PendingObject[] queue = [Track("a"), Delete("b"), Track("c", kind: MarketingObjectKind.Attributes), Delete("d"), Track("e", kind: MarketingObjectKind.Purchase)];

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.False(isDelete);
        Assert.All(batch, o => Assert.NotEqual(MarketingObjectKind.UserDelete, o.Object.Kind));
        Assert.Equal([queue[0], queue[2], queue[4]], batch);
        Assert.Equal([queue[1], queue[3]], remaining);
    }

    [Fact]
    public void Delete_batch_holds_only_deletes()
    {
        PendingObject[] queue = [Delete("a"), Track("b"), Delete("c"), Track("d")];

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.True(isDelete);
        Assert.All(batch, o => Assert.Equal(MarketingObjectKind.UserDelete, o.Object.Kind));
        Assert.Equal([queue[0], queue[2]], batch);
        Assert.Equal([queue[1], queue[3]], remaining);
    }

    [Fact]
    public void Batch_type_is_set_by_the_first_object_that_may_go()
    {
        // a is in flight, so its track object does not decide; b's delete is the first that may go.
        PendingObject[] queue = [Track("a"), Delete("b"), Track("c"), Delete("d")];

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, InFlight("a"), 75);

        Assert.True(isDelete);
        Assert.Equal([queue[1], queue[3]], batch);
        Assert.Equal([queue[0], queue[2]], remaining);
    }

    [Fact]
    public void Delete_batch_holds_at_most_50_ids()
    {
        var queue = Enumerable.Range(0, 60).Select(i => Delete($"cus_{i}")).ToList();

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.True(isDelete);
        Assert.Equal(BatchPlanner.MaxDeletesPerRequest, batch.Count);
        Assert.Equal(50, batch.Count);
        Assert.Equal(queue.Take(50), batch);
        Assert.Equal(queue.Skip(50), remaining);
    }

    [Fact]
    public void Delete_batch_respects_a_max_objects_below_50()
    {
        var queue = Enumerable.Range(0, 60).Select(i => Delete($"cus_{i}")).ToList();

        var (batch, _, remaining) = BatchPlanner.Take(queue, NoneInFlight, 20);

        Assert.Equal(20, batch.Count);
        Assert.Equal(40, remaining.Count);
    }

    [Fact]
    public void Track_batch_after_deletes_in_the_queue_is_not_limited_to_50()
    {
        var queue = Enumerable.Range(0, 80).Select(i => Track($"cus_{i}")).Prepend(Delete("x")).Prepend(Track("first")).ToList();

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);

        Assert.False(isDelete);
        Assert.Equal(75, batch.Count);
        AssertPartition(queue, batch, remaining);
    }

    [Fact]
    public void Remaining_queue_keeps_its_order_in_a_mixed_queue()
    {
        var random = new Random(1234);
        var customers = new[] { "a", "b", "c", "d", "e" };
        var queue = Enumerable.Range(0, 200)
            .Select(i => random.Next(6) == 0 ? Delete(customers[random.Next(5)]) : Track(customers[random.Next(5)], i.ToString()))
            .ToList();

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, InFlight("c"), 40);

        AssertPartition(queue, batch, remaining);
        Assert.InRange(batch.Count, 1, 40);
        Assert.All(batch, o => Assert.Equal(isDelete, o.Object.Kind == MarketingObjectKind.UserDelete));
        Assert.DoesNotContain(batch, o => o.Object.ExternalId == "c");
        // Per-customer order: for each customer, the batch holds a prefix of its queued objects.
        foreach (var customer in customers)
        {
            var ofCustomer = queue.Where(o => o.Object.ExternalId == customer).ToList();
            var taken = batch.Where(o => o.Object.ExternalId == customer).ToList();
            Assert.Equal(ofCustomer.Take(taken.Count), taken);
        }
    }
}
