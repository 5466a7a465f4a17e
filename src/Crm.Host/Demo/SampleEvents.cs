using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Host.Local;

namespace Crm.Host.Demo;

/// <summary>A record as a producer would write it.</summary>
public sealed record SampleRecord(string Topic, string Key, byte[] Value);

/// <summary>
/// Realistic marketplace traffic: customers sign up, wishlist and cart activities in real cities, book trips
/// (some events without activity details, for the catalog to fill in), cancel some, prepare and do others.
/// Deterministic for a seed, so tests and benchmarks can rely on it.
/// </summary>
public sealed class SampleEvents(int seed = 42)
{
    public static readonly IReadOnlyList<CatalogActivity> Activities =
    [
        new("act_paris_louvre", "Skip-the-line Louvre tour", "Paris", "FR", "museums"),
        new("act_paris_seine", "Seine river dinner cruise", "Paris", "FR", "cruises"),
        new("act_paris_eiffel", "Eiffel Tower summit access", "Paris", "FR", "landmarks"),
        new("act_berlin_wall", "Berlin Wall bike tour", "Berlin", "DE", "tours"),
        new("act_berlin_museum", "Museum Island day pass", "Berlin", "DE", "museums"),
        new("act_rome_colosseum", "Colosseum underground tour", "Rome", "IT", "landmarks"),
        new("act_rome_vatican", "Vatican Museums early entry", "Rome", "IT", "museums"),
        new("act_rome_food", "Trastevere food tour", "Rome", "IT", "food"),
        new("act_bcn_sagrada", "Sagrada Familia guided visit", "Barcelona", "ES", "landmarks"),
        new("act_bcn_tapas", "Gothic Quarter tapas walk", "Barcelona", "ES", "food"),
        new("act_lis_tram", "Tram 28 and Alfama walk", "Lisbon", "PT", "tours"),
        new("act_lis_sintra", "Sintra day trip", "Lisbon", "PT", "day trips"),
        new("act_ams_canal", "Amsterdam canal cruise", "Amsterdam", "NL", "cruises"),
        new("act_ams_rijks", "Rijksmuseum timed entry", "Amsterdam", "NL", "museums"),
        new("act_prg_castle", "Prague Castle guided tour", "Prague", "CZ", "landmarks"),
        new("act_vie_opera", "Vienna State Opera evening", "Vienna", "AT", "shows"),
    ];

    private static readonly string[] FirstNames = ["Anna", "Luca", "Marie", "Jonas", "Sofia", "Mateo", "Emma", "Noah", "Clara", "Hugo"];
    private static readonly string[] LastNames = ["Schmidt", "Rossi", "Dubois", "Garcia", "Silva", "de Vries", "Novak", "Huber"];
    private static readonly string[] Locales = ["de-DE", "fr-FR", "it-IT", "es-ES", "pt-PT", "nl-NL", "en-GB"];

    private readonly Random _random = new(seed);
    private long _eventNumber;

