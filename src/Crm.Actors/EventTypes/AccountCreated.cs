using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Domain.BrazeObjects;

namespace Crm.Actors.EventTypes;

public sealed record AccountCreated(
    string Email, string? FirstName, string? LastName, string? Locale, string? Country, bool? MarketingOptIn) : DomainEvent;

/// <summary>
/// accounts / AccountCreated: attributes {email, first_name, last_name, language (from locale, "de"), country,
/// email_subscribe ("opted_in" when marketing_opt_in, else "subscribed")} and event <c>account_created</c>.
/// </summary>
public sealed class AccountCreatedType : EventType<AccountCreated>
{
    public static readonly AccountCreatedType Instance = new();

    public override string Name => "AccountCreated";
    public override string DefaultTopic => "accounts";
    public override string BrazeEventName => "account_created";

    public override JsonObject ExamplePayload => new()
    {
        ["email"] = "anna@example.com", ["first_name"] = "Anna", ["last_name"] = "Schmidt",
        ["locale"] = "de-DE", ["country"] = "DE", ["marketing_opt_in"] = true,
    };

    protected override AccountCreated Read(Payload payload) => new(
        payload.RequiredString("email"),
        payload.OptionalString("first_name"),
        payload.OptionalString("last_name"),
        payload.OptionalString("locale"),
        payload.OptionalString("country"),
        payload.OptionalBool("marketing_opt_in"));

    protected override IReadOnlyList<MarketingObject> Map(AccountCreated e, CustomerState before, CustomerState after, ActivityDetails details) =>
    [
        Attributes(e, Properties(
            ("email", e.Email), ("first_name", e.FirstName), ("last_name", e.LastName),
            ("language", Language(e.Locale)), ("country", e.Country),
            ("email_subscribe", e.MarketingOptIn == true ? "opted_in" : "subscribed"))),
        Event(e, BrazeEventName, new JsonObject()),
    ];
}
