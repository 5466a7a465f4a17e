namespace Crm.Actors.Braze;

/// <summary>The last <c>capacity</c> distinct 64-bit keys added, oldest forgotten first; O(1) per call. Not thread-safe.</summary>
public sealed class RecentKeys(int capacity)
{
    private readonly HashSet<ulong> _keys = new(Math.Max(0, capacity));
    private readonly Queue<ulong> _order = new(Math.Max(0, capacity));

    public int Count => _keys.Count;

    public bool Contains(ulong key) => _keys.Contains(key);

    public void Add(ulong key)
    {
        if (capacity <= 0 || !_keys.Add(key)) return;
        _order.Enqueue(key);
        if (_order.Count > capacity) _keys.Remove(_order.Dequeue());
    }
}
