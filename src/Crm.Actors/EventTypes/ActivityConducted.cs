using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record ActivityConducted(string BookingId, string ActivityId, ActivityDetails Details) : DomainEvent;

/// <summary>
/// activities / ActivityConducted: the trip is closed for good; event <c>activity_conducted</c> {booking_id, activity_id,
/// activity_title, city, country}; trip attributes.
/// </summary>
public sealed class ActivityConductedType : EventType<ActivityConducted>
{
    public static readonly ActivityConductedType Instance = new();

    public override string Name => "ActivityConducted";
    public override string DefaultTopic => "activities";
    public override string BrazeEventName => "activity_conducted";
    public override JsonObject ExamplePayload => new() { ["booking_id"] = "bkg_1", ["activity_id"] = "act_paris_louvre" };

    protected override ActivityConducted Read(Payload payload) =>
        new(payload.RequiredString("booking_id"), payload.RequiredString("activity_id"), payload.Details());

    protected override ActivityWanted Wants(ActivityConducted e) => new(e.ActivityId, e.Details, e.BookingId);

    protected override IReadOnlyList<ICustomerStateEvent> Decide(ActivityConducted e, CustomerState state, ActivityDetails details) =>
        state.ClosedBookings.Contains(e.BookingId) ? [] : [new TripClosed(e.BookingId)];

    protected override IReadOnlyList<MarketingObject> Map(ActivityConducted e, CustomerState before, CustomerState after, ActivityDetails details) =>
    [
        Event(e, BrazeEventName, Properties(
            ("booking_id", e.BookingId), ("activity_id", e.ActivityId), ("activity_title", details.Title),
            ("city", details.City), ("country", details.Country))),
        TripAttributes(e, after),
    ];
}
