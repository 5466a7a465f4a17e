using System.Globalization;
using System.Text.Json.Nodes;
using Crm.Actors.Braze;

namespace Crm.Actors.Domain;

/// <summary>
/// The mapping table of <c>braze-mapping.md</c>, as pure functions: a domain event, the customer's state
/// before and after it, and the activity details known for it, give the Braze objects to send.
/// "Upcoming" is measured at the event's <c>occurred_at</c>, so the result never depends on the clock.
/// </summary>
public static class MarketingMapper
{
    /// <summary>Braze's limit on string values, in UTF-16 code units (see <see cref="BrazeLimits.MaxStringChars"/>; also at most 479 UTF-8 bytes).</summary>
    public const int MaxStringLength = BrazeLimits.MaxStringChars;
    public const int MaxListedTrips = 10;

    public static IReadOnlyList<MarketingObject> Map(
        DomainEvent domainEvent, CustomerState before, CustomerState after, ActivityDetails details) => domainEvent switch
    {
        AccountCreated e => [AccountAttributes(e), Event(e, "account_created", new JsonObject())],
        ActivityWishlisted e => [Event(e, "activity_wishlisted", Properties(
            ("activity_id", e.WishlistedActivityId), ("activity_title", details.Title), ("city", details.City), ("country", details.Country)))],
        ActivityAddedToCart e => [Event(e, "activity_added_to_cart", Properties(
            ("cart_id", e.CartId), ("activity_id", e.CartActivityId), ("activity_title", details.Title), ("city", details.City),
            ("country", details.Country), ("activity_date", e.ActivityDate), ("price", e.Price?.Amount), ("currency", e.Price?.Currency)))],
        BookingCompleted e => BookingCompletedObjects(e, after, details),
        BookingCancelled e =>
        [
            Event(e, "booking_cancelled", Properties(("booking_id", e.BookingId), ("activity_id", before.FindTrip(e.BookingId)?.ActivityId))),
            TripAttributes(e, after),
        ],
        ActivityPreparationStarted e => [PreparationStarted(e, after, details)],
        ActivityConducted e =>
        [
            Event(e, "activity_conducted", Properties(
                ("booking_id", e.BookingId), ("activity_id", e.ConductedActivityId), ("activity_title", details.Title),
                ("city", details.City), ("country", details.Country))),
            TripAttributes(e, after),
        ],
        CustomerDeleted e => [new MarketingObject(MarketingObjectKind.UserDelete, e.CustomerId, JsonValue.Create(e.CustomerId).ToJsonString())],
        _ => throw new ArgumentOutOfRangeException(nameof(domainEvent), domainEvent.GetType().Name, "no mapping for this event type"),
    };

    private static IReadOnlyList<MarketingObject> BookingCompletedObjects(BookingCompleted e, CustomerState after, ActivityDetails details)
    {
        var upcoming = after.UpcomingTrips(e.OccurredAt);
        var properties = Properties(
            ("booking_id", e.BookingId), ("activity_id", e.BookedActivityId), ("activity_title", details.Title),
            ("city", details.City), ("country", details.Country), ("starts_at", Timestamp(e.StartsAt)),
            ("participants", e.Participants));
        properties["other_upcoming_activities"] = TripList(upcoming.Where(t => t.BookingId != e.BookingId));
        properties["upcoming_activities_count"] = upcoming.Count;

        var objects = new List<MarketingObject>(3) { Event(e, "booking_completed", properties) };
        if (e.TotalPrice is { } price)
        {
            var purchase = new JsonObject
            {
                ["external_id"] = e.CustomerId,
                ["product_id"] = Text(e.BookedActivityId),
                ["currency"] = price.Currency,
                ["price"] = price.Amount,
                ["quantity"] = 1,
                ["time"] = Timestamp(e.OccurredAt),
                ["properties"] = Properties(("booking_id", e.BookingId)),
            };
            objects.Add(MarketingObject.Render(MarketingObjectKind.Purchase, e.CustomerId, purchase));
        }
        objects.Add(TripAttributes(e, after));
        return objects;
    }

    private static MarketingObject PreparationStarted(ActivityPreparationStarted e, CustomerState after, ActivityDetails details)
    {
        var trip = after.FindTrip(e.BookingId);
        var properties = Properties(
            ("booking_id", e.BookingId), ("activity_id", e.PreparedActivityId), ("activity_title", details.Title),
            ("city", details.City), ("country", details.Country), ("starts_at", trip is null ? null : Timestamp(trip.StartsAt)));
        var sameCity = details.City is null
            ? []
            : after.UpcomingTrips(e.OccurredAt).Where(t => t.BookingId != e.BookingId && string.Equals(t.City, details.City, StringComparison.OrdinalIgnoreCase));
        properties["other_upcoming_activities_in_city"] = TripList(sameCity);
        return Event(e, "activity_preparation_started", properties);
    }

    private static MarketingObject AccountAttributes(AccountCreated e)
    {
        var attributes = Properties(
            ("email", e.Email), ("first_name", e.FirstName), ("last_name", e.LastName),
            ("language", Language(e.Locale)), ("country", e.Country),
            ("email_subscribe", e.MarketingOptIn == true ? "opted_in" : "subscribed"));
        attributes.Insert(0, "external_id", e.CustomerId);
        return MarketingObject.Render(MarketingObjectKind.Attributes, e.CustomerId, attributes);
    }

    /// <summary>upcoming_trip_cities, next_trip_starts_at (null when none) and upcoming_activities_count.</summary>
    private static MarketingObject TripAttributes(DomainEvent e, CustomerState after)
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

    private static MarketingObject Event(DomainEvent e, string name, JsonObject properties)
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

    private static JsonArray TripList(IEnumerable<Trip> trips)
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
    private static JsonObject Properties(params (string Name, object? Value)[] pairs)
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
    private static string Text(string value) => BrazeLimits.Cut(value);

    private static string Timestamp(DateTimeOffset at) =>
        at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>"de-DE" → "de"; Braze wants the ISO 639-1 language code.</summary>
    private static string? Language(string? locale)
    {
        if (string.IsNullOrWhiteSpace(locale)) return null;
        var separator = locale.IndexOfAny(['-', '_']);
        return (separator > 0 ? locale[..separator] : locale).ToLowerInvariant();
    }
}
