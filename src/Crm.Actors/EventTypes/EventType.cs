using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.EventTypes;

/// <summary>
/// What an event wants activity details for: the activity, the details the event carries, and the booking whose trip
/// may know them. The entity completes the carried details from the trip, then from the Activity Catalog.
/// </summary>
public sealed record ActivityWanted(string ActivityId, ActivityDetails Carried, string? BookingId = null);

/// <summary>
/// Everything the service knows about one event type of the contract, in one place: its name, its topic, how its
/// payload is read, which activity it wants details for, the facts it adds to the customer's state and the Braze objects
/// it becomes. An <see cref="EventCatalog"/> lists the types a deployment handles; the decoder, the customer entity,
/// the serializer and the metrics read the catalog, so adding a type is adding one definition (README "Extending").
/// Subclass <see cref="EventType{TEvent}"/>.
/// </summary>
public abstract class EventType
{
    /// <summary>The contract's <c>event_type</c>: also what the journal and the network carry, so a class can be renamed.</summary>
    public abstract string Name { get; }

    /// <summary>The topic the contract puts it on (<c>domain-events.md</c>, "Default topics and event types").</summary>
    public abstract string DefaultTopic { get; }

    /// <summary>The Braze event it becomes (<c>braze-mapping.md</c>), or null when it becomes none.</summary>
    public abstract string? BrazeEventName { get; }

    /// <summary>A complete payload, every field set: documents the type and feeds the catalog's tests.</summary>
    public abstract JsonObject ExamplePayload { get; }

    /// <summary>The record the decoder makes of it.</summary>
    public abstract Type EventClass { get; }

    /// <summary>
    /// True for the type that erases the customer (its state, ledger, journal and snapshots go before Braze is told); its
    /// <see cref="Decide"/> ends with <see cref="CustomerErased"/>, the marker the journal keeps in their place.
    /// </summary>
    public virtual bool ErasesCustomer => false;

    /// <summary>Reads the payload; throws <see cref="MalformedException"/> for a payload that breaks the contract.</summary>
    public abstract DomainEvent Decode(Envelope envelope, Payload payload);

    /// <summary>The activity the event wants details for, or null.</summary>
    public abstract ActivityWanted? Wants(DomainEvent domainEvent);

    /// <summary>The facts the event adds to the customer's state (enriched with <paramref name="details"/>); pure.</summary>
    public abstract IReadOnlyList<ICustomerStateEvent> Decide(DomainEvent domainEvent, CustomerState state, ActivityDetails details);

    /// <summary>The Braze objects the event becomes, given the state before and after its facts; pure.</summary>
    public abstract IReadOnlyList<MarketingObject> Map(DomainEvent domainEvent, CustomerState before, CustomerState after, ActivityDetails details);
}

/// <summary>An <see cref="EventType"/> whose events are <typeparamref name="TEvent"/>: implement the typed members.</summary>
public abstract class EventType<TEvent> : EventType where TEvent : DomainEvent
{
    public sealed override Type EventClass => typeof(TEvent);

    public sealed override DomainEvent Decode(Envelope envelope, Payload payload) => envelope.Stamp(Read(payload));

    public sealed override ActivityWanted? Wants(DomainEvent domainEvent) => Wants((TEvent)domainEvent);

    public sealed override IReadOnlyList<ICustomerStateEvent> Decide(DomainEvent domainEvent, CustomerState state, ActivityDetails details) =>
        Decide((TEvent)domainEvent, state, details);

    public sealed override IReadOnlyList<MarketingObject> Map(DomainEvent domainEvent, CustomerState before, CustomerState after, ActivityDetails details) =>
        Map((TEvent)domainEvent, before, after, details);

    /// <summary>The event of the payload (the envelope's fields are set afterwards).</summary>
    protected abstract TEvent Read(Payload payload);

    protected virtual ActivityWanted? Wants(TEvent domainEvent) => null;

    protected virtual IReadOnlyList<ICustomerStateEvent> Decide(TEvent domainEvent, CustomerState state, ActivityDetails details) => [];

    protected abstract IReadOnlyList<MarketingObject> Map(TEvent domainEvent, CustomerState before, CustomerState after, ActivityDetails details);
}
