namespace Crm.Actors.Customers;

/// <summary>
/// Counts the customer events this node's entities receive by where their record was read: on this node (local),
/// or on another node and sent over the network (remote). With shards aligned to partitions, nearly all are local.
/// </summary>
public sealed class EntityLocality
{
    private long _local;
    private long _remote;

    public long Local => Interlocked.Read(ref _local);

    public long Remote => Interlocked.Read(ref _remote);

    /// <summary>Local share of all events received so far; 1 before the first.</summary>
    public double LocalFraction => Local + Remote is var total and > 0 ? (double)Local / total : 1.0;

    /// <param name="events">How many events arrived (a batch of one customer's records counts each).</param>
    public void Received(bool fromThisNode, int events = 1)
    {
        if (fromThisNode) Interlocked.Add(ref _local, events);
        else Interlocked.Add(ref _remote, events);
    }
}
