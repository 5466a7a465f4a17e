namespace Crm.Actors.Customers;

/// <summary>
/// This node's live customer entities in least-recently-used order, held under <c>Customers:MaxLiveEntities</c>. Akka.NET
/// 1.5's sharding passivates only idle entities (after <c>Customers:PassivateAfter</c>), so a burst of distinct customers
/// kept every one of them in memory until then (100,000 records over 50,000 customers: 43,000 live entities, 745 MiB).
/// An entity reports each batch it takes (<see cref="Used"/>); once the node holds more than the limit, the least recently
/// used one is asked to passivate, as the shard passivates an idle one: it finishes what it handed to the gateway first,
/// and a record for it meanwhile brings it back after its recovery. Thread-safe: every entity of the node calls it.
/// <typeparamref name="TEntity"/> is the entity's reference (<c>IActorRef</c> on a node).
/// </summary>
public sealed class LiveEntities<TEntity>(int limit) where TEntity : notnull
{
    private readonly object _gate = new();
    // Least recently used first.
    private readonly LinkedList<TEntity> _order = new();
    private readonly Dictionary<TEntity, LinkedListNode<TEntity>> _nodes = new();

    /// <summary>Most entities kept live on this node (≥ 1).</summary>
    public int Limit { get; } = limit >= 1 ? limit : throw new ArgumentOutOfRangeException(nameof(limit), limit, "at least one live entity");

    /// <summary>Entities live and not asked to passivate.</summary>
    public int Count
    {
        get { lock (_gate) return _nodes.Count; }
    }

    /// <summary>
    /// <paramref name="entity"/> took a batch: it becomes the most recently used. Returns the least recently used entity
    /// when the node is over its limit, taken off the list (the caller asks it to passivate), else default (null).
    /// </summary>
    public TEntity? Used(TEntity entity)
    {
        lock (_gate)
        {
            if (_nodes.TryGetValue(entity, out var node)) _order.Remove(node);
            else _nodes[entity] = node = new LinkedListNode<TEntity>(entity);
            _order.AddLast(node);
            if (_nodes.Count <= Limit) return default;
            var oldest = _order.First!;
            _order.RemoveFirst();
            _nodes.Remove(oldest.Value);
            return oldest.Value;
        }
    }

    /// <summary><paramref name="entity"/> stopped (passivated, handed off, or failed).</summary>
    public void Stopped(TEntity entity)
    {
        lock (_gate)
        {
            if (!_nodes.Remove(entity, out var node)) return;
            _order.Remove(node);
        }
    }
}
