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
/// A validated domain event: the envelope of <c>domain-events.md</c> with a typed payload.
/// One subtype per event type; adding an event type starts with one record here.
/// </summary>
public abstract record DomainEvent
{
    public required string EventId { get; init; }
    public required string CustomerId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required int SchemaVersion { get; init; }

    /// <summary>The activity whose details the mapping wants, when the event names one.</summary>
    public virtual string? ActivityId => null;
}

public sealed record AccountCreated(
    string Email, string? FirstName, string? LastName, string? Locale, string? Country, bool? MarketingOptIn)
    : DomainEvent;

public sealed record CustomerDeleted : DomainEvent;

public sealed record ActivityWishlisted(string WishlistedActivityId, ActivityDetails Details) : DomainEvent
{
    public override string? ActivityId => WishlistedActivityId;
}

public sealed record ActivityAddedToCart(
    string CartId, string CartActivityId, ActivityDetails Details, string? ActivityDate, Money? Price) : DomainEvent
{
    public override string? ActivityId => CartActivityId;
}

public sealed record BookingCompleted(
    string BookingId, string BookedActivityId, DateTimeOffset StartsAt, ActivityDetails Details,
    int? Participants, Money? TotalPrice) : DomainEvent
{
    public override string? ActivityId => BookedActivityId;
}

public sealed record BookingCancelled(string BookingId) : DomainEvent;

public sealed record ActivityPreparationStarted(string BookingId, string PreparedActivityId, ActivityDetails Details)
    : DomainEvent
{
    public override string? ActivityId => PreparedActivityId;
}

public sealed record ActivityConducted(string BookingId, string ConductedActivityId, ActivityDetails Details)
    : DomainEvent
{
    public override string? ActivityId => ConductedActivityId;
}
