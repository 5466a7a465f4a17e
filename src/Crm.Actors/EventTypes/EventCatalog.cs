using Akka.Actor;
using Akka.Actor.Setup;

namespace Crm.Actors.EventTypes;

/// <summary>
/// The event types a deployment handles, as the CLI's command catalog lists its commands: the decoder finds a record's
/// type here, the entity its facts, activity and Braze objects, the serializer its stored name, the metrics its label.
/// <see cref="Default"/> is the contract's eight (<c>domain-events.md</c>); a deployment adds its own through the
/// hosting chain (<c>WithEventTypes</c>). Immutable.
/// </summary>
public sealed class EventCatalog
{
    private readonly Dictionary<string, EventType> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, EventType> _byClass = [];

    /// <exception cref="ArgumentException">Two types share a name or a record class, or one has no name or topic.</exception>
    public EventCatalog(IEnumerable<EventType> types)
    {
        Types = types.ToList();
        foreach (var type in Types)
        {
            if (string.IsNullOrWhiteSpace(type.Name)) throw new ArgumentException($"{type.GetType().Name} has no name", nameof(types));
            if (string.IsNullOrWhiteSpace(type.DefaultTopic)) throw new ArgumentException($"{type.Name} has no topic", nameof(types));
            if (!_byName.TryAdd(type.Name, type)) throw new ArgumentException($"two event types are named {type.Name}", nameof(types));
            if (!_byClass.TryAdd(type.EventClass, type))
                throw new ArgumentException($"{type.Name} and {_byClass[type.EventClass].Name} both decode to {type.EventClass.Name}", nameof(types));
        }
        DefaultTopics = Types.Select(t => t.DefaultTopic).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The contract's eight event types.</summary>
    public static EventCatalog Default { get; } = new EventCatalog(
    [
        AccountCreatedType.Instance,
        CustomerDeletedType.Instance,
        ActivityWishlistedType.Instance,
        ActivityAddedToCartType.Instance,
        BookingCompletedType.Instance,
        BookingCancelledType.Instance,
        ActivityPreparationStartedType.Instance,
        ActivityConductedType.Instance,
    ]);

    public IReadOnlyList<EventType> Types { get; }

    /// <summary>The topics of the types, each once, in the order the types are listed.</summary>
    public IReadOnlyList<string> DefaultTopics { get; }

    /// <summary>This catalog and <paramref name="more"/>.</summary>
    public EventCatalog With(IEnumerable<EventType> more) => new(Types.Concat(more));

    /// <summary>The type of that contract name, or null for a type this deployment does not know (skipped, not an error).</summary>
    public EventType? Named(string eventType) => _byName.GetValueOrDefault(eventType);

    /// <summary>The type of a decoded event.</summary>
    /// <exception cref="ArgumentException">The event's class is in no type of this catalog (a bug: the decoder made it).</exception>
    public EventType Of(Domain.DomainEvent domainEvent) =>
        _byClass.TryGetValue(domainEvent.GetType(), out var type)
            ? type
            : throw new ArgumentException($"{domainEvent.GetType().Name} is in no event type of the catalog", nameof(domainEvent));

    /// <summary>
    /// Whether a record of <paramref name="type"/> belongs on <paramref name="topic"/>: a topic named after one default
    /// topic — exactly, or as a dot/dash/underscore-separated part such as <c>prod.bookings</c> — carries only its own
    /// types; any other topic carries all of them.
    /// </summary>
    public bool BelongsOn(string topic, EventType type)
    {
        var families = topic.Split(['.', '-', '_']).Where(part => DefaultTopics.Contains(part, StringComparer.Ordinal)).Distinct().ToList();
        return families.Count != 1 || families[0] == type.DefaultTopic;
    }

    /// <summary>The names of the types a record on <paramref name="topic"/> may be.</summary>
    public IReadOnlyList<string> EventTypesOn(string topic) => Types.Where(t => BelongsOn(topic, t)).Select(t => t.Name).ToList();

    /// <summary>The catalog registered for <paramref name="system"/> (<see cref="EventCatalogSetup"/>), else <see cref="Default"/>.</summary>
    public static EventCatalog Of(ActorSystem system) =>
        system.Settings.Setup.Get<EventCatalogSetup>() is { HasValue: true } setup ? setup.Value.Catalog : Default;
}

/// <summary>Carries a deployment's <see cref="EventCatalog"/> into its actor system (<c>WithEventTypes</c>).</summary>
public sealed class EventCatalogSetup(EventCatalog catalog) : Setup
{
    public EventCatalog Catalog { get; } = catalog;
}
