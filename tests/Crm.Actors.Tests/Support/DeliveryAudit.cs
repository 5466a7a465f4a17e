using System.Globalization;
using System.Text.Json;
using Crm.Actors.EventTypes;
using Crm.Host.Demo;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Support;

/// <summary>What a fault test found: every event sent, how many reached Braze, how many were lost or duplicated.</summary>
public sealed record DeliveryCount(int Sent, int Delivered, int Lost, int Duplicates);

/// <summary>
/// Accounts for delivery: each valid domain event yields exactly one Braze event object, identified by customer,
/// event name and time (unique per event in the sample traffic). Compares what was produced with what Braze accepted.
/// </summary>
public static class DeliveryAudit
{
    /// <summary>The Braze event each contract type becomes (none for CustomerDeleted), from the catalog.</summary>
    private static readonly Dictionary<string, string> BrazeEventName = EventCatalog.Default.Types
        .Where(t => t.BrazeEventName is not null).ToDictionary(t => t.Name, t => t.BrazeEventName!);

    public static DeliveryCount Count(IEnumerable<SampleRecord> produced, LocalBraze braze) =>
        Count(produced, braze.AcceptedObjects().Where(o => o.Array == "events").Select(o => o.Object));

    /// <summary>Like <see cref="Count(IEnumerable{SampleRecord}, LocalBraze)"/>, over the event objects Braze really accepted
    /// (e.g. without those a 201 listed under <c>errors</c>).</summary>
    public static DeliveryCount Count(IEnumerable<SampleRecord> produced, IEnumerable<JsonElement> acceptedEvents)
    {
        var expected = produced.Select(Expected).OfType<string>().ToHashSet();
        // Only the events of these records: a count over part of the traffic says nothing about the rest.
        var seen = acceptedEvents.Select(EventKey).Where(expected.Contains).ToList();
        var delivered = seen.ToHashSet();
        return new DeliveryCount(expected.Count, delivered.Count, expected.Count - delivered.Count, seen.Count - delivered.Count);
    }

    /// <summary>The key (customer, event name, time) of a Braze event object.</summary>
    public static string EventKey(JsonElement brazeEvent) =>
        Key(brazeEvent.GetProperty("external_id").GetString()!, brazeEvent.GetProperty("name").GetString()!, brazeEvent.GetProperty("time").GetString()!);

    /// <summary>The key of the Braze event a record should produce, or null for records that produce none.</summary>
    public static string? Expected(SampleRecord record)
    {
        try
        {
            using var document = JsonDocument.Parse(record.Value);
            var root = document.RootElement;
            var type = root.GetProperty("event_type").GetString()!;
            return BrazeEventName.TryGetValue(type, out var name)
                ? Key(root.GetProperty("customer_id").GetString()!, name, root.GetProperty("occurred_at").GetString()!)
                : null;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static string Key(string customer, string name, string time) =>
        $"{customer}|{name}|{DateTimeOffset.Parse(time, CultureInfo.InvariantCulture).ToUniversalTime():O}";
}
