using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;

namespace Crm.Actors.Domain;

/// <summary>
/// The event ids whose Braze objects one customer's entity saw accepted (or dead-lettered), the most recent
/// <c>capacity</c> of them, oldest first. A record read again (a restart after a crash, a partition moving to another
/// node, a producer retry) whose event id is here is not sent again: Braze does not deduplicate
/// (<c>braze-mapping.md</c>: "An event Braze accepted is not sent again for the same event_id").
/// Ids are kept as 64-bit XxHash3 keys: 8 bytes each instead of a string, and nothing readable about the customer.
/// Immutable and clock-free.
/// </summary>
public sealed record DeliveryLedger(ImmutableArray<ulong> Keys)
{
    public static readonly DeliveryLedger Empty = new(ImmutableArray<ulong>.Empty);

    /// <summary>The key an event id is remembered by (XxHash3 of its UTF-8 bytes).</summary>
    public static ulong KeyOf(string eventId) => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(eventId));

    public bool Contains(string eventId) => Contains(KeyOf(eventId));

    public bool Contains(ulong key) => Keys.Contains(key);

    /// <summary>Remembers <paramref name="keys"/>, forgetting the oldest beyond <paramref name="capacity"/> (0: remember none).</summary>
    public DeliveryLedger Record(IReadOnlyCollection<ulong> keys, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        var fresh = keys.Where(k => !Keys.Contains(k)).Distinct().ToList();
        if (fresh.Count == 0 && Keys.Length <= capacity) return this;
        var all = Keys.AddRange(fresh);
        return new DeliveryLedger(all.Length <= capacity ? all : all.RemoveRange(0, all.Length - capacity));
    }
}

/// <summary>
/// Journal fact: Braze accepted (or dead-lettered) the objects of these events (keys of <see cref="DeliveryLedger.KeyOf"/>),
/// and with them the attribute values in <paramref name="Attributes"/> (name → <see cref="AttributeMemory.KeyOf"/>, in the
/// order they were sent; null in facts written before attributes were remembered).
/// </summary>
public sealed record DeliveriesRecorded(IReadOnlyList<ulong> EventKeys, IReadOnlyDictionary<string, ulong>? Attributes = null);
