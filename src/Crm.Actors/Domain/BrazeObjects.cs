using System.Globalization;
using System.Text.Json.Nodes;
using Crm.Actors.Braze;

namespace Crm.Actors.Domain;

/// <summary>
/// The building blocks of <c>braze-mapping.md</c>'s objects, shared by the event types' <c>Map</c>: events,
/// attributes, trip lists, property objects without empty values, strings within Braze's limits, timestamps. Pure;
/// "upcoming" is measured at the event's <c>occurred_at</c>, so nothing depends on the clock.
/// </summary>
public static class BrazeObjects
{
    /// <summary>Braze's limit on string values, in UTF-16 code units (see <see cref="BrazeLimits.MaxStringChars"/>; also at most 479 UTF-8 bytes).</summary>
    public const int MaxStringLength = BrazeLimits.MaxStringChars;
    public const int MaxListedTrips = 10;

    /// <summary>A user's attributes object: <c>external_id</c> first, then <paramref name="attributes"/>.</summary>
    public static MarketingObject Attributes(DomainEvent e, JsonObject attributes)
    {
        attributes.Insert(0, "external_id", e.CustomerId);
        return MarketingObject.Render(MarketingObjectKind.Attributes, e.CustomerId, attributes);
    }

    /// <summary>A purchase (<c>braze-mapping.md</c>: product_id, currency, price, quantity 1, time, properties).</summary>
    public static MarketingObject Purchase(DomainEvent e, string productId, Money price, JsonObject properties) =>
        MarketingObject.Render(MarketingObjectKind.Purchase, e.CustomerId, new JsonObject
        {
            ["external_id"] = e.CustomerId,
            ["product_id"] = Text(productId),
            ["currency"] = price.Currency,
            ["price"] = price.Amount,
            ["quantity"] = 1,
            ["time"] = Timestamp(e.OccurredAt),
            ["properties"] = properties,
        });

    /// <summary>A <c>/users/delete</c> object: the customer's external id.</summary>
    public static MarketingObject UserDelete(DomainEvent e) =>
        new(MarketingObjectKind.UserDelete, e.CustomerId, JsonValue.Create(e.CustomerId).ToJsonString());

    /// <summary>upcoming_trip_cities, next_trip_starts_at (null when none) and upcoming_activities_count.</summary>
    public static MarketingObject TripAttributes(DomainEvent e, CustomerState after)
    {
        var upcoming = after.UpcomingTrips(e.OccurredAt);
        var cities = new JsonArray();
        foreach (var city in upcoming.Select(t => t.City).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase))
            cities.Add(Text(city));
        var attributes = new JsonObject
        {
            ["external_id"] = e.CustomerId,
            ["upcoming_trip_cities"] = cities,
            ["next_trip_starts_at"] = upcoming.Count == 0 ? null : Timestamp(upcoming[0].StartsAt),
            ["upcoming_activities_count"] = upcoming.Count,
        };
        return MarketingObject.Render(MarketingObjectKind.Attributes, e.CustomerId, attributes);
    }

    /// <summary>A custom event named <paramref name="name"/> at the event's time, with its properties when it has any.</summary>
    public static MarketingObject Event(DomainEvent e, string name, JsonObject properties)
    {
        var brazeEvent = new JsonObject
        {
            ["external_id"] = e.CustomerId,
            ["name"] = name,
            ["time"] = Timestamp(e.OccurredAt),
        };
        if (properties.Count > 0)
            brazeEvent["properties"] = properties;
        return MarketingObject.Render(MarketingObjectKind.Event, e.CustomerId, brazeEvent);
    }

    /// <summary>At most <see cref="MaxListedTrips"/> trips, each {booking_id, activity_id, activity_title, city, country, starts_at}.</summary>
    public static JsonArray TripList(IEnumerable<Trip> trips)
    {
        var list = new JsonArray();
        foreach (var trip in trips.Take(MaxListedTrips))
        {
            list.Add(Properties(
                ("booking_id", trip.BookingId), ("activity_id", trip.ActivityId), ("activity_title", trip.ActivityTitle),
                ("city", trip.City), ("country", trip.Country), ("starts_at", Timestamp(trip.StartsAt))));
        }
        return list;
    }

    /// <summary>Builds an object from name/value pairs, leaving out the ones with no value (never empty strings).</summary>
    public static JsonObject Properties(params (string Name, object? Value)[] pairs)
    {
        var properties = new JsonObject();
        foreach (var (name, value) in pairs)
        {
            JsonNode? node = value switch
            {
                null => null,
                string s when s.Length == 0 => null,
                string s => Text(s),
                int i => i,
                decimal d => d,
                _ => throw new ArgumentOutOfRangeException(nameof(pairs), value.GetType().Name, "unsupported property type"),
            };
            if (node is not null)
                properties[name] = node;
        }
        return properties;
    }

    /// <summary>
    /// Cut to Braze's string limit on a code-point boundary, never leaving invalid Unicode (<see cref="BrazeLimits.Cut"/>).
    /// <see cref="MarketingObject.Render"/> cuts every string again, so a value that skips this helper is still safe.
    /// </summary>
    public static string Text(string value) => BrazeLimits.Cut(value);

    public static string Timestamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>"de-DE" → "de"; Braze wants the ISO 639-1 language code.</summary>
    public static string? Language(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale)) return null;
        var separator = locale.IndexOfAny(['-', '_']);
        return (separator > 0 ? locale[..separator] : locale).ToLowerInvariant();
    }
}
