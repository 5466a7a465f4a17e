namespace Crm.Actors.Pipeline;

/// <summary>
/// Key-aware concurrency: one lane per customer, at most one batch of a customer in flight at a time, different
/// customers in parallel. A customer's items wait in its lane, in arrival (partition) order, while its batch is out;
/// when that batch completes, everything waiting (up to <c>maxBatch</c>) goes out as the next one. So a customer's
/// records reach its entity in order whatever happens to a batch (asked again, handed off, restarted), and a busy
/// customer's records travel in few messages. Pure bookkeeping, clock-free: times are the caller's. Not thread-safe.
/// </summary>
public sealed class CustomerLanes<T>(int maxBatch)
{
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private long _nextBatchId;

    /// <summary>A batch of one customer's items, out since <see cref="SentAt"/> (the caller's clock).</summary>
    public sealed record Batch(string Customer, long Id, IReadOnlyList<T> Items, long SentAt);

    /// <summary>Customers with a batch out.</summary>
    public int InFlight => _lanes.Count;

    /// <summary>Adds <paramref name="item"/> to its customer's lane; returns the batch to send when the lane was idle.</summary>
    public Batch? Enqueue(string customer, T item, long now)
    {
        if (_lanes.TryGetValue(customer, out var lane))
        {
            lane.Waiting.Enqueue(item);
            return null;
        }
        _lanes[customer] = lane = new Lane();
        lane.Waiting.Enqueue(item);
        return lane.Out = Next(customer, lane, now);
    }

    /// <summary>
    /// Batch <paramref name="batchId"/> of <paramref name="customer"/> is done: returns its items and the customer's next
    /// batch (null when nothing waits). An answer to a batch that is not out (a late answer to a repeat) returns null.
    /// </summary>
    public (IReadOnlyList<T> Done, Batch? Next)? Complete(string customer, long batchId, long now)
    {
        if (!_lanes.TryGetValue(customer, out var lane) || lane.Out?.Id != batchId) return null;
        var done = lane.Out.Items;
        lane.Out = lane.Waiting.Count > 0 ? Next(customer, lane, now) : null;
        if (lane.Out is null) _lanes.Remove(customer);
        return (done, lane.Out);
    }

    /// <summary>Batches out since before <paramref name="sentBefore"/>, marked as sent again at <paramref name="now"/>.</summary>
    public IReadOnlyList<Batch> Overdue(long sentBefore, long now)
    {
        var overdue = new List<Batch>();
        foreach (var lane in _lanes.Values)
        {
            if (lane.Out is not { } batch || batch.SentAt >= sentBefore) continue;
            lane.Out = batch with { SentAt = now };
            overdue.Add(lane.Out);
        }
        return overdue;
    }

    private Batch Next(string customer, Lane lane, long now)
    {
        var items = new List<T>(Math.Min(lane.Waiting.Count, maxBatch));
        while (items.Count < maxBatch && lane.Waiting.TryDequeue(out var item)) items.Add(item);
        return new Batch(customer, _nextBatchId++, items, now);
    }

    private sealed class Lane
    {
        public Queue<T> Waiting { get; } = new();
        public Batch? Out { get; set; }
    }
}
