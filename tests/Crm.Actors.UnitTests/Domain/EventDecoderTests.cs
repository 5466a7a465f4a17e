using System.Text;
using System.Text.Json.Nodes;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using static Crm.Actors.Testing.Events;

namespace Crm.Actors.UnitTests.Domain;

public class EventDecoderTests
{
    // ---- helpers: a valid envelope (Events.Envelope), changed only where a test says so ----

    private static JsonObject Wishlisted() =>
        Envelope("ActivityWishlisted", new JsonObject { ["activity_id"] = "act_1" });

    private static JsonObject BookingCompletedPayload() => new()
    {
        ["booking_id"] = "bkg_1",
        ["activity_id"] = "act_1",
        ["starts_at"] = "2026-12-24T10:00:00+01:00",
    };

    private static JsonObject CartPayload() => new()
    {
        ["cart_id"] = "cart_1",
        ["activity_id"] = "act_1",
    };

    private static DecodeResult Decode(JsonNode value, string? key = CustomerId) =>
        Decode(Encoding.UTF8.GetBytes(value.ToJsonString()), key);

    private static DecodeResult Decode(byte[] value, string? key = CustomerId) =>
        EventDecoder.Decode(key is null ? null : Encoding.UTF8.GetBytes(key), value);

    private static T Valid<T>(JsonNode value) where T : DomainEvent
    {
        var result = Decode(value);
        var valid = Assert.IsType<DecodeResult.Valid>(result);
        return Assert.IsType<T>(valid.Event);
    }

    private static string Malformed(DecodeResult result)
    {
        var malformed = Assert.IsType<DecodeResult.Malformed>(result);
        Assert.False(string.IsNullOrWhiteSpace(malformed.Reason));
        return malformed.Reason;
    }

    private static void AssertEnvelope(DomainEvent e)
    {
        Assert.Equal(EventId, e.EventId);
        Assert.Equal(CustomerId, e.CustomerId);
        Assert.Equal(At, e.OccurredAt);
        Assert.Equal(1, e.SchemaVersion);
    }

    // ---- the eight event types ----

    [Fact]
    public void AccountCreated_decodes_every_payload_field()
    {
        var e = Valid<AccountCreated>(Envelope("AccountCreated", new JsonObject
        {
            ["email"] = "anna@example.com",
            ["first_name"] = "Anna",
            ["last_name"] = "Schmidt",
            ["locale"] = "de-DE",
            ["country"] = "DE",
            ["marketing_opt_in"] = true,
        }));

        AssertEnvelope(e);
        Assert.Equal("anna@example.com", e.Email);
        Assert.Equal("Anna", e.FirstName);
        Assert.Equal("Schmidt", e.LastName);
        Assert.Equal("de-DE", e.Locale);
        Assert.Equal("DE", e.Country);
        Assert.True(e.MarketingOptIn);
    }

    [Fact]
    public void AccountCreated_with_only_the_email_leaves_optional_fields_null()
    {
        var e = Valid<AccountCreated>(Envelope("AccountCreated", new JsonObject { ["email"] = "anna@example.com" }));

        Assert.Equal("anna@example.com", e.Email);
        Assert.Null(e.FirstName);
        Assert.Null(e.LastName);
        Assert.Null(e.Locale);
        Assert.Null(e.Country);
        Assert.Null(e.MarketingOptIn);
    }

    [Fact]
    public void CustomerDeleted_decodes_with_an_empty_payload()
    {
        var e = Valid<CustomerDeleted>(Envelope("CustomerDeleted", new JsonObject()));

        AssertEnvelope(e);
    }

