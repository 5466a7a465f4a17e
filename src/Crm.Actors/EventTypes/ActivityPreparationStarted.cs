using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record ActivityPreparationStarted(string BookingId, string ActivityId, ActivityDetails Details) : DomainEvent;

/// <summary>
/// activities / ActivityPreparationStarted: event <c>activity_preparation_started</c> {booking_id, activity_id,
/// activity_title, city, country, starts_at, other_upcoming_activities_in_city}.
/// </summary>
public sealed class ActivityPreparationStartedType : EventType<ActivityPreparationStarted>
{
    public static readonly ActivityPreparationStartedType Instance = new();

    public override string Name => "ActivityPreparationStarted";
    public override string DefaultTopic => "activities";
    public override string BrazeEventName => "activity_preparation_started";
    public override JsonObject ExamplePayload => new() { ["booking_id"] = "bkg_1", ["activity_id"] = "act_paris_louvre" };

    protected override ActivityPreparationStarted Read(Payload payload) =>
        new(payload.RequiredString("booking_id"), payload.RequiredString("activity_id"), payload.Details());

    protected override ActivityWanted Wants(ActivityPreparationStarted e) => new(e.ActivityId, e.Details, e.BookingId);

    protected override IReadOnlyList<MarketingObject> Map(ActivityPreparationStarted e, CustomerState before, CustomerState after, ActivityDetails details)
    {
        var trip = after.FindTrip(e.BookingId);
        var properties = Properties(
            ("booking_id", e.BookingId), ("activity_id", e.ActivityId), ("activity_title", details.Title),
            ("city", details.City), ("country", details.Country), ("starts_at", trip is null ? null : Timestamp(trip.StartsAt)));
        var sameCity = details.City is null
            ? []
            : after.UpcomingTrips(e.OccurredAt).Where(t => t.BookingId != e.BookingId && string.Equals(t.City, details.City, StringComparison.OrdinalIgnoreCase));
        properties["other_upcoming_activities_in_city"] = TripList(sameCity);
        return [Event(e, BrazeEventName, properties)];
    }
}
