using System.Text.Json.Nodes;

namespace Crm.Actors.Braze;

/// <summary>Which array of a Braze request an object belongs to; <see cref="UserDelete"/> goes to /users/delete.</summary>
public enum MarketingObjectKind
{
    Attributes,
    Event,
    Purchase,
    UserDelete,
}

/// <summary>
/// One object for Braze, already rendered as JSON (its <c>external_id</c> included). Rendering happens once,
/// in the customer actor; the gateway only concatenates, which keeps it fast and the objects immutable.
/// </summary>
public sealed record MarketingObject(MarketingObjectKind Kind, string ExternalId, string Json)
{
    /// <summary>
    /// The one way a /users/track object is rendered: names checked, strings cut and arrays bounded to Braze's limits
    /// (<see cref="BrazeLimits.Fit"/>). <paramref name="json"/> is changed in place.
    /// </summary>
    public static MarketingObject Render(MarketingObjectKind kind, string externalId, JsonObject json) =>
        new(kind, externalId, BrazeLimits.Fit(kind, json));
}