    [Fact]
    public void ActivityWishlisted_decodes_activity_and_details()
    {
        var e = Valid<ActivityWishlisted>(Envelope("ActivityWishlisted", new JsonObject
        {
            ["activity_id"] = "act_7",
            ["activity_title"] = "Harbour tour",
            ["city"] = "Hamburg",
            ["country"] = "DE",
        }));

        AssertEnvelope(e);
        Assert.Equal("act_7", e.ActivityId);
        Assert.Equal("act_7", e.ActivityId);
        Assert.Equal(new ActivityDetails("Harbour tour", "Hamburg", "DE"), e.Details);
    }

    [Fact]
    public void ActivityWishlisted_without_details_has_empty_details()
    {
        var e = Valid<ActivityWishlisted>(Wishlisted());

        Assert.Equal(ActivityDetails.Empty, e.Details);
    }

    [Fact]
    public void ActivityAddedToCart_decodes_cart_date_and_price()
    {
        var payload = CartPayload();
        payload["activity_title"] = "Harbour tour";
        payload["city"] = "Hamburg";
        payload["country"] = "DE";
        payload["activity_date"] = "2026-12-24";
        payload["price"] = new JsonObject { ["amount"] = 49.90m, ["currency"] = "EUR" };

        var e = Valid<ActivityAddedToCart>(Envelope("ActivityAddedToCart", payload));

        AssertEnvelope(e);
        Assert.Equal("cart_1", e.CartId);
        Assert.Equal("act_1", e.ActivityId);
        Assert.Equal("act_1", e.ActivityId);
        Assert.Equal(new ActivityDetails("Harbour tour", "Hamburg", "DE"), e.Details);
        Assert.Equal("2026-12-24", e.ActivityDate);
        Assert.Equal(new Money(49.90m, "EUR"), e.Price);
    }

    [Fact]
    public void BookingCompleted_decodes_start_participants_and_total_price()
    {
        var payload = BookingCompletedPayload();
        payload["activity_title"] = "Harbour tour";
        payload["city"] = "Hamburg";
        payload["country"] = "DE";
        payload["participants"] = 3;
        payload["total_price"] = new JsonObject { ["amount"] = 149.70m, ["currency"] = "EUR" };

        var e = Valid<BookingCompleted>(Envelope("BookingCompleted", payload));

        AssertEnvelope(e);
        Assert.Equal("bkg_1", e.BookingId);
        Assert.Equal("act_1", e.ActivityId);
        Assert.Equal(new DateTimeOffset(2026, 12, 24, 10, 0, 0, TimeSpan.FromHours(1)), e.StartsAt);
        Assert.Equal(TimeSpan.FromHours(1), e.StartsAt.Offset);
        Assert.Equal(new ActivityDetails("Harbour tour", "Hamburg", "DE"), e.Details);
        Assert.Equal(3, e.Participants);
        Assert.Equal(new Money(149.70m, "EUR"), e.TotalPrice);
    }

    [Fact]
    public void BookingCompleted_without_optional_fields_has_no_participants_nor_price()
    {
        var e = Valid<BookingCompleted>(Envelope("BookingCompleted", BookingCompletedPayload()));

        Assert.Null(e.Participants);
        Assert.Null(e.TotalPrice);
        Assert.Equal(ActivityDetails.Empty, e.Details);
    }

    [Fact]
    public void BookingCancelled_decodes_the_booking_id()
    {
        var e = Valid<BookingCancelled>(Envelope("BookingCancelled", new JsonObject { ["booking_id"] = "bkg_9" }));

        AssertEnvelope(e);
        Assert.Equal("bkg_9", e.BookingId);
    }

    [Fact]
    public void ActivityPreparationStarted_decodes_booking_and_activity()
    {
        var e = Valid<ActivityPreparationStarted>(Envelope("ActivityPreparationStarted", new JsonObject
        {
            ["booking_id"] = "bkg_2",
            ["activity_id"] = "act_2",
            ["city"] = "Berlin",
        }));

        AssertEnvelope(e);
        Assert.Equal("bkg_2", e.BookingId);
        Assert.Equal("act_2", e.ActivityId);
        Assert.Equal("act_2", e.ActivityId);
        Assert.Equal(new ActivityDetails(null, "Berlin", null), e.Details);
    }

