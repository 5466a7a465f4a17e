using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record ActivityAddedToCart(string CartId, string ActivityId, ActivityDetails Details, string? ActivityDate, Money? Price) : DomainEvent;

/// <summary>
/// carts / ActivityAddedToCart: event <c>activity_added_to_cart</c> {cart_id, activity_id, activity_title, city, country,
/// activity_date, price (price.amount, a number), currency (price.currency)}.
/// </summary>
public sealed class ActivityAddedToCartType : EventType<ActivityAddedToCart>
{
    public static readonly ActivityAddedToCartType Instance = new();

    public override string Name => "ActivityAddedToCart";
    public override string DefaultTopic => "carts";
    public override string BrazeEventName => "activity_added_to_cart";

    public override JsonObject ExamplePayload => new()
    {
        ["cart_id"] = "cart_1", ["activity_id"] = "act_rome_food", ["activity_title"] = "Trastevere food tour", ["city"] = "Rome",
        ["country"] = "IT", ["activity_date"] = "2026-12-24", ["price"] = new JsonObject { ["amount"] = 59.5, ["currency"] = "EUR" },
    };

    protected override ActivityAddedToCart Read(Payload payload) => new(
        payload.RequiredString("cart_id"),
        payload.RequiredString("activity_id"),
        payload.Details(),
        payload.OptionalDate("activity_date"),
        payload.OptionalMoney("price"));

    protected override ActivityWanted Wants(ActivityAddedToCart e) => new(e.ActivityId, e.Details);

    protected override IReadOnlyList<MarketingObject> Map(ActivityAddedToCart e, CustomerState before, CustomerState after, ActivityDetails details) =>
    [
        Event(e, BrazeEventName, Properties(
            ("cart_id", e.CartId), ("activity_id", e.ActivityId), ("activity_title", details.Title), ("city", details.City),
            ("country", details.Country), ("activity_date", e.ActivityDate), ("price", e.Price?.Amount), ("currency", e.Price?.Currency))),
    ];
}
