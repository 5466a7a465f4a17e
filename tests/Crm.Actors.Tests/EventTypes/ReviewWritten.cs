using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.Tests.EventTypes;

public sealed record ReviewWritten(string BookingId, int Rating) : DomainEvent;

/// <summary>
/// reviews / ReviewWritten, an event type the contract does not have, added as a deployment would (README
/// "Extending"): event <c>review_written</c> {booking_id, activity_id (from the customer's trip, when it is still
/// upcoming), rating}; a rating outside 1–5 is malformed.
/// </summary>
public sealed class ReviewWrittenType : EventType<ReviewWritten>
{
    public static readonly ReviewWrittenType Instance = new();

    public override string Name => "ReviewWritten";
    public override string DefaultTopic => "reviews";
    public override string BrazeEventName => "review_written";
    public override JsonObject ExamplePayload => new() { ["booking_id"] = "bkg_1", ["rating"] = 5 };

    protected override ReviewWritten Read(Payload payload) =>
        new(payload.RequiredString("booking_id"), payload.RequiredInt("rating", min: 1, max: 5));

    protected override IReadOnlyList<MarketingObject> Map(ReviewWritten e, CustomerState before, CustomerState after, ActivityDetails details) =>
    [
        Event(e, BrazeEventName, Properties(
            ("booking_id", e.BookingId), ("activity_id", before.FindTrip(e.BookingId)?.ActivityId), ("rating", e.Rating))),
    ];
}