    [Fact]
    public void ActivityConducted_decodes_booking_and_activity()
    {
        var e = Valid<ActivityConducted>(Envelope("ActivityConducted", new JsonObject
        {
            ["booking_id"] = "bkg_3",
            ["activity_id"] = "act_3",
            ["activity_title"] = "Zoo",
            ["country"] = "AT",
        }));

        AssertEnvelope(e);
        Assert.Equal("bkg_3", e.BookingId);
        Assert.Equal("act_3", e.ActivityId);
        Assert.Equal("act_3", e.ActivityId);
        Assert.Equal(new ActivityDetails("Zoo", null, "AT"), e.Details);
    }

    [Theory]
    [InlineData("2026-11-26T09:15:00Z")]
    [InlineData("2026-11-26T09:15:00.000Z")]
    [InlineData("2026-11-26T10:15:00+01:00")]
    [InlineData("2026-11-26T10:15:00+0100")]
    [InlineData("2026-11-26T04:15:00-05:00")]
    [InlineData("2026-11-26T09:15:00+00:00")]
    public void Occurred_at_with_any_iso_8601_offset_keeps_the_instant(string occurredAt)
    {
        var envelope = Wishlisted();
        envelope["occurred_at"] = occurredAt;

        var e = Valid<ActivityWishlisted>(envelope);

        Assert.Equal(At, e.OccurredAt);
    }

    [Fact]
    public void Higher_schema_versions_are_accepted()
    {
        var envelope = Wishlisted();
        envelope["schema_version"] = 3;

        Assert.Equal(3, Valid<ActivityWishlisted>(envelope).SchemaVersion);
    }

    // ---- compatibility ----

    [Fact]
    public void Unknown_fields_at_top_level_and_in_payload_are_ignored()
    {
        var payload = BookingCompletedPayload();
        payload["loyalty_tier"] = "gold";
        payload["extras"] = new JsonArray(1, "two", new JsonObject { ["three"] = 3 });
        var envelope = Envelope("BookingCompleted", payload);
        envelope["trace_id"] = "abc";
        envelope["producer"] = new JsonObject { ["service"] = "bookings", ["version"] = 7 };

        var e = Valid<BookingCompleted>(envelope);

        Assert.Equal("bkg_1", e.BookingId);
        AssertEnvelope(e);
    }

    [Fact]
    public void Unknown_event_type_is_reported_as_unknown_not_malformed()
    {
        var result = Decode(Envelope("GiftCardRedeemed", new JsonObject { ["code"] = "X" }));

        var unknown = Assert.IsType<DecodeResult.UnknownType>(result);
        Assert.Equal("GiftCardRedeemed", unknown.EventType);
    }

    // ---- malformed: the value itself ----

    [Fact]
    public void Value_that_is_not_json_is_malformed()
    {
        var reason = Malformed(Decode(Encoding.UTF8.GetBytes("this is { not json")));

        Assert.Contains("JSON", reason);
    }

    [Fact]
    public void Empty_value_is_malformed()
    {
        var reason = Malformed(Decode([]));

        Assert.Contains("empty", reason);
    }

    [Fact]
    public void Null_value_a_tombstone_is_malformed_and_said_so()
    {
        Assert.Equal("the value is null (a tombstone)", Malformed(EventDecoder.Decode(Encoding.UTF8.GetBytes(CustomerId), null)));
        Assert.Equal("the value is null (a tombstone)", Malformed(EventDecoder.Decode("bookings", Encoding.UTF8.GetBytes(CustomerId), null)));
    }

    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static byte[] Bytes(JsonNode value) => Encoding.UTF8.GetBytes(value.ToJsonString());

