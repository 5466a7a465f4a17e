using Crm.Actors.Testing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.UnitTests.Domain;

public class EventTypeMappingTests
{
    private const string CustomerId = "cus_1";
    private static readonly DateTimeOffset Now = Events.At;
    private const string NowText = "2026-11-26T09:15:00Z";

    // ---- helpers ----

    private static AccountCreated Account(string email = "anna@example.com", string? firstName = "Anna", string? lastName = "Schmidt",
        string? locale = "de-DE", string? country = "DE", bool? optIn = true) =>
        Events.Account(CustomerId, email, firstName, lastName, locale, country, optIn);

    private static BookingCompleted Booking(string id, DateTimeOffset startsAt, ActivityDetails details, int? participants = 2, Money? price = null) =>
        Events.Booking(id, CustomerId, "act_" + id, startsAt, details, participants, price);

    private static Trip Trip(string id, int startsInDays, string? city, string? title = null) =>
        new(id, "act_" + id, title ?? "Tour " + id, city, "DE", Now.AddDays(startsInDays));

    private static CustomerState StateWith(params Trip[] trips) =>
        CustomerState.Empty.ApplyAll(trips.Select(t => (ICustomerStateEvent)new TripBooked(t)));

    /// <summary>What the customer actor does: after = before with the event's facts applied.</summary>
    private static IReadOnlyList<MarketingObject> Map(DomainEvent e, CustomerState before, ActivityDetails details) =>
        EventTypeDispatch.Map(e, before, before.ApplyAll(before.Decide(e, details)), details);

    private static JsonObject Json(MarketingObject o) => JsonNode.Parse(o.Json)!.AsObject();

    private static MarketingObject Single(IReadOnlyList<MarketingObject> objects, MarketingObjectKind kind) =>
        Assert.Single(objects, o => o.Kind == kind);

    private static void AssertJson(string expected, MarketingObject actual)
    {
        var expectedNode = JsonNode.Parse(expected);
        var actualNode = JsonNode.Parse(actual.Json);
        Assert.True(JsonNode.DeepEquals(expectedNode, actualNode),
            $"expected {expectedNode!.ToJsonString()}\n  actual {actualNode!.ToJsonString()}");
    }

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    private static string TripJson(Trip t) =>
        $$$"""{"booking_id":"{{{t.BookingId}}}","activity_id":"{{{t.ActivityId}}}","activity_title":"{{{t.ActivityTitle}}}","city":"{{{t.City}}}","country":"{{{t.Country}}}","starts_at":"{{{Iso(t.StartsAt)}}}"}""";

    private static IEnumerable<string> AllStrings(JsonNode? node) => node switch
    {
        JsonObject o => o.SelectMany(p => AllStrings(p.Value)),
        JsonArray a => a.SelectMany(AllStrings),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => [v.GetValue<string>()],
        _ => [],
    };

    // ---- one test per row of the mapping table ----

    [Fact]
    public void AccountCreated_maps_to_attributes_and_an_account_created_event()
    {
        var objects = Map(Account(), CustomerState.Empty, ActivityDetails.Empty);

        Assert.Equal([MarketingObjectKind.Attributes, MarketingObjectKind.Event], objects.Select(o => o.Kind).Order());
        AssertJson("""
            {"external_id":"cus_1","email":"anna@example.com","first_name":"Anna","last_name":"Schmidt",
             "language":"de","country":"DE","email_subscribe":"opted_in"}
            """, Single(objects, MarketingObjectKind.Attributes));
        AssertJson($$$"""{"external_id":"cus_1","name":"account_created","time":"{{{NowText}}}"}""", Single(objects, MarketingObjectKind.Event));
    }

    [Theory]
    [InlineData(true, "opted_in")]
    [InlineData(false, "subscribed")]
    [InlineData(null, "subscribed")]
    public void AccountCreated_email_subscribe_follows_marketing_opt_in(bool? optIn, string expected)
    {
        var attributes = Json(Single(Map(Account(optIn: optIn), CustomerState.Empty, ActivityDetails.Empty), MarketingObjectKind.Attributes));

        Assert.Equal(expected, (string?)attributes["email_subscribe"]);
    }

