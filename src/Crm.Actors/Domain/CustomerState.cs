using System.Collections.Immutable;

namespace Crm.Actors.Domain;

/// <summary>One booked activity the customer has not yet done.</summary>
public sealed record Trip(
    string BookingId, string ActivityId, string? ActivityTitle, string? City, string? Country, DateTimeOffset StartsAt)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public ActivityDetails Details => new(ActivityTitle, City, Country);
}

/// <summary>What a customer actor persists: facts about trips, not the raw domain events.</summary>
public interface ICustomerStateEvent;

public sealed record TripBooked(Trip Trip) : ICustomerStateEvent;

/// <summary>A booking was cancelled or conducted: it is never upcoming again, whatever arrives later.</summary>
public sealed record TripClosed(string BookingId) : ICustomerStateEvent;

/// <summary>
/// The customer asked to be forgotten: everything before is gone. Carries nothing on purpose: the journal keeps the row
/// of a persistence id's highest sequence number when its events are deleted (so sequence numbers are never reused),
/// and this is what that row then holds instead of a trip or ledger keys.
/// </summary>
public sealed record CustomerErased : ICustomerStateEvent;

/// <summary>
/// A customer's upcoming trips. Immutable; <see cref="Apply"/> is the only way to change it, and each event type's
/// <c>Decide</c> says which facts an event adds. Both are pure, so the state converges whatever order the topics are
/// read in (a booking closed is never open again: <see cref="Apply"/> refuses it).
/// </summary>
public sealed record CustomerState(
    ImmutableDictionary<string, Trip> OpenTrips,
    ImmutableHashSet<string> ClosedBookings)
{
    public static readonly CustomerState Empty = new(
        ImmutableDictionary<string, Trip>.Empty, ImmutableHashSet<string>.Empty);

    public Trip? FindTrip(string bookingId) => OpenTrips.GetValueOrDefault(bookingId);

    /// <summary>Open trips starting after <paramref name="at"/>, soonest first.</summary>
    public IReadOnlyList<Trip> UpcomingTrips(DateTimeOffset at) => OpenTrips.Values
        .Where(trip => trip.StartsAt > at)
        .OrderBy(trip => trip.StartsAt)
        .ThenBy(trip => trip.BookingId, StringComparer.Ordinal)
        .ToList();

    public CustomerState Apply(ICustomerStateEvent stateEvent) => stateEvent switch
    {
        TripBooked booked when ClosedBookings.Contains(booked.Trip.BookingId) || OpenTrips.ContainsKey(booked.Trip.BookingId) => this,
        TripBooked booked => this with { OpenTrips = OpenTrips.SetItem(booked.Trip.BookingId, booked.Trip) },
        TripClosed closed => this with
        {
            OpenTrips = OpenTrips.Remove(closed.BookingId),
            ClosedBookings = ClosedBookings.Add(closed.BookingId),
        },
        CustomerErased => Empty,
        _ => throw new ArgumentOutOfRangeException(nameof(stateEvent), stateEvent, "unknown state event"),
    };

    public CustomerState ApplyAll(IEnumerable<ICustomerStateEvent> events) => events.Aggregate(this, (state, e) => state.Apply(e));
}