    [Fact]
    public void One_leading_byte_order_mark_is_ignored()
    {
        var valid = Assert.IsType<DecodeResult.Valid>(Decode([.. Bom, .. Bytes(Wishlisted())]));

        Assert.Equal("act_1", Assert.IsType<ActivityWishlisted>(valid.Event).ActivityId);
        Assert.IsType<DecodeResult.Valid>(Decode([.. Bom, .. " \n"u8, .. Bytes(Wishlisted())])); // whitespace after the mark is JSON's own
    }

    public static TheoryData<string, byte[]> ByteOrderMarksElsewhere => new()
    {
        { "two marks", [.. Bom, .. Bom, .. Bytes(Wishlisted())] },
        { "after whitespace", [.. " "u8, .. Bom, .. Bytes(Wishlisted())] },
        { "after the object", [.. Bytes(Wishlisted()), .. Bom] },
        { "between tokens", [.. Encoding.UTF8.GetBytes(Wishlisted().ToJsonString().Replace(",", ",\uFEFF"))] },
        { "mark only", Bom },
        { "half a mark", [0xEF, 0xBB, .. Bytes(Wishlisted())] },
    };

    [Theory]
    [MemberData(nameof(ByteOrderMarksElsewhere))]
    public void A_byte_order_mark_anywhere_else_stays_malformed(string where, byte[] value)
    {
        Assert.False(Decode(value) is DecodeResult.Valid, where);
        Malformed(Decode(value));
    }

    [Fact]
    public void A_byte_order_mark_inside_a_string_is_part_of_the_text()
    {
        var envelope = Wishlisted();
        envelope["payload"]!["activity_title"] = "\uFEFFParis";

        var e = Assert.IsType<ActivityWishlisted>(Assert.IsType<DecodeResult.Valid>(Decode([.. Bom, .. Bytes(envelope)])).Event);

        Assert.Equal("\uFEFFParis", e.Details.Title);
    }

    [Fact]
    public void Json_array_is_malformed_because_it_is_not_an_object()
    {
        var reason = Malformed(Decode(new JsonArray(Wishlisted())));

        Assert.Contains("array", reason);
        Assert.Contains("not an object", reason);
    }

    [Fact]
    public void Json_string_is_malformed_because_it_is_not_an_object()
    {
        var reason = Malformed(Decode(JsonValue.Create("ActivityWishlisted")));

        Assert.Contains("string", reason);
        Assert.Contains("not an object", reason);
    }

    [Fact]
    public void Value_over_one_mebibyte_is_malformed()
    {
        var envelope = Wishlisted();
        envelope["padding"] = new string('x', EventDecoder.MaxValueBytes);
        var bytes = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        Assert.True(bytes.Length > EventDecoder.MaxValueBytes);

        var reason = Malformed(Decode(bytes));

        Assert.Contains("1 MiB", reason);
    }

    [Fact]
    public void Value_of_exactly_one_mebibyte_is_accepted()
    {
        var envelope = Wishlisted();
        envelope["padding"] = "";
        var baseLength = Encoding.UTF8.GetBytes(envelope.ToJsonString()).Length;
        envelope["padding"] = new string('x', EventDecoder.MaxValueBytes - baseLength);
        var bytes = Encoding.UTF8.GetBytes(envelope.ToJsonString());
        Assert.Equal(EventDecoder.MaxValueBytes, bytes.Length);

        Assert.IsType<ActivityWishlisted>(Assert.IsType<DecodeResult.Valid>(Decode(bytes)).Event);
    }

    [Fact]
    public void Invalid_utf8_outside_strings_is_malformed()
    {
        var json = Encoding.UTF8.GetBytes(Wishlisted().ToJsonString());
        var bytes = new byte[json.Length + 2];
        json.CopyTo(bytes, 0);
        // Replace the closing brace by two bytes that are never valid UTF-8.
        bytes[json.Length - 1] = 0xFF;
        bytes[json.Length] = 0xFE;
        bytes[json.Length + 1] = (byte)'}';

        Malformed(Decode(bytes));
    }