    [Theory]
    [InlineData("de-DE", "de")]
    [InlineData("en_GB", "en")]
    [InlineData("FR", "fr")]
    public void AccountCreated_language_is_the_language_part_of_the_locale(string locale, string language)
    {
        var attributes = Json(Single(Map(Account(locale: locale), CustomerState.Empty, ActivityDetails.Empty), MarketingObjectKind.Attributes));

        Assert.Equal(language, (string?)attributes["language"]);
    }

    [Fact]
    public void Event_time_is_occurred_at_in_utc()
    {
        var account = Account() with { OccurredAt = new DateTimeOffset(2026, 11, 26, 10, 15, 0, TimeSpan.FromHours(1)) };

        var brazeEvent = Json(Single(Map(account, CustomerState.Empty, ActivityDetails.Empty), MarketingObjectKind.Event));

        Assert.Equal(Now, DateTimeOffset.Parse((string)brazeEvent["time"]!, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ActivityWishlisted_maps_to_an_activity_wishlisted_event()
    {
        var details = new ActivityDetails("Harbour tour", "Hamburg", "DE");
        var e = new ActivityWishlisted("act_7", ActivityDetails.Empty) { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };

        var objects = Map(e, CustomerState.Empty, details);

        AssertJson($$$"""
            {"external_id":"cus_1","name":"activity_wishlisted","time":"{{{NowText}}}",
             "properties":{"activity_id":"act_7","activity_title":"Harbour tour","city":"Hamburg","country":"DE"}}
            """, Assert.Single(objects));
        Assert.Equal(MarketingObjectKind.Event, objects[0].Kind);
    }

    [Fact]
    public void ActivityAddedToCart_maps_to_an_event_with_price_as_a_number_and_currency()
    {
        var e = new ActivityAddedToCart("cart_1", "act_7", ActivityDetails.Empty, "2026-12-24", new Money(49.90m, "EUR"))
        {
            EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1,
        };

        var objects = Map(e, CustomerState.Empty, new ActivityDetails("Harbour tour", "Hamburg", "DE"));

        var brazeEvent = Assert.Single(objects);
        Assert.Equal(MarketingObjectKind.Event, brazeEvent.Kind);
        AssertJson($$$"""
            {"external_id":"cus_1","name":"activity_added_to_cart","time":"{{{NowText}}}",
             "properties":{"cart_id":"cart_1","activity_id":"act_7","activity_title":"Harbour tour","city":"Hamburg","country":"DE",
                           "activity_date":"2026-12-24","price":49.90,"currency":"EUR"}}
            """, brazeEvent);
        var price = Json(brazeEvent)["properties"]!["price"]!;
        Assert.Equal(JsonValueKind.Number, price.GetValueKind());
        Assert.Equal(49.90m, price.GetValue<decimal>());
    }

    [Fact]
    public void BookingCompleted_maps_to_event_purchase_and_trip_attributes()
    {
        var hamburg = Trip("B", 2, "Hamburg");
        var berlin = Trip("C", 5, "Berlin");
        var past = Trip("P", -1, "Paris");
        var before = StateWith(berlin, past, hamburg);
        var details = new ActivityDetails("City walk", "Munich", "DE");
        var startsAt = new DateTimeOffset(2026, 11, 29, 10, 15, 0, TimeSpan.FromHours(1)); // 09:15Z, in 3 days
        var e = Booking("A", startsAt, ActivityDetails.Empty, participants: 2, price: new Money(99.00m, "EUR"));

        var objects = Map(e, before, details);

        Assert.Equal(3, objects.Count);
        AssertJson($$$"""
            {"external_id":"cus_1","name":"booking_completed","time":"{{{NowText}}}",
             "properties":{"booking_id":"A","activity_id":"act_A","activity_title":"City walk","city":"Munich","country":"DE",
                           "starts_at":"2026-11-29T09:15:00Z","participants":2,
                           "other_upcoming_activities":[{{{TripJson(hamburg)}}},{{{TripJson(berlin)}}}],
                           "upcoming_activities_count":3}}
            """, Single(objects, MarketingObjectKind.Event));
        AssertJson($$$"""
            {"external_id":"cus_1","product_id":"act_A","currency":"EUR","price":99.00,"quantity":1,"time":"{{{NowText}}}",
             "properties":{"booking_id":"A"}}
            """, Single(objects, MarketingObjectKind.Purchase));
        AssertJson($$$"""
            {"external_id":"cus_1","upcoming_trip_cities":["Hamburg","Munich","Berlin"],
             "next_trip_starts_at":"{{{Iso(hamburg.StartsAt)}}}","upcoming_activities_count":3}
            """, Single(objects, MarketingObjectKind.Attributes));
    }

    [Fact]
    public void BookingCompleted_without_total_price_sends_no_purchase()
    {
        var e = Booking("A", Now.AddDays(3), ActivityDetails.Empty, price: null);

        var objects = Map(e, CustomerState.Empty, new ActivityDetails("Walk", "Munich", "DE"));

        Assert.DoesNotContain(objects, o => o.Kind == MarketingObjectKind.Purchase);
        Single(objects, MarketingObjectKind.Event);
        Single(objects, MarketingObjectKind.Attributes);
    }

    [Fact]
    public void BookingCompleted_lists_at_most_ten_other_trips_soonest_first_but_counts_them_all()
    {
        var others = Enumerable.Range(1, 12).Select(i => Trip($"T{i:00}", 20 - i, "Berlin")).ToArray(); // T12 soonest
        var e = Booking("A", Now.AddDays(1), ActivityDetails.Empty);

        var objects = Map(e, StateWith(others), ActivityDetails.Empty);

        var properties = Json(Single(objects, MarketingObjectKind.Event))["properties"]!;
        var listed = properties["other_upcoming_activities"]!.AsArray().Select(t => (string)t!["booking_id"]!).ToList();
        Assert.Equal(others.OrderBy(t => t.StartsAt).Take(10).Select(t => t.BookingId), listed);
        Assert.DoesNotContain("A", listed);
        Assert.Equal(13, (int)properties["upcoming_activities_count"]!);
        Assert.Equal(13, (int)Json(Single(objects, MarketingObjectKind.Attributes))["upcoming_activities_count"]!);
    }

    [Fact]
    public void BookingCompleted_as_only_trip_has_no_others_and_counts_one()
    {
        var e = Booking("A", Now.AddDays(1), ActivityDetails.Empty);

        var properties = Json(Single(Map(e, CustomerState.Empty, ActivityDetails.Empty), MarketingObjectKind.Event))["properties"]!;

        Assert.Empty(properties["other_upcoming_activities"]!.AsArray());
        Assert.Equal(1, (int)properties["upcoming_activities_count"]!);
    }

    [Fact]
    public void Trip_attributes_list_each_city_once_soonest_first()
    {
        var before = StateWith(Trip("B", 2, "Hamburg"), Trip("C", 4, "Berlin"), Trip("D", 6, "Hamburg"), Trip("E", 8, null));
        var e = Booking("A", Now.AddDays(5), ActivityDetails.Empty);

        var attributes = Json(Single(Map(e, before, new ActivityDetails(null, "Berlin", null)), MarketingObjectKind.Attributes));

        Assert.Equal(["Hamburg", "Berlin"], attributes["upcoming_trip_cities"]!.AsArray().Select(c => (string)c!));
        Assert.Equal(5, (int)attributes["upcoming_activities_count"]!);
    }

    [Fact]
    public void BookingCancelled_maps_to_an_event_with_the_activity_of_the_trip_and_trip_attributes()
    {
        var cancelledTrip = Trip("A", 3, "Munich");
        var remaining = Trip("B", 5, "Hamburg");
        var e = new BookingCancelled("A") { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };

        var objects = Map(e, StateWith(cancelledTrip, remaining), ActivityDetails.Empty);

        Assert.Equal(2, objects.Count);
        AssertJson($$$"""
            {"external_id":"cus_1","name":"booking_cancelled","time":"{{{NowText}}}",
             "properties":{"booking_id":"A","activity_id":"act_A"}}
            """, Single(objects, MarketingObjectKind.Event));
        AssertJson($$$"""
            {"external_id":"cus_1","upcoming_trip_cities":["Hamburg"],"next_trip_starts_at":"{{{Iso(remaining.StartsAt)}}}",
             "upcoming_activities_count":1}
            """, Single(objects, MarketingObjectKind.Attributes));
    }

    [Fact]
    public void BookingCancelled_of_the_last_trip_sets_next_trip_starts_at_to_null()
    {
        var e = new BookingCancelled("A") { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };

        var objects = Map(e, StateWith(Trip("A", 3, "Munich")), ActivityDetails.Empty);

        var attributes = Single(objects, MarketingObjectKind.Attributes);
        AssertJson("""{"external_id":"cus_1","upcoming_trip_cities":[],"next_trip_starts_at":null,"upcoming_activities_count":0}""", attributes);
        Assert.True(Json(attributes).ContainsKey("next_trip_starts_at"));
    }

    [Fact]
    public void BookingCancelled_of_an_unknown_booking_leaves_activity_id_out()
    {
        var e = new BookingCancelled("X") { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };

        var objects = Map(e, CustomerState.Empty, ActivityDetails.Empty);

        AssertJson($$$"""
            {"external_id":"cus_1","name":"booking_cancelled","time":"{{{NowText}}}","properties":{"booking_id":"X"}}
            """, Single(objects, MarketingObjectKind.Event));
    }

    [Fact]
    public void ActivityPreparationStarted_maps_to_an_event_with_start_and_other_trips_in_the_same_city()
    {
        var prepared = Trip("A", 3, "Berlin");
        var sameCityLater = Trip("B", 5, "Berlin");
        var sameCitySooner = Trip("C", 1, "Berlin");
        var otherCity = Trip("D", 2, "Hamburg");
        var sameCityPast = Trip("P", -2, "Berlin");
        var before = StateWith(prepared, sameCityLater, sameCitySooner, otherCity, sameCityPast);
        var e = new ActivityPreparationStarted("A", "act_A", ActivityDetails.Empty)
        {
            EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1,
        };

        var objects = Map(e, before, new ActivityDetails("Tour A", "Berlin", "DE"));

        var brazeEvent = Assert.Single(objects);
        Assert.Equal(MarketingObjectKind.Event, brazeEvent.Kind);
        AssertJson($$$"""
            {"external_id":"cus_1","name":"activity_preparation_started","time":"{{{NowText}}}",
             "properties":{"booking_id":"A","activity_id":"act_A","activity_title":"Tour A","city":"Berlin","country":"DE",
                           "starts_at":"{{{Iso(prepared.StartsAt)}}}",
                           "other_upcoming_activities_in_city":[{{{TripJson(sameCitySooner)}}},{{{TripJson(sameCityLater)}}}]}}
            """, brazeEvent);
    }

    [Fact]
    public void ActivityPreparationStarted_lists_at_most_ten_trips_in_the_city()
    {
        var trips = Enumerable.Range(1, 12).Select(i => Trip($"T{i:00}", i, "Berlin")).Append(Trip("A", 30, "Berlin")).ToArray();
        var e = new ActivityPreparationStarted("A", "act_A", ActivityDetails.Empty)
        {
            EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1,
        };

        var properties = Json(Assert.Single(Map(e, StateWith(trips), new ActivityDetails(null, "Berlin", null))))["properties"]!;

        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"T{i:00}"),
            properties["other_upcoming_activities_in_city"]!.AsArray().Select(t => (string)t!["booking_id"]!));
    }

    [Fact]
    public void ActivityConducted_maps_to_an_event_and_trip_attributes_without_the_conducted_trip()
    {
        var conducted = Trip("A", 1, "Berlin");
        var remaining = Trip("B", 4, "Hamburg");
        var e = new ActivityConducted("A", "act_A", ActivityDetails.Empty) { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };

        var objects = Map(e, StateWith(conducted, remaining), new ActivityDetails("Tour A", "Berlin", "DE"));

        Assert.Equal(2, objects.Count);
        AssertJson($$$"""
            {"external_id":"cus_1","name":"activity_conducted","time":"{{{NowText}}}",
             "properties":{"booking_id":"A","activity_id":"act_A","activity_title":"Tour A","city":"Berlin","country":"DE"}}
            """, Single(objects, MarketingObjectKind.Event));
        AssertJson($$$"""
            {"external_id":"cus_1","upcoming_trip_cities":["Hamburg"],"next_trip_starts_at":"{{{Iso(remaining.StartsAt)}}}",
             "upcoming_activities_count":1}
            """, Single(objects, MarketingObjectKind.Attributes));
    }

    [Fact]
    public void CustomerDeleted_maps_to_a_single_user_delete()
    {
        var e = new CustomerDeleted { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };

        var objects = Map(e, StateWith(Trip("A", 1, "Berlin")), ActivityDetails.Empty);

        var delete = Assert.Single(objects);
        Assert.Equal(MarketingObjectKind.UserDelete, delete.Kind);
        Assert.Equal(CustomerId, delete.ExternalId);
        Assert.Equal(CustomerId, JsonSerializer.Deserialize<string>(delete.Json));
    }

    // ---- rules that hold for every object ----

    [Fact]
    public void Fields_without_value_are_left_out_never_sent_as_empty_strings()
    {
        var account = Account(firstName: "", lastName: null, locale: null, country: "", optIn: null);
        var accountAttributes = Single(Map(account, CustomerState.Empty, ActivityDetails.Empty), MarketingObjectKind.Attributes);
        AssertJson("""{"external_id":"cus_1","email":"anna@example.com","email_subscribe":"subscribed"}""", accountAttributes);

        var wishlisted = new ActivityWishlisted("act_7", ActivityDetails.Empty) { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };
        AssertJson($$$"""{"external_id":"cus_1","name":"activity_wishlisted","time":"{{{NowText}}}","properties":{"activity_id":"act_7"}}""",
            Assert.Single(Map(wishlisted, CustomerState.Empty, new ActivityDetails("", null, ""))));

        var cart = new ActivityAddedToCart("cart_1", "act_7", ActivityDetails.Empty, null, null) { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };
        AssertJson($$$"""{"external_id":"cus_1","name":"activity_added_to_cart","time":"{{{NowText}}}","properties":{"cart_id":"cart_1","activity_id":"act_7"}}""",
            Assert.Single(Map(cart, CustomerState.Empty, ActivityDetails.Empty)));

        var booking = Booking("A", Now.AddDays(2), ActivityDetails.Empty, participants: null);
        var bookingEvent = Json(Single(Map(booking, StateWith(new Trip("B", "act_B", null, null, null, Now.AddDays(1))), ActivityDetails.Empty), MarketingObjectKind.Event));
        var properties = bookingEvent["properties"]!.AsObject();
        Assert.Equal(
            new[] { "activity_id", "booking_id", "other_upcoming_activities", "starts_at", "upcoming_activities_count" },
            properties.Select(p => p.Key).Order(StringComparer.Ordinal));
        var other = Assert.Single(properties["other_upcoming_activities"]!.AsArray())!.AsObject();
        Assert.Equal(new[] { "activity_id", "booking_id", "starts_at" }, other.Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string> AllEventTypes => new()
    {
        "AccountCreated", "ActivityWishlisted", "ActivityAddedToCart", "BookingCompleted", "BookingCancelled",
        "ActivityPreparationStarted", "ActivityConducted", "CustomerDeleted",
    };

    /// <summary>An event of each type with every optional field present, over a state with a few trips.</summary>
    private static (DomainEvent Event, CustomerState Before, ActivityDetails Details) Scenario(string eventType, string customerId = CustomerId, string? longText = null)
    {
        var text = longText ?? "Text";
        var details = new ActivityDetails(text, longText ?? "Berlin", text);
        var before = StateWith(
            new Trip("A", "act_A", text, longText ?? "Berlin", text, Now.AddDays(3)),
            new Trip("B", "act_B", text, longText ?? "Berlin", text, Now.AddDays(5)));
        DomainEvent e = eventType switch
        {
            "AccountCreated" => new AccountCreated(longText ?? "anna@example.com", text, text, "de-DE", text, true) { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            "ActivityWishlisted" => new ActivityWishlisted("act_W", ActivityDetails.Empty) { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            "ActivityAddedToCart" => new ActivityAddedToCart(text, "act_W", ActivityDetails.Empty, "2026-12-24", new Money(10m, "EUR")) { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            "BookingCompleted" => new BookingCompleted("N", longText ?? "act_N", Now.AddDays(4), ActivityDetails.Empty, 2, new Money(10m, "EUR")) { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            "BookingCancelled" => new BookingCancelled("A") { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            "ActivityPreparationStarted" => new ActivityPreparationStarted("A", "act_A", ActivityDetails.Empty) { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            "ActivityConducted" => new ActivityConducted("A", "act_A", ActivityDetails.Empty) { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            "CustomerDeleted" => new CustomerDeleted() { EventId = "e", CustomerId = customerId, OccurredAt = Now, SchemaVersion = 1 },
            _ => throw new ArgumentOutOfRangeException(nameof(eventType)),
        };
        return (e, before, details);
    }

    [Theory]
    [MemberData(nameof(AllEventTypes))]
    public void Every_object_identifies_the_user_by_external_id_equal_to_customer_id(string eventType)
    {
        var (e, before, details) = Scenario(eventType, customerId: "cus_42");

        var objects = Map(e, before, details);

        Assert.NotEmpty(objects);
        foreach (var o in objects)
        {
            Assert.Equal("cus_42", o.ExternalId);
            if (o.Kind == MarketingObjectKind.UserDelete)
                Assert.Equal("cus_42", JsonSerializer.Deserialize<string>(o.Json));
            else
                Assert.Equal("cus_42", (string?)Json(o)["external_id"]);
        }
    }

    [Theory]
    [MemberData(nameof(AllEventTypes))]
    public void No_object_carries_an_empty_string(string eventType)
    {
        var (e, before, details) = Scenario(eventType);

        foreach (var o in Map(e, before, details))
            Assert.DoesNotContain("", AllStrings(JsonNode.Parse(o.Json)));
    }

    [Theory]
    [MemberData(nameof(AllEventTypes))]
    public void Strings_longer_than_255_characters_are_cut_to_255(string eventType)
    {
        var longText = new string('x', 300);
        var (e, before, details) = Scenario(eventType, longText: longText);

        var strings = Map(e, before, details).SelectMany(o => AllStrings(JsonNode.Parse(o.Json))).ToList();

        Assert.All(strings, s => Assert.True(s.Length <= BrazeObjects.MaxStringLength, $"a string of {s.Length} characters was sent"));
        if (eventType != "CustomerDeleted")
            Assert.Contains(new string('x', 255), strings);
    }

    [Fact]
    public void Strings_of_255_characters_are_kept_whole()
    {
        var title = new string('t', 255);
        var e = new ActivityWishlisted("act_7", ActivityDetails.Empty) { EventId = "e", CustomerId = CustomerId, OccurredAt = Now, SchemaVersion = 1 };

        var properties = Json(Assert.Single(Map(e, CustomerState.Empty, new ActivityDetails(title, null, null))))["properties"]!;

        Assert.Equal(title, (string?)properties["activity_title"]);
    }

    [Fact]
    public void Long_strings_are_cut_in_every_place_they_appear()
    {
        var longCity = new string('c', 300);
        var longTitle = new string('t', 300);
        var before = StateWith(new Trip("B", "act_B", longTitle, longCity, "DE", Now.AddDays(1)));
        var e = Booking("A", Now.AddDays(2), ActivityDetails.Empty) with { ActivityId = new string('a', 300), TotalPrice = new Money(1m, "EUR") };

        var objects = Map(e, before, new ActivityDetails(longTitle, longCity, "DE"));

        var properties = Json(Single(objects, MarketingObjectKind.Event))["properties"]!;
        Assert.Equal(new string('t', 255), (string?)properties["activity_title"]);
        Assert.Equal(new string('a', 255), (string?)properties["activity_id"]);
        Assert.Equal(new string('t', 255), (string?)properties["other_upcoming_activities"]![0]!["activity_title"]);
        Assert.Equal(new string('a', 255), (string?)Json(Single(objects, MarketingObjectKind.Purchase))["product_id"]);
        Assert.Equal([new string('c', 255)], Json(Single(objects, MarketingObjectKind.Attributes))["upcoming_trip_cities"]!.AsArray().Select(c => (string)c!));
    }

    public static TheoryData<string, string> EventTypesAndWideTexts()
    {
        var data = new TheoryData<string, string>();
        string[] texts =
        [
            new string('a', 254) + "😀b", // the reported last_name: a cut by UTF-16 units split the emoji
            string.Concat(Enumerable.Repeat("😀", 200)),
            new string('ü', 300),
            "x\uD83Dy", // a lone surrogate, as a JSON escape in a record would give it
        ];
        foreach (var eventType in AllEventTypes)
            foreach (var text in texts)
                data.Add(eventType, text);
        return data;
    }

    [Theory]
    [MemberData(nameof(EventTypesAndWideTexts))]
    public void Every_string_is_cut_on_a_code_point_within_255_units_and_479_bytes_and_stays_valid_unicode(string eventType, string text)
    {
        var (e, before, details) = Scenario(eventType, longText: System.Text.RegularExpressions.Regex.Unescape(text));

        foreach (var o in Map(e, before, details))
        {
            // The JSON as sent parses, and every string in it reads as valid UTF-16 (System.Text.Json refuses a lone surrogate).
            foreach (var s in AllStrings(JsonNode.Parse(o.Json)))
            {
                Assert.True(s.Length <= 255, $"{s.Length} units");
                Assert.True(System.Text.Encoding.UTF8.GetByteCount(s) <= 479, $"{System.Text.Encoding.UTF8.GetByteCount(s)} bytes");
                new System.Text.UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(s);
            }
        }
    }

    [Fact]
    public void AccountCreated_last_name_of_254_a_an_emoji_and_b_reaches_braze_as_the_254_a()
    {
        var objects = Map(Account(lastName: new string('a', 254) + "😀b"), CustomerState.Empty, ActivityDetails.Empty);

        Assert.Equal(new string('a', 254), (string?)Json(Single(objects, MarketingObjectKind.Attributes))["last_name"]);
    }

    [Fact]
    public void Ten_other_trips_of_the_widest_strings_stay_within_braze_s_100_KB_and_all_are_listed()
    {
        // 255 characters the encoder escapes to six bytes each: the largest any cut string gets on the wire.
        var widest = new string('<', 300);
        var trips = Enumerable.Range(0, 12).Select(i => new Trip($"{widest}{i:00}", widest, widest, widest, widest, Now.AddDays(i + 1))).ToArray();
        var e = Booking(widest, Now.AddDays(30), new ActivityDetails(widest, widest, widest)) with { ActivityId = widest };

        var properties = Json(Single(Map(e, StateWith(trips), new ActivityDetails(widest, widest, widest)), MarketingObjectKind.Event))["properties"]!;

        Assert.InRange(BrazeLimits.JsonBytes(properties), 80_000, BrazeLimits.MaxArrayBytes);
        Assert.Equal(BrazeObjects.MaxListedTrips, properties["other_upcoming_activities"]!.AsArray().Count);
        Assert.Equal(13, (int)properties["upcoming_activities_count"]!);
    }
}
