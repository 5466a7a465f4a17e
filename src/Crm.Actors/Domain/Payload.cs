using System.Globalization;
using System.Text.Json;

namespace Crm.Actors.Domain;

/// <summary>
/// Thrown while reading a record that breaks a rule of <c>domain-events.md</c> ("What is malformed"): the message is
/// the short reason the dead letter carries (<c>crm-error</c>). Event type definitions throw it through
/// <see cref="Payload"/>'s readers, or directly for a rule of their own.
/// </summary>
public sealed class MalformedException(string reason) : Exception(reason);

/// <summary>
/// A JSON object of a record (its envelope or its payload), read by the contract's rules: a required field that is
/// missing, empty or of the wrong type, a date that does not parse or a number out of range throws
/// <see cref="MalformedException"/> naming the field; optional fields that are absent, null or empty read as null;
/// unknown fields are ignored (producers evolve).
/// </summary>
public readonly struct Payload(JsonElement obj)
{
    public JsonElement Json => obj;

    public string RequiredString(string name)
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

    public string? OptionalString(string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.String)
            throw new MalformedException($"{name} is a {Kind(value)}, not a string");
        var text = value.GetString()!;
        return text.Length == 0 ? null : text;
    }

    public int RequiredInt(string name, int min, int max = int.MaxValue) =>
        OptionalInt(name, min, max) ?? throw new MalformedException($"{name} is missing");

    public int? OptionalInt(string name, int min, int max = int.MaxValue)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
            throw new MalformedException($"{name} is not an integer");
        if (number < min)
            throw new MalformedException($"{name} is {number}, below {min}");
        if (number > max)
            throw new MalformedException($"{name} is {number}, above {max}");
        return number;
    }

    public bool? OptionalBool(string name)
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

    /// <summary>ISO 8601 with an offset (Z or ±hh:mm), as the contract's timestamps are.</summary>
    public DateTimeOffset RequiredTimestamp(string name)
    {
        var text = RequiredString(name);
        if (!HasOffset(text) || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
            throw new MalformedException($"{name} '{Shorten(text)}' is not an ISO 8601 timestamp with offset");
        return parsed;
    }

    /// <summary>A calendar date, YYYY-MM-DD, kept as written.</summary>
    public string? OptionalDate(string name)
    {
        var text = OptionalString(name);
        if (text is not null && !DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            throw new MalformedException($"{name} '{Shorten(text)}' is not a YYYY-MM-DD date");
        return text;
    }

    /// <summary>{amount (decimal), currency (ISO 4217, three letters)}.</summary>
    public Money? OptionalMoney(string name)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        if (value.ValueKind != JsonValueKind.Object)
            throw new MalformedException($"{name} is a {Kind(value)}, not an object");
        if (!value.TryGetProperty("amount", out var amount) || amount.ValueKind != JsonValueKind.Number || !amount.TryGetDecimal(out var decimalAmount))
            throw new MalformedException($"{name}.amount is missing or not a number");
        var currency = new Payload(value).RequiredString("currency");
        if (currency.Length != 3)
            throw new MalformedException($"{name}.currency '{Shorten(currency)}' is not an ISO 4217 code");
        return new Money(decimalAmount, currency);
    }

    /// <summary>activity_title, city and country, each optional (the catalog fills in what is missing).</summary>
    public ActivityDetails Details() => new(OptionalString("activity_title"), OptionalString("city"), OptionalString("country"));

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
}