    [Fact]
    public void Invalid_utf8_inside_a_required_string_is_malformed()
    {
        var bytes = WithInvalidUtf8In("event_id", Wishlisted());

        Malformed(Decode(bytes));
    }

    [Fact]
    public void Invalid_utf8_inside_an_optional_payload_string_is_malformed()
    {
        var envelope = Wishlisted();
        envelope["payload"]!["activity_title"] = "PLACEHOLDER";
        var bytes = WithInvalidUtf8("PLACEHOLDER", envelope);

        Malformed(Decode(bytes));
    }

    [Fact]
    public void Invalid_utf8_inside_an_unknown_field_is_malformed()
    {
        // The value as a whole is not UTF-8, even where the decoder would not look.
        var envelope = Wishlisted();
        envelope["payload"]!["future_field"] = "PLACEHOLDER";
        var bytes = WithInvalidUtf8("PLACEHOLDER", envelope);

        Malformed(Decode(bytes));
    }

    /// <summary>The envelope with the string value of <paramref name="field"/> replaced by bytes that are not UTF-8.</summary>
    private static byte[] WithInvalidUtf8In(string field, JsonObject envelope)
    {
        envelope[field] = "PLACEHOLDER";
        return WithInvalidUtf8("PLACEHOLDER", envelope);
    }

    private static byte[] WithInvalidUtf8(string placeholder, JsonObject envelope)
    {
        var json = envelope.ToJsonString();
        var at = json.IndexOf(placeholder, StringComparison.Ordinal);
        var before = Encoding.UTF8.GetBytes(json[..at]);
        var after = Encoding.UTF8.GetBytes(json[(at + placeholder.Length)..]);
        // 0xC3 starts a two-byte sequence; 0x28 is not a continuation byte. 0xFF never occurs in UTF-8.
        byte[] invalid = [(byte)'a', 0xC3, 0x28, 0xFF, (byte)'b'];
        return [.. before, .. invalid, .. after];
    }

    /// <summary>A valid envelope whose payload holds an unknown field of <paramref name="arrays"/> nested arrays.</summary>
    private static byte[] NestedArrays(int arrays)
    {
        var envelope = Wishlisted();
        envelope["payload"]!["deep"] = "PLACEHOLDER";
        var json = envelope.ToJsonString()
            .Replace("\"PLACEHOLDER\"", new string('[', arrays) + new string(']', arrays), StringComparison.Ordinal);
        return Encoding.UTF8.GetBytes(json);
    }

    [Fact]
    public void Nesting_deeper_than_64_is_malformed()
    {
        // envelope (1) > payload (2) > 63 arrays: depth 65.
        var reason = Malformed(Decode(NestedArrays(63)));

        Assert.Contains("JSON", reason);
    }

    [Fact]
    public void Nesting_of_64_levels_is_accepted()
    {
        // envelope (1) > payload (2) > 62 arrays: depth 64.
        Assert.IsType<DecodeResult.Valid>(Decode(NestedArrays(62)));
    }

    // ---- malformed: envelope fields ----

    public static TheoryData<string> RequiredStringFields => new() { "event_id", "event_type", "occurred_at", "customer_id" };

    public static TheoryData<string> RequiredEnvelopeFields =>
        new() { "event_id", "event_type", "schema_version", "occurred_at", "customer_id", "payload" };

    [Theory]
    [MemberData(nameof(RequiredEnvelopeFields))]
    public void Missing_envelope_field_is_malformed_and_named(string field)
    {
        var envelope = Wishlisted();
        envelope.Remove(field);

        var reason = Malformed(Decode(envelope));

        Assert.Contains(field, reason);
        Assert.Contains("missing", reason);
    }

