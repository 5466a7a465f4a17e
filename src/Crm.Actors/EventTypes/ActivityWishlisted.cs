using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record ActivityWishlisted(string ActivityId, ActivityDetails Details) : DomainEvent;

/// <summary>wishlists / ActivityWishlisted: event <c>activity_wishlisted</c> {activity_id, activity_title, city, country}.</summary>
public sealed class ActivityWishlistedType : EventType<ActivityWishlisted>
{
    public static readonly ActivityWishlistedType Instance = new();

    public override string Name => "ActivityWishlisted";
    public override string DefaultTopic => "wishlists";
    public override string BrazeEventName => "activity_wishlisted";

    public override JsonObject ExamplePayload => new()
    {
        ["activity_id"] = "act_paris_louvre", ["activity_title"] = "Skip-the-line Louvre tour", ["city"] = "Paris", ["country"] = "FR",
    };

    protected override ActivityWishlisted Read(Payload payload) => new(payload.RequiredString("activity_id"), payload.Details());

    protected override ActivityWanted Wants(ActivityWishlisted e) => new(e.ActivityId, e.Details);

    protected override IReadOnlyList<MarketingObject> Map(ActivityWishlisted e, CustomerState before, CustomerState after, ActivityDetails details) =>
    [
        Event(e, BrazeEventName, Properties(
            ("activity_id", e.ActivityId), ("activity_title", details.Title), ("city", details.City), ("country", details.Country))),
    ];
}
