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

    /// <summary>A track object of about <paramref name="kilobytes"/> KB of JSON.</summary>
    private static PendingObject Large(string customer, int kilobytes) =>
        new(Interlocked.Increment(ref _deliveries), new MarketingObject(MarketingObjectKind.Event, customer,
            $"{{\"external_id\":\"{customer}\",\"pad\":\"{new string('x', kilobytes * 1000)}\"}}"), null);

    private static int BodyBytes(IReadOnlyList<PendingObject> batch) =>
        System.Text.Encoding.UTF8.GetByteCount(BrazeRequestBody.Track(batch, out _));

    [Fact]
    public void A_request_body_never_exceeds_braze_s_4_MB_however_large_the_objects()
    {
        // 75 objects of 99 KB (the most a bounded object nears) would be 7.4 MB in one request.
        IReadOnlyList<PendingObject> queue = Enumerable.Range(0, 75).Select(i => Large($"cus_{i}", 99)).ToList();
        var batches = new List<IReadOnlyList<PendingObject>>();

        while (queue.Count > 0)
        {
            var (batch, _, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75);
            Assert.NotEmpty(batch);
            AssertPartition(queue, batch, remaining);
            batches.Add(batch);
            queue = remaining;
        }

        Assert.All(batches, b => Assert.True(BodyBytes(b) <= BrazeLimits.MaxRequestBytes, $"a body of {BodyBytes(b)} bytes"));
        Assert.Equal([40, 35], batches.Select(b => b.Count)); // as full as the bytes allow, nothing dropped
    }

    [Fact]
    public void Whatever_the_byte_budget_the_body_built_stays_within_it()
    {
        var queue = Enumerable.Range(0, 60).Select(i => i % 7 == 0 ? Large($"cus_{i}", 1) : Track($"cus_{i}", new string('t', i))).ToList();

        for (var budget = 1_100; budget < 20_000; budget += 137)
        {
            var (batch, _, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75, maxBodyBytes: budget);

            AssertPartition(queue, batch, remaining);
            Assert.True(BodyBytes(batch) <= budget, $"budget {budget}: a body of {BodyBytes(batch)} bytes");
            // Full: the next object would not have fitted (the frame counted generously).
            Assert.True(remaining.Count == 0 || BodyBytes([.. batch, remaining[0]]) > budget - BatchPlanner.BodyFrameBytes,
                $"budget {budget}: stopped at {batch.Count} objects with room left");
        }
    }

    [Fact]
    public void One_object_larger_than_the_byte_budget_still_goes_alone()
    {
        PendingObject[] queue = [Large("a", 5), Track("b")];

        var (batch, _, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75, maxBodyBytes: 1000);

        Assert.Equal([queue[0]], batch);
        Assert.Equal([queue[1]], remaining);
    }

    [Fact]
    public void An_endpoint_whose_throttle_is_full_is_skipped_and_its_customers_wait()
    {
        PendingObject[] queue = [Track("a", "1"), Delete("b"), Track("c"), Delete("a"), Delete("d")];

        var (batch, isDelete, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75, canSend: delete => delete);

        Assert.True(isDelete);
        // a's delete waits behind a's track object, which waits for /users/track's throttle.
        Assert.Equal([queue[1], queue[4]], batch);
        Assert.Equal([queue[0], queue[2], queue[3]], remaining);
    }

    [Fact]
    public void No_endpoint_with_room_gives_an_empty_batch()
    {
        PendingObject[] queue = [Track("a"), Delete("b")];

        var (batch, _, remaining) = BatchPlanner.Take(queue, NoneInFlight, 75, canSend: _ => false);

        Assert.Empty(batch);
        Assert.Equal(queue, remaining);
    }
}
