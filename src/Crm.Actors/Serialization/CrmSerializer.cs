using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Akka.Actor;
using System.Runtime.Serialization;
using Akka.Serialization;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Serialization;

/// <summary>
/// What the journal and snapshot store hold, and what crosses the network between nodes (a record read on one node
/// for an entity on another, the acknowledgement back, support queries), as JSON with stable manifests. The forms
/// are named by these manifests and by the event types' contract names (<see cref="EventType.Name"/>, from the node's
/// <see cref="EventCatalog"/>), never by CLR type names, so classes can be renamed or moved without breaking recovery or
/// a rolling upgrade; a new shape gets a new manifest (".v2") and the old one keeps being read.
/// </summary>
public sealed class CrmSerializer : SerializerWithStringManifest
{
    public const int SerializerId = 4711;

    private readonly JsonSerializerOptions _options;

    public CrmSerializer(ExtendedActorSystem system) : base(system) => _options = JsonOptions(EventCatalog.Of(system));

    /// <summary>The JSON options of the stored and sent forms, for the event types of <paramref name="catalog"/>.</summary>
    public static JsonSerializerOptions JsonOptions(EventCatalog catalog) => new(JsonSerializerDefaults.General)
    {
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { info => NameDomainEventsByType(info, catalog) } },
    };

    private static readonly Dictionary<Type, string> Manifests = new()
    {
        [typeof(TripBooked)] = "trip-booked.v1",
        [typeof(TripClosed)] = "trip-closed.v1",
        [typeof(CustomerErased)] = "customer-erased.v1",
        [typeof(CustomerSnapshot)] = "customer-snapshot.v1",
        [typeof(DeliveriesRecorded)] = "deliveries-recorded.v1",
        [typeof(CustomerEvents)] = "customer-events.v1",
        [typeof(CustomerEventsDone)] = "customer-events-done.v1",
        [typeof(GetCustomer)] = "get-customer.v1",
        [typeof(CustomerView)] = "customer-view.v1",
    };

    /// <summary>A domain event is written with its contract event type (<c>"event_type": "BookingCompleted"</c>).</summary>
    private static void NameDomainEventsByType(JsonTypeInfo info, EventCatalog catalog)
    {
        if (info.Type != typeof(DomainEvent)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "event_type" };
        foreach (var type in catalog.Types)
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type.EventClass, type.Name));
    }

    private static readonly Dictionary<string, Type> Types = Manifests.ToDictionary(kv => kv.Value, kv => kv.Key);

    /// <summary>The types this serializer is bound to.</summary>
    public static IEnumerable<Type> BoundTypes => Manifests.Keys;

    public override int Identifier => SerializerId;

    public override string Manifest(object o) =>
        Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new ArgumentException($"{o.GetType()} is not serialized by {nameof(CrmSerializer)}", nameof(o));

    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), _options);

    public override object FromBinary(byte[] bytes, string manifest) =>
        Types.TryGetValue(manifest, out var type)
            ? JsonSerializer.Deserialize(bytes, type, _options) ?? throw new SerializationException($"empty {manifest}")
            : throw new SerializationException($"unknown manifest '{manifest}'");
}
