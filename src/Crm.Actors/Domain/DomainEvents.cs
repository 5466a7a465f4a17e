namespace Crm.Actors.Domain;

/// <summary>Where a record came from; carried along so dead letters can point back at it.</summary>
public sealed record RecordSource(string Topic, int Partition, long Offset)
{
    public override string ToString() => $"{Topic}[{Partition}]@{Offset}";
}

/// <summary>Money as the contract writes it: a decimal amount and an ISO 4217 currency.</summary>
public sealed record Money(decimal Amount, string Currency);

/// <summary>Title, city and country of an activity: from the event, the customer's trips or the catalog.</summary>
public sealed record ActivityDetails(string? Title, string? City, string? Country)
{
    public static readonly ActivityDetails Empty = new(null, null, null);

    public bool IsComplete => Title is not null && City is not null && Country is not null;

    /// <summary>Fills each missing field from <paramref name="other"/>; fields already known win.</summary>
    public ActivityDetails Or(ActivityDetails? other) =>
        other is null ? this : new(Title ?? other.Title, City ?? other.City, Country ?? other.Country);
}

/// <summary>
/// A validated domain event: the envelope of <c>domain-events.md</c> with a typed payload. Each event type is a
/// subtype defined together with its <see cref="EventTypes.EventType"/> (decoding, facts, activity, Braze objects) in
/// one file under <c>EventTypes/</c>; the envelope fields are set by the decoder.
/// </summary>
public abstract record DomainEvent
{
    public string EventId { get; init; } = "";
    public string CustomerId { get; init; } = "";
    public DateTimeOffset OccurredAt { get; init; }
    public int SchemaVersion { get; init; } = 1;
}

/// <summary>The envelope fields every record carries (<c>domain-events.md</c> "Envelope"), validated.</summary>
public sealed record Envelope(string EventId, string EventType, int SchemaVersion, DateTimeOffset OccurredAt, string CustomerId)
{
    /// <summary><paramref name="domainEvent"/> with this envelope's fields.</summary>
    public TEvent Stamp<TEvent>(TEvent domainEvent) where TEvent : DomainEvent =>
        (TEvent)((DomainEvent)domainEvent with { EventId = EventId, CustomerId = CustomerId, OccurredAt = OccurredAt, SchemaVersion = SchemaVersion });
}
