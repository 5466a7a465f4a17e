using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Serialization;

namespace Crm.Actors.Testing;

/// <summary>
/// What every event type must satisfy before it reaches a running pipeline, checked from its definition alone: a
/// name and a topic of its own in the catalog, its complete example payload decoded into its record, the record
/// round-tripped through the serializer's stored form under its contract name, and its facts and Braze objects made
/// without throwing, with exactly one Braze event of its <see cref="EventType.BrazeEventName"/> (none when null).
/// </summary>
public static class EventTypeChecks
{
    /// <summary>Each rule <paramref name="type"/> breaks in <paramref name="catalog"/>, described; empty when it keeps them all.</summary>
    public static IReadOnlyList<string> Problems(EventType type, EventCatalog catalog)
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(type.Name)) problems.Add("it has no name");
        if (string.IsNullOrWhiteSpace(type.DefaultTopic)) problems.Add("it has no topic");
        if (catalog.Types.Count(t => t.Name == type.Name) != 1) problems.Add($"{catalog.Types.Count(t => t.Name == type.Name)} types of the catalog are named {type.Name}");
        if (!catalog.EventTypesOn(type.DefaultTopic).Contains(type.Name)) problems.Add($"its own topic {type.DefaultTopic} refuses it");

        var decoded = EventDecoder.Decode(catalog, type.DefaultTopic, Events.Key(), Events.Bytes(Events.Example(type)));
        if (decoded is not DecodeResult.Valid { } valid)
        {
            problems.Add($"its example payload does not decode: {decoded}");
            return problems;
        }
        if (valid.Type != type || valid.Event.GetType() != type.EventClass)
            problems.Add($"its example decodes as {valid.Type.Name} / {valid.Event.GetType().Name}");

        problems.AddRange(SerializerProblems(valid.Event, catalog));
        problems.AddRange(MappingProblems(type, valid.Event));
        return problems;
    }

    private static IEnumerable<string> SerializerProblems(DomainEvent domainEvent, EventCatalog catalog)
    {
        var options = CrmSerializer.JsonOptions(catalog);
        var sent = new CustomerEvents(domainEvent.CustomerId, 1, [new CustomerEvent(domainEvent, new RecordSource("topic", 0, 0))]);
        var json = JsonSerializer.Serialize(sent, options);
        var back = JsonSerializer.Deserialize<CustomerEvents>(json, options);
        if (back?.Events.SingleOrDefault()?.Event != domainEvent) yield return $"it does not round-trip through the serializer: {json}";
        if (JsonNode.Parse(json)?["Events"]?[0]?["Event"]?["event_type"]?.GetValue<string>() != catalog.Of(domainEvent).Name)
            yield return $"the serializer does not store it under its contract name: {json}";
    }

    private static IEnumerable<string> MappingProblems(EventType type, DomainEvent domainEvent)
    {
        IReadOnlyList<MarketingObject> objects;
        try
        {
            var facts = type.Decide(domainEvent, CustomerState.Empty, ActivityDetails.Empty);
            var after = CustomerState.Empty.ApplyAll(facts);
            // Again, on the state its facts made (a repeat): facts are idempotent and mapping still works.
            _ = type.Map(domainEvent, after, after.ApplyAll(type.Decide(domainEvent, after, ActivityDetails.Empty)), ActivityDetails.Empty);
            objects = type.Map(domainEvent, CustomerState.Empty, after, ActivityDetails.Empty);
        }
        catch (Exception e)
        {
            return [$"deciding or mapping it throws: {e.Message}"];
        }
        var names = objects.Where(o => o.Kind == MarketingObjectKind.Event)
            .Select(o => JsonNode.Parse(o.Json)?["name"]?.GetValue<string>()).ToList();
        if (type.BrazeEventName is null)
            return names.Count == 0 ? [] : [$"it names no Braze event yet sends {string.Join(", ", names)}"];
        return names.Count == 1 && names[0] == type.BrazeEventName
            ? []
            : [$"it should send one Braze event {type.BrazeEventName}, sends [{string.Join(", ", names)}]"];
    }
}
