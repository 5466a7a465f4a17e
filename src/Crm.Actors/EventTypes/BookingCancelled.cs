using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record BookingCancelled(string BookingId) : DomainEvent;

/// <summary>bookings / BookingCancelled: the trip is closed for good; event <c>booking_cancelled</c> {booking_id, activity_id}; trip attributes.</summary>
public sealed class BookingCancelledType : EventType<BookingCancelled>
{
    public static readonly BookingCancelledType Instance = new();

    public override string Name => "BookingCancelled";
    public override string DefaultTopic => "bookings";
    public override string BrazeEventName => "booking_cancelled";
    public override JsonObject ExamplePayload => new() { ["booking_id"] = "bkg_1" };

    protected override BookingCancelled Read(Payload payload) => new(payload.RequiredString("booking_id"));

    protected override IReadOnlyList<ICustomerStateEvent> Decide(BookingCancelled e, CustomerState state, ActivityDetails details) =>
        state.ClosedBookings.Contains(e.BookingId) ? [] : [new TripClosed(e.BookingId)];

    protected override IReadOnlyList<MarketingObject> Map(BookingCancelled e, CustomerState before, CustomerState after, ActivityDetails details) =>
    [
        Event(e, BrazeEventName, Properties(("booking_id", e.BookingId), ("activity_id", before.FindTrip(e.BookingId)?.ActivityId))),
        TripAttributes(e, after),
    ];
}
