using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record BookingCompleted(
    string BookingId, string ActivityId, DateTimeOffset StartsAt, ActivityDetails Details, int? Participants, Money? TotalPrice) : DomainEvent;

/// <summary>
/// bookings / BookingCompleted: the trip is booked (once per booking_id; never after its cancellation or conduct); event
/// <c>booking_completed</c> {booking_id, activity_id, activity_title, city, country, starts_at, participants,
/// other_upcoming_activities, upcoming_activities_count}; a purchase when total_price is present; trip attributes.
/// </summary>
public sealed class BookingCompletedType : EventType<BookingCompleted>
{
    public static readonly BookingCompletedType Instance = new();

    public override string Name => "BookingCompleted";
    public override string DefaultTopic => "bookings";
    public override string BrazeEventName => "booking_completed";

    public override JsonObject ExamplePayload => new()
    {
        ["booking_id"] = "bkg_1", ["activity_id"] = "act_paris_louvre", ["starts_at"] = "2026-12-09T09:00:00Z",
        ["activity_title"] = "Skip-the-line Louvre tour", ["city"] = "Paris", ["country"] = "FR", ["participants"] = 2,
        ["total_price"] = new JsonObject { ["amount"] = 99.5, ["currency"] = "EUR" },
    };

    protected override BookingCompleted Read(Payload payload) => new(
        payload.RequiredString("booking_id"),
        payload.RequiredString("activity_id"),
        payload.RequiredTimestamp("starts_at"),
        payload.Details(),
        payload.OptionalInt("participants", min: 1),
        payload.OptionalMoney("total_price"));

    protected override ActivityWanted Wants(BookingCompleted e) => new(e.ActivityId, e.Details, e.BookingId);

    protected override IReadOnlyList<ICustomerStateEvent> Decide(BookingCompleted e, CustomerState state, ActivityDetails details) =>
        state.ClosedBookings.Contains(e.BookingId) || state.OpenTrips.ContainsKey(e.BookingId)
            ? []
            : [new TripBooked(new Trip(e.BookingId, e.ActivityId, details.Title, details.City, details.Country, e.StartsAt))];

    protected override IReadOnlyList<MarketingObject> Map(BookingCompleted e, CustomerState before, CustomerState after, ActivityDetails details)
    {
        var upcoming = after.UpcomingTrips(e.OccurredAt);
        var properties = Properties(
            ("booking_id", e.BookingId), ("activity_id", e.ActivityId), ("activity_title", details.Title),
            ("city", details.City), ("country", details.Country), ("starts_at", Timestamp(e.StartsAt)),
            ("participants", e.Participants));
        properties["other_upcoming_activities"] = TripList(upcoming.Where(t => t.BookingId != e.BookingId));
        properties["upcoming_activities_count"] = upcoming.Count;

        var objects = new List<MarketingObject>(3) { Event(e, BrazeEventName, properties) };
        if (e.TotalPrice is { } price)
            objects.Add(Purchase(e, e.ActivityId, price, Properties(("booking_id", e.BookingId))));
        objects.Add(TripAttributes(e, after));
        return objects;
    }
}
