using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Crm.Actors.Domain;

/// <summary>
/// Decodes and validates one record against <c>domain-events.md</c>. Pure: bytes in, a verdict out.
/// Unknown fields are ignored (producers evolve); every rule of the contract's "What is malformed" is checked.
/// </summary>
public static class EventDecoder
{
    public const int MaxValueBytes = 1024 * 1024;
    public const int MaxCustomerIdLength = 128;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };

    /// <summary>U+FEFF encoded in UTF-8.</summary>
    private static ReadOnlySpan<byte> ByteOrderMark => "\uFEFF"u8;

    /// <summary>
    /// The default topic of each event type (the contract's table). A topic named after one of them — exactly, or
    /// as a dot/dash/underscore-separated part such as <c>prod.bookings</c> — only carries its own event types.
    /// </summary>
    private static readonly Dictionary<string, string> TopicOfEventType = new(StringComparer.Ordinal)
    {
        ["AccountCreated"] = "accounts",
        ["CustomerDeleted"] = "accounts",
        ["ActivityWishlisted"] = "wishlists",
        ["ActivityAddedToCart"] = "carts",
        ["BookingCompleted"] = "bookings",
        ["BookingCancelled"] = "bookings",
        ["ActivityPreparationStarted"] = "activities",
        ["ActivityConducted"] = "activities",
    };

    private static readonly HashSet<string> DefaultTopics = TopicOfEventType.Values.ToHashSet(StringComparer.Ordinal);

    /// <summary>Decodes a record read from <paramref name="topic"/>: also refuses a valid event on a topic meant for other types.</summary>
    public static DecodeResult Decode(string topic, ReadOnlySpan<byte> key, byte[]? value)
    {
        var result = Decode(key, value);
        if (result is not DecodeResult.Valid valid) return result;
        var eventType = EventTypeName(valid.Event);
        return !BelongsOn(topic, eventType)
            ? new DecodeResult.Malformed($"{eventType} does not belong on topic {topic} (expected on {TopicOfEventType[eventType]})")
            : result;
    }

    /// <summary>The event types a valid record on <paramref name="topic"/> may carry.</summary>
    public static IReadOnlyList<string> EventTypesOn(string topic) => TopicOfEventType.Keys.Where(type => BelongsOn(topic, type)).ToList();

    /// <summary>A topic named after one default topic carries only its types; any other topic carries all of them.</summary>
    private static bool BelongsOn(string topic, string eventType)
    {
        var families = topic.Split(['.', '-', '_']).Where(DefaultTopics.Contains).Distinct().ToList();
        return families.Count != 1 || families[0] == TopicOfEventType[eventType];
    }

    private static string EventTypeName(DomainEvent domainEvent) => domainEvent.GetType().Name;

    /// <summary>
    /// Decodes a record's value (null: Kafka's tombstone, which carries no event). One leading UTF-8 byte-order mark
    /// (<c>EF BB BF</c>) is skipped, as RFC 8259 §8.1 lets a parser do and <c>domain-events.md</c> says; a second one, or
    /// one anywhere else outside a string, is not JSON. The 1 MiB limit counts the value as stored, mark included.
    /// </summary>
    public static DecodeResult Decode(ReadOnlySpan<byte> key, byte[]? value)
    {
        if (value is null)
            return new DecodeResult.Malformed("the value is null (a tombstone)");
        if (value.Length > MaxValueBytes)
            return new DecodeResult.Malformed($"value is {value.Length} bytes, over the 1 MiB limit");
        if (value.Length == 0)
            return new DecodeResult.Malformed("value is empty");
        // JsonDocument does not validate the bytes inside strings; reading one later would throw.
        if (!System.Text.Unicode.Utf8.IsValid(value))
            return new DecodeResult.Malformed("value is not valid UTF-8");
        var json = value.AsMemory(value.AsSpan().StartsWith(ByteOrderMark) ? ByteOrderMark.Length : 0);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, JsonOptions);
        }
        catch (JsonException e)
        {
            return new DecodeResult.Malformed($"value is not JSON: {FirstLine(e.Message)}");
        }

        using (document)
        {
            try
            {
                return DecodeEnvelope(key, document.RootElement);
            }
            catch (MalformedException e)
            {
                return new DecodeResult.Malformed(e.Message);
            }
        }
    }

    private static DecodeResult DecodeEnvelope(ReadOnlySpan<byte> key, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new MalformedException($"value is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");

        var eventId = RequiredString(root, "event_id");
        var eventType = RequiredString(root, "event_type");
        var schemaVersion = RequiredInt(root, "schema_version", min: 1);
        var occurredAt = RequiredTimestamp(root, "occurred_at");
        var customerId = RequiredString(root, "customer_id");
        if (customerId.Length > MaxCustomerIdLength)
            throw new MalformedException($"customer_id is {customerId.Length} characters, over {MaxCustomerIdLength}");
        if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            throw new MalformedException("payload is missing or not an object");
        if (!KeyEquals(key, customerId))
            throw new MalformedException("record key differs from customer_id");

        DomainEvent? decoded = eventType switch
        {
            "AccountCreated" => new AccountCreated(
                RequiredString(payload, "email"),
                OptionalString(payload, "first_name"),
                OptionalString(payload, "last_name"),
                OptionalString(payload, "locale"),
                OptionalString(payload, "country"),
                OptionalBool(payload, "marketing_opt_in")) { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            "CustomerDeleted" => new CustomerDeleted { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            "ActivityWishlisted" => new ActivityWishlisted(
                RequiredString(payload, "activity_id"),
                Details(payload)) { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            "ActivityAddedToCart" => new ActivityAddedToCart(
                RequiredString(payload, "cart_id"),
                RequiredString(payload, "activity_id"),
                Details(payload),
                OptionalDate(payload, "activity_date"),
                OptionalMoney(payload, "price")) { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            "BookingCompleted" => new BookingCompleted(
                RequiredString(payload, "booking_id"),
                RequiredString(payload, "activity_id"),
                RequiredTimestamp(payload, "starts_at"),
                Details(payload),
                OptionalInt(payload, "participants", min: 1),
                OptionalMoney(payload, "total_price")) { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            "BookingCancelled" => new BookingCancelled(
                RequiredString(payload, "booking_id")) { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            "ActivityPreparationStarted" => new ActivityPreparationStarted(
                RequiredString(payload, "booking_id"),
                RequiredString(payload, "activity_id"),
                Details(payload)) { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            "ActivityConducted" => new ActivityConducted(
                RequiredString(payload, "booking_id"),
                RequiredString(payload, "activity_id"),
                Details(payload)) { EventId = eventId, CustomerId = customerId, OccurredAt = occurredAt, SchemaVersion = schemaVersion },
            _ => null,
        };
        return decoded is null ? new DecodeResult.UnknownType(eventType) : new DecodeResult.Valid(decoded);
    }

    private static ActivityDetails Details(JsonElement payload) => new(
        OptionalString(payload, "activity_title"),
        OptionalString(payload, "city"),
        OptionalString(payload, "country"));

    private static bool KeyEquals(ReadOnlySpan<byte> key, string customerId)
    {
        Span<byte> buffer = stackalloc byte[MaxCustomerIdLength * 4];
        var written = Encoding.UTF8.GetBytes(customerId, buffer);
        return key.SequenceEqual(buffer[..written]);
    }

    private static string RequiredString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value))
            throw new MalformedException($"{name} is missing");
        if (value.ValueKind != JsonValueKind.String)
            throw new MalformedException($"{name} is a {Kind(value)}, not a string");
        var text = value.GetString()!;
        if (text.Length == 0)
            throw new MalformedException($"{name} is empty");
        return text;
    }

    private static string? OptionalString(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new MalformedException($"{name} is a {Kind(value)}, not a string");
        var text = value.GetString()!;
        return text.Length == 0 ? null : text;
    }

    private static int RequiredInt(JsonElement obj, string name, int min) =>
        OptionalInt(obj, name, min) ?? throw new MalformedException($"{name} is missing");

    private static int? OptionalInt(JsonElement obj, string name, int min)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            throw new MalformedException($"{name} is not an integer");
        if (number < min)
            throw new MalformedException($"{name} is {number}, below {min}");
        return number;
    }

    private static bool? OptionalBool(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new MalformedException($"{name} is a {Kind(value)}, not a boolean"),
        };
    }

    private static DateTimeOffset RequiredTimestamp(JsonElement obj, string name)
    {
        var text = RequiredString(obj, name);
        if (!HasOffset(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            throw new MalformedException($"{name} '{Shorten(text)}' is not an ISO 8601 timestamp with offset");
        return parsed;
    }

    private static string? OptionalDate(JsonElement obj, string name)
    {
        var text = OptionalString(obj, name);
        if (text is not null && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            throw new MalformedException($"{name} '{Shorten(text)}' is not a YYYY-MM-DD date");
        return text;
    }

    private static Money? OptionalMoney(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Object)
            throw new MalformedException($"{name} is a {Kind(value)}, not an object");
        if (!value.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Number || !amount.TryGetDecimal(out var decimalAmount))
            throw new MalformedException($"{name}.amount is missing or not a number");
        var currency = RequiredString(value, "currency");
        if (currency.Length != 3)
            throw new MalformedException($"{name}.currency '{Shorten(currency)}' is not an ISO 4217 code");
        return new Money(decimalAmount, currency);
    }

    /// <summary>ISO 8601 "with offset": ends in Z or in ±hh:mm / ±hhmm.</summary>
    private static bool HasOffset(string text)
    {
        if (text.Length < 11 || text.IndexOf('T') < 0) return false;
        if (text[^1] is 'Z' or 'z') return true;
        var tail = text.AsSpan(text.Length - 6);
        if ((tail[0] is '+' or '-') && tail[3] == ':') return true;
        var compact = text.AsSpan(text.Length - 5);
        return (compact[0] is '+' or '-') && char.IsDigit(compact[1]) && char.IsDigit(compact[4]);
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Number => "number",
        JsonValueKind.String => "string",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n');
        return end < 0 ? message : message[..end];
    }

    private sealed class MalformedException(string reason) : Exception(reason);
}
