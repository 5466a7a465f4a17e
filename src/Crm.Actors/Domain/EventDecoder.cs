using System.Text;
using System.Text.Json;

using Crm.Actors.EventTypes;

namespace Crm.Actors.Domain;

/// <summary>
/// Decodes and validates one record against <c>domain-events.md</c>. Pure: bytes in, a verdict out. The envelope is
/// read here; the payload by the record's <see cref="EventType"/>, found in an <see cref="EventCatalog"/> by its
/// <c>event_type</c> (a type the catalog does not know is skipped, not malformed). Unknown fields are ignored
/// (producers evolve); every rule of the contract's "What is malformed" is checked.
/// </summary>
public static class EventDecoder
{
    public const int MaxValueBytes = 1024 * 1024;
    public const int MaxCustomerIdLength = 128;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };

    /// <summary>U+FEFF encoded in UTF-8.</summary>
    private static ReadOnlySpan<byte> ByteOrderMark => "\uFEFF"u8;

    /// <summary>
    /// Decodes a record read from <paramref name="topic"/> with <paramref name="catalog"/>: also refuses a valid event on
    /// a topic meant for other types (<see cref="EventCatalog.BelongsOn"/>).
    /// </summary>
    public static DecodeResult Decode(EventCatalog catalog, string topic, ReadOnlySpan<byte> key, byte[]? value)
    {
        var result = Decode(catalog, key, value);
        if (result is not DecodeResult.Valid valid || catalog.BelongsOn(topic, valid.Type)) return result;
        return new DecodeResult.Malformed($"{valid.Type.Name} does not belong on topic {topic} (expected on {valid.Type.DefaultTopic})");
    }

    /// <summary>The contract's eight types (<see cref="EventCatalog.Default"/>).</summary>
    public static DecodeResult Decode(string topic, ReadOnlySpan<byte> key, byte[]? value) =>
        Decode(EventCatalog.Default, topic, key, value);

    /// <summary>The contract's eight types, whatever the topic.</summary>
    public static DecodeResult Decode(ReadOnlySpan<byte> key, byte[]? value) => Decode(EventCatalog.Default, key, value);

    /// <summary>
    /// Decodes a record's value (null: Kafka's tombstone, which carries no event). One leading UTF-8 byte-order mark
    /// (<c>EF BB BF</c>) is skipped, as RFC 8259 §8.1 lets a parser do and <c>domain-events.md</c> says; a second one, or
    /// one anywhere else outside a string, is not JSON. The 1 MiB limit counts the value as stored, mark included.
    /// </summary>
    public static DecodeResult Decode(EventCatalog catalog, ReadOnlySpan<byte> key, byte[]? value)
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
                return DecodeEnvelope(catalog, key, document.RootElement);
            }
            catch (MalformedException e)
            {
                return new DecodeResult.Malformed(e.Message);
            }
        }
    }

    private static DecodeResult DecodeEnvelope(EventCatalog catalog, ReadOnlySpan<byte> key, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new MalformedException($"value is a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object");

        var fields = new Payload(root);
        var envelope = new Envelope(
            fields.RequiredString("event_id"),
            fields.RequiredString("event_type"),
            fields.RequiredInt("schema_version", min: 1),
            fields.RequiredTimestamp("occurred_at"),
            fields.RequiredString("customer_id"));
        if (envelope.CustomerId.Length > MaxCustomerIdLength)
            throw new MalformedException($"customer_id is {envelope.CustomerId.Length} characters, over {MaxCustomerIdLength}");
        if (!root.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.Object)
            throw new MalformedException("payload is missing or not an object");
        if (!KeyEquals(key, envelope.CustomerId))
            throw new MalformedException("record key differs from customer_id");

        return catalog.Named(envelope.EventType) is { } type
            ? new DecodeResult.Valid(type.Decode(envelope, new Payload(payload)), type)
            : new DecodeResult.UnknownType(envelope.EventType);
    }

    private static bool KeyEquals(ReadOnlySpan<byte> key, string customerId)
    {
        Span<byte> buffer = stackalloc byte[MaxCustomerIdLength * 4];
        var written = Encoding.UTF8.GetBytes(customerId, buffer);
        return key.SequenceEqual(buffer[..written]);
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOf('\n');
        return end < 0 ? message : message[..end];
    }
}
