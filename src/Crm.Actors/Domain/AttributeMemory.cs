using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.IO.Hashing;
using System.Text;
using System.Text.Json.Nodes;
using Crm.Actors.Braze;

namespace Crm.Actors.Domain;

/// <summary>
/// The value of each custom or standard attribute one customer's entity last sent to Braze, by attribute name, as a
/// 64-bit XxHash3 key of the value's JSON text (8 bytes whatever the value, and nothing readable about the customer).
/// An attribute whose value equals the remembered one is left out of the next attributes object: Braze already has it,
/// and on many Braze contracts every data point is billed and every one uses rate-limit headroom (issue 12, item 8).
/// The profile Braze ends with is the same: per customer, objects reach Braze in order, so "last sent" is what Braze
/// holds once they are answered. Immutable and clock-free.
/// </summary>
public sealed record AttributeMemory(ImmutableDictionary<string, ulong> Values)
{
    public static readonly AttributeMemory Empty = new(ImmutableDictionary.Create<string, ulong>(StringComparer.Ordinal));

    /// <summary>The key a value is remembered by: XxHash3 of its JSON text (<c>null</c> for a JSON null).</summary>
    public static ulong KeyOf(JsonNode? value) => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(value?.ToJsonString() ?? "null"));

    /// <summary>
    /// Leaves out of each attributes object the attributes whose value is the remembered one (<c>external_id</c> stays),
    /// and drops an object left with nothing else; other objects pass unchanged, in order.
    /// </summary>
    /// <returns>The objects to send, and the attributes they set (name → key) for <see cref="Remember"/>.</returns>
    public (IReadOnlyList<MarketingObject> Objects, IReadOnlyDictionary<string, ulong> Set) Filter(IReadOnlyList<MarketingObject> objects)
    {
        if (!objects.Any(o => o.Kind == MarketingObjectKind.Attributes)) return (objects, ImmutableDictionary<string, ulong>.Empty);
        var kept = new List<MarketingObject>(objects.Count);
        var set = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var o in objects)
        {
            if (o.Kind != MarketingObjectKind.Attributes)
            {
                kept.Add(o);
                continue;
            }
            var attributes = JsonNode.Parse(o.Json)!.AsObject();
            var unchanged = new List<string>();
            foreach (var (name, value) in attributes)
            {
                if (name == "external_id") continue;
                var key = KeyOf(value);
                // Within one event's objects, the latest value of a name counts (set.TryGetValue before the memory).
                var known = set.TryGetValue(name, out var earlier) ? earlier : Values.TryGetValue(name, out var remembered) ? remembered : (ulong?)null;
                if (known == key) unchanged.Add(name);
                else set[name] = key;
            }
            if (unchanged.Count == 0)
            {
                kept.Add(o);
                continue;
            }
            foreach (var name in unchanged) attributes.Remove(name);
            if (attributes.Count > 1) kept.Add(o with { Json = attributes.ToJsonString() });
        }
        return (kept, set);
    }

    /// <summary>The memory after <paramref name="set"/> (name → key, from <see cref="Filter"/>) was sent.</summary>
    public AttributeMemory Remember(IReadOnlyDictionary<string, ulong> set) =>
        set.Count == 0 ? this : new AttributeMemory(Values.SetItems(set.Select(kv => KeyValuePair.Create(SharedName(kv.Key), kv.Value))));

    // Attribute names come from the event types' mappings, a small set, but each object is parsed anew (and each journal
    // row read anew), so every live entity held its own copies of the same names. One copy of each, up to a bound that
    // names from data could not push memory past. Counted apart: ConcurrentDictionary.Count takes every lock, and this
    // runs for each attribute of each event.
    private const int MaxSharedNames = 4096;
    private static readonly ConcurrentDictionary<string, string> SharedNames = new(StringComparer.Ordinal);
    private static int _sharedNameCount;

    private static string SharedName(string name)
    {
        if (SharedNames.TryGetValue(name, out var shared)) return shared;
        if (Volatile.Read(ref _sharedNameCount) >= MaxSharedNames) return name;
        if (!SharedNames.TryAdd(name, name)) return SharedNames[name]; // another entity added it meanwhile
        Interlocked.Increment(ref _sharedNameCount);
        return name;
    }

    /// <summary>
    /// The memory without <paramref name="names"/>: their next value is sent whatever it is (Braze rejected an object
    /// that set them, so what it holds is not known).
    /// </summary>
    public AttributeMemory Forget(IEnumerable<string> names) => new(Values.RemoveRange(names));
}