    [Theory]
    [MemberData(nameof(RequiredStringFields))]
    public void Empty_envelope_string_is_malformed_and_named(string field)
    {
        var envelope = Wishlisted();
        envelope[field] = "";

        var reason = Malformed(Decode(envelope, key: field == "customer_id" ? "" : CustomerId));

        Assert.Contains(field, reason);
        Assert.Contains("empty", reason);
    }

    [Theory]
    [MemberData(nameof(RequiredStringFields))]
    public void Envelope_string_of_wrong_type_is_malformed_and_named(string field)
    {
        var envelope = Wishlisted();
        envelope[field] = 42;

        var reason = Malformed(Decode(envelope, key: field == "customer_id" ? "42" : CustomerId));

        Assert.Contains(field, reason);
        Assert.Contains("not a string", reason);
    }

    [Theory]
    [MemberData(nameof(RequiredStringFields))]
    public void Envelope_string_that_is_null_is_malformed_and_named(string field)
    {
        var envelope = Wishlisted();
        envelope[field] = null;

        var reason = Malformed(Decode(envelope));

        Assert.Contains(field, reason);
    }

    [Theory]
    [InlineData("\"1\"")]
    [InlineData("1.5")]
    [InlineData("true")]
    [InlineData("null")]
    public void Schema_version_that_is_not_an_integer_is_malformed(string json)
    {
        var envelope = Wishlisted();
        envelope["schema_version"] = JsonNode.Parse(json);

        var reason = Malformed(Decode(envelope));

        Assert.Contains("schema_version", reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Schema_version_below_one_is_malformed(int version)
    {
        var envelope = Wishlisted();
        envelope["schema_version"] = version;

        var reason = Malformed(Decode(envelope));

        Assert.Contains("schema_version", reason);
        Assert.Contains(version.ToString(System.Globalization.CultureInfo.InvariantCulture), reason);
    }

    [Theory]
    [InlineData("2026-11-26T09:15:00")]       // no offset
    [InlineData("2026-11-26T09:15:00.123")]   // no offset, fraction
    [InlineData("2026-11-26")]                // a date, no time nor offset
    public void Occurred_at_without_offset_is_malformed(string occurredAt)
    {
        var envelope = Wishlisted();
        envelope["occurred_at"] = occurredAt;

        var reason = Malformed(Decode(envelope));

        Assert.Contains("occurred_at", reason);
        Assert.Contains("offset", reason);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-45T09:15:00Z")]
    [InlineData("2026-11-26T25:61:00+01:00")]
    [InlineData("not-a-date-at-all-but-ending-in-Z")]
    public void Occurred_at_that_does_not_parse_is_malformed(string occurredAt)
    {
        var envelope = Wishlisted();
        envelope["occurred_at"] = occurredAt;

        var reason = Malformed(Decode(envelope));

        Assert.Contains("occurred_at", reason);
    }

    [Fact]
    public void Customer_id_of_129_characters_is_malformed()
    {
        var customerId = new string('c', 129);
        var envelope = Wishlisted();
        envelope["customer_id"] = customerId;

        var reason = Malformed(Decode(envelope, key: customerId));

        Assert.Contains("customer_id", reason);
        Assert.Contains("129", reason);
    }

    [Fact]
    public void Customer_id_of_128_characters_is_accepted()
    {
        var customerId = new string('c', 128);
        var envelope = Wishlisted();
        envelope["customer_id"] = customerId;

        var e = Assert.IsType<DecodeResult.Valid>(Decode(envelope, key: customerId)).Event;

        Assert.Equal(customerId, e.CustomerId);
    }

    [Fact]
    public void Customer_id_with_multibyte_characters_matches_its_utf8_key()
    {
        var customerId = "cüs_" + new string('€', 124); // 128 characters, 376 UTF-8 bytes
        var envelope = Wishlisted();
        envelope["customer_id"] = customerId;

        var e = Assert.IsType<DecodeResult.Valid>(Decode(envelope, key: customerId)).Event;

        Assert.Equal(customerId, e.CustomerId);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"{}\"")]
    [InlineData("42")]
    [InlineData("null")]
    public void Payload_that_is_not_an_object_is_malformed(string payload)
    {
        var envelope = Wishlisted();
        envelope["payload"] = JsonNode.Parse(payload);

        var reason = Malformed(Decode(envelope));

        Assert.Contains("payload", reason);
    }

    [Theory]
    [InlineData("cus_1002")]
    [InlineData("CUS_1001")]
    [InlineData("cus_1001 ")]
    [InlineData("")]
    public void Record_key_different_from_customer_id_is_malformed(string key)
    {
        var reason = Malformed(Decode(Wishlisted(), key));

        Assert.Contains("key", reason);
        Assert.Contains("customer_id", reason);
    }

    [Fact]
    public void Null_record_key_is_malformed()
    {
        var reason = Malformed(Decode(Wishlisted(), key: null));

        Assert.Contains("key", reason);
    }

    // ---- malformed: payload fields ----

    [Theory]
    [InlineData("AccountCreated", "email")]
    [InlineData("ActivityWishlisted", "activity_id")]
    [InlineData("ActivityAddedToCart", "cart_id")]
    [InlineData("ActivityAddedToCart", "activity_id")]
    [InlineData("BookingCompleted", "booking_id")]
    [InlineData("BookingCompleted", "activity_id")]
    [InlineData("BookingCompleted", "starts_at")]
    [InlineData("BookingCancelled", "booking_id")]
    [InlineData("ActivityPreparationStarted", "booking_id")]
    [InlineData("ActivityPreparationStarted", "activity_id")]
    [InlineData("ActivityConducted", "booking_id")]
    [InlineData("ActivityConducted", "activity_id")]
    public void Missing_required_payload_field_is_malformed_and_named(string eventType, string field)
    {
        var payload = CompletePayload(eventType);
        Assert.True(payload.Remove(field));

        var reason = Malformed(Decode(Envelope(eventType, payload)));

        Assert.Contains(field, reason);
        Assert.Contains("missing", reason);
    }

    [Theory]
    [InlineData("AccountCreated", "email")]
    [InlineData("ActivityAddedToCart", "cart_id")]
    [InlineData("BookingCompleted", "booking_id")]
    [InlineData("BookingCompleted", "starts_at")]
    [InlineData("BookingCancelled", "booking_id")]
    public void Empty_required_payload_field_is_malformed_and_named(string eventType, string field)
    {
        var payload = CompletePayload(eventType);
        payload[field] = "";

        var reason = Malformed(Decode(Envelope(eventType, payload)));

        Assert.Contains(field, reason);
        Assert.Contains("empty", reason);
    }

    [Theory]
    [InlineData("AccountCreated", "email")]
    [InlineData("ActivityWishlisted", "activity_id")]
    [InlineData("BookingCompleted", "booking_id")]
    [InlineData("ActivityConducted", "activity_id")]
    public void Required_payload_field_of_wrong_type_is_malformed_and_named(string eventType, string field)
    {
        var payload = CompletePayload(eventType);
        payload[field] = 17;

        var reason = Malformed(Decode(Envelope(eventType, payload)));

        Assert.Contains(field, reason);
        Assert.Contains("not a string", reason);
    }

    [Theory]
    [InlineData("activity_title", "42")]
    [InlineData("city", "[\"Berlin\"]")]
    [InlineData("country", "{}")]
    public void Optional_payload_string_of_wrong_type_is_malformed_and_named(string field, string json)
    {
        var envelope = Wishlisted();
        envelope["payload"]![field] = JsonNode.Parse(json);

        var reason = Malformed(Decode(envelope));

        Assert.Contains(field, reason);
    }

    [Fact]
    public void Marketing_opt_in_that_is_not_a_boolean_is_malformed()
    {
        var payload = CompletePayload("AccountCreated");
        payload["marketing_opt_in"] = "yes";

        var reason = Malformed(Decode(Envelope("AccountCreated", payload)));

        Assert.Contains("marketing_opt_in", reason);
    }

    [Theory]
    [InlineData("2026-12-24T10:00:00")]
    [InlineData("next christmas")]
    public void Starts_at_without_offset_or_unparsable_is_malformed(string startsAt)
    {
        var payload = BookingCompletedPayload();
        payload["starts_at"] = startsAt;

        var reason = Malformed(Decode(Envelope("BookingCompleted", payload)));

        Assert.Contains("starts_at", reason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void Participants_below_one_is_malformed(int participants)
    {
        var payload = BookingCompletedPayload();
        payload["participants"] = participants;

        var reason = Malformed(Decode(Envelope("BookingCompleted", payload)));

        Assert.Contains("participants", reason);
    }

    [Theory]
    [InlineData("\"2\"")]
    [InlineData("2.5")]
    public void Participants_that_is_not_an_integer_is_malformed(string json)
    {
        var payload = BookingCompletedPayload();
        payload["participants"] = JsonNode.Parse(json);

        var reason = Malformed(Decode(Envelope("BookingCompleted", payload)));

        Assert.Contains("participants", reason);
    }

    [Theory]
    [InlineData("24.12.2026")]
    [InlineData("2026-12-24T10:00:00Z")]
    [InlineData("2026-02-30")]
    [InlineData("2026-1-5")]
    public void Activity_date_not_in_yyyy_mm_dd_is_malformed(string date)
    {
        var payload = CartPayload();
        payload["activity_date"] = date;

        var reason = Malformed(Decode(Envelope("ActivityAddedToCart", payload)));

        Assert.Contains("activity_date", reason);
    }

    [Theory]
    [InlineData("{\"amount\":\"49.90\",\"currency\":\"EUR\"}")]
    [InlineData("{\"currency\":\"EUR\"}")]
    [InlineData("{\"amount\":null,\"currency\":\"EUR\"}")]
    public void Price_amount_that_is_not_a_number_is_malformed(string price)
    {
        var payload = CartPayload();
        payload["price"] = JsonNode.Parse(price);

        var reason = Malformed(Decode(Envelope("ActivityAddedToCart", payload)));

        Assert.Contains("price.amount", reason);
    }

    [Theory]
    [InlineData("{\"amount\":49.9}", "currency")]
    [InlineData("{\"amount\":49.9,\"currency\":\"EURO\"}", "currency")]
    [InlineData("\"49.90 EUR\"", "price")]
    public void Price_with_bad_currency_or_shape_is_malformed(string price, string named)
    {
        var payload = CartPayload();
        payload["price"] = JsonNode.Parse(price);

        var reason = Malformed(Decode(Envelope("ActivityAddedToCart", payload)));

        Assert.Contains(named, reason);
    }

    [Fact]
    public void Total_price_amount_that_is_not_a_number_is_malformed()
    {
        var payload = BookingCompletedPayload();
        payload["total_price"] = new JsonObject { ["amount"] = "lots", ["currency"] = "EUR" };

        var reason = Malformed(Decode(Envelope("BookingCompleted", payload)));

        Assert.Contains("total_price.amount", reason);
    }

    private static JsonObject CompletePayload(string eventType) => eventType switch
    {
        "AccountCreated" => new JsonObject { ["email"] = "anna@example.com" },
        "ActivityWishlisted" => new JsonObject { ["activity_id"] = "act_1" },
        "ActivityAddedToCart" => CartPayload(),
        "BookingCompleted" => BookingCompletedPayload(),
        "BookingCancelled" => new JsonObject { ["booking_id"] = "bkg_1" },
        "ActivityPreparationStarted" or "ActivityConducted" => new JsonObject { ["booking_id"] = "bkg_1", ["activity_id"] = "act_1" },
        _ => throw new ArgumentOutOfRangeException(nameof(eventType)),
    };
}