    /// <summary>The whole story of one customer, in the order things happen.</summary>
    public IReadOnlyList<SampleRecord> Customer(string customerId, DateTimeOffset start)
    {
        var records = new List<SampleRecord>();
        var at = start;
        DateTimeOffset Next() => at = at.AddMinutes(_random.Next(1, 90));

        var locale = Locales[_random.Next(Locales.Length)];
        records.Add(Record("accounts", "AccountCreated", customerId, Next(), new JsonObject
        {
            ["email"] = $"{customerId}@example.com",
            ["first_name"] = FirstNames[_random.Next(FirstNames.Length)],
            ["last_name"] = LastNames[_random.Next(LastNames.Length)],
            ["locale"] = locale,
            ["country"] = locale[^2..],
            ["marketing_opt_in"] = _random.Next(3) > 0,
        }));

        var city = Activities[_random.Next(Activities.Count)].City;
        var inCity = Activities.Where(a => a.City == city).ToList();
        foreach (var activity in inCity.Take(_random.Next(1, 3)))
            records.Add(Record("wishlists", "ActivityWishlisted", customerId, Next(), WithDetails(new JsonObject { ["activity_id"] = activity.ActivityId }, activity)));

        var tripStart = start.AddDays(_random.Next(3, 45)).Date.AddHours(9);
        var bookings = new List<(string BookingId, CatalogActivity Activity)>();
        for (var i = 0; i < _random.Next(1, 4); i++)
        {
            var activity = i == 0 ? inCity[0] : Activities[_random.Next(Activities.Count)];
            var price = new JsonObject { ["amount"] = _random.Next(25, 250) + 0.5m, ["currency"] = "EUR" };
            records.Add(Record("carts", "ActivityAddedToCart", customerId, Next(), WithDetails(new JsonObject
            {
                ["cart_id"] = $"cart_{customerId}_{i}",
                ["activity_id"] = activity.ActivityId,
                ["activity_date"] = tripStart.AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                ["price"] = price,
            }, activity)));
            var bookingId = $"bkg_{customerId}_{i}";
            var booking = new JsonObject
            {
                ["booking_id"] = bookingId,
                ["activity_id"] = activity.ActivityId,
                ["starts_at"] = new DateTimeOffset(tripStart.AddDays(i), TimeSpan.Zero).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                ["participants"] = _random.Next(1, 5),
                ["total_price"] = price.DeepClone(),
            };
            // A third of the bookings arrive without activity details: the catalog fills them in.
            records.Add(Record("bookings", "BookingCompleted", customerId, Next(), _random.Next(3) == 0 ? booking : WithDetails(booking, activity)));
            bookings.Add((bookingId, activity));
        }

        foreach (var (bookingId, activity) in bookings)
        {
            var fate = _random.Next(10);
            if (fate < 2)
                records.Add(Record("bookings", "BookingCancelled", customerId, Next(), new JsonObject { ["booking_id"] = bookingId }));
            else if (fate < 6)
                records.Add(Record("activities", "ActivityPreparationStarted", customerId, Next(), new JsonObject { ["booking_id"] = bookingId, ["activity_id"] = activity.ActivityId }));
            else if (fate < 8)
                records.Add(Record("activities", "ActivityConducted", customerId, Next(), new JsonObject { ["booking_id"] = bookingId, ["activity_id"] = activity.ActivityId }));
        }
        return records;
    }

    /// <summary>A record that breaks one rule of the contract, of a kind picked by the generator.</summary>
    public SampleRecord Malformed(string customerId)
    {
        return _random.Next(4) switch
        {
            0 => new SampleRecord("bookings", customerId, "{not json"u8.ToArray()),
            1 => Record("bookings", "BookingCompleted", customerId, DateTimeOffset.UtcNow, new JsonObject { ["activity_id"] = "act_paris_louvre" }),
            2 => new SampleRecord("accounts", customerId + "-other", Record("accounts", "AccountCreated", customerId, DateTimeOffset.UtcNow, new JsonObject { ["email"] = "x@example.com" }).Value),
            _ => Record("carts", "ActivityAddedToCart", customerId, DateTimeOffset.UtcNow, new JsonObject { ["cart_id"] = "c", ["activity_id"] = "a", ["activity_date"] = "next tuesday" }),
        };
    }

    public SampleRecord Record(string topic, string eventType, string customerId, DateTimeOffset occurredAt, JsonObject payload)
    {
        var envelope = new JsonObject
        {
            ["event_id"] = $"evt-{seed}-{Interlocked.Increment(ref _eventNumber)}",
            ["event_type"] = eventType,
            ["schema_version"] = 1,
            ["occurred_at"] = occurredAt.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["customer_id"] = customerId,
            ["payload"] = payload,
        };
        return new SampleRecord(topic, customerId, JsonSerializer.SerializeToUtf8Bytes(envelope));
    }

    private static JsonObject WithDetails(JsonObject payload, CatalogActivity activity)
    {
        payload["activity_title"] = activity.Title;
        payload["city"] = activity.City;
        payload["country"] = activity.Country;
        return payload;
    }
}
