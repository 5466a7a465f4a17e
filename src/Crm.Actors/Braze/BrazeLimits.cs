using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;

namespace Crm.Actors.Braze;

/// <summary>
/// What Braze accepts, and the pure functions that keep every object within it. Where a limit is stated in a unit
/// open to two readings, the smaller one is used, so that no reading of Braze's can find a value over it.
/// Sources (braze.com/docs): "Data types" (user_guide/data/activation/custom_data/data_types), "Custom event properties",
/// "User data endpoints" (api/endpoints/user_data), "Rate limits" (api/api_limits), and Braze's docs issue
/// braze-inc/braze-docs#11804 on developer_guide/analytics#length-constraints.
/// </summary>
public static class BrazeLimits
{
    /// <summary>
    /// Longest string value, in UTF-16 code units. Braze: strings are "255 characters or fewer" (Data types), and are
    /// "truncated if they exceed 255 characters or 479 bytes" (docs issue #11804). Its SDKs count characters as UTF-16
    /// code units (Java's and JavaScript's <c>length</c>); a code-point count is never larger, so this bound holds for both.
    /// </summary>
    public const int MaxStringChars = 255;

    /// <summary>Longest string value in UTF-8 bytes (the 479 bytes of docs issue #11804).</summary>
    public const int MaxStringBytes = 479;

    /// <summary>
    /// Largest array attribute, and largest event or purchase <c>properties</c> object holding arrays or objects, in bytes of
    /// the JSON sent. Braze: "Arrays have a maximum size of 100 KB"; "event property objects that contain array or object
    /// values can be up to 100 KB" (Data types). Braze drops a larger one silently. KB read as 1,000 bytes.
    /// </summary>
    public const int MaxArrayBytes = 100_000;

    /// <summary>Largest request body. Braze: "All API endpoints have a data payload limit of 4 MB", 413 above (User data endpoints). MB read as 1,000,000 bytes.</summary>
    public const int MaxRequestBytes = 4_000_000;

    /// <summary>Most external ids in one <c>/users/delete</c> request (its endpoint page).</summary>
    public const int MaxDeleteIds = 50;

    /// <summary><c>/users/delete</c>'s own rate limit (shared with the alias, identify and merge endpoints; Rate limits).</summary>
    public const int DeleteRequestsPerMinute = 20_000;

    /// <summary>
    /// <paramref name="value"/> cut to at most <see cref="MaxStringChars"/> UTF-16 code units and <see cref="MaxStringBytes"/>
    /// UTF-8 bytes, on a code-point (<see cref="Rune"/>) boundary: a surrogate pair is kept whole or dropped whole. A lone
    /// surrogate (possible in input: JSON may escape one, <c>"\ud83d"</c>) becomes U+FFFD, as a UTF-8 encoder would make
    /// it, so the result is always valid Unicode. Returns <paramref name="value"/> itself when it is within the limits
    /// and well formed.
    /// </summary>
    public static string Cut(string value)
    {
        var text = value.AsSpan();
        int units = 0, bytes = 0, end = 0;
        var wellFormed = true;
        while (end < text.Length)
        {
            // Invalid or incomplete input decodes to U+FFFD, one unit consumed: what the output then holds.
            var status = Rune.DecodeFromUtf16(text[end..], out var rune, out var consumed);
            units += rune.Utf16SequenceLength;
            bytes += rune.Utf8SequenceLength;
            if (units > MaxStringChars || bytes > MaxStringBytes) break;
            wellFormed &= status == OperationStatus.Done;
            end += consumed;
        }
        if (wellFormed) return end == value.Length ? value : value[..end];

        var builder = new StringBuilder(end);
        Span<char> pair = stackalloc char[2];
        for (var i = 0; i < end;)
        {
            Rune.DecodeFromUtf16(text[i..end], out var rune, out var consumed);
            builder.Append(pair[..rune.EncodeToUtf16(pair)]);
            i += consumed;
        }
        return builder.ToString();
    }

    /// <summary>
    /// Why Braze would refuse <paramref name="name"/> as a property or attribute name, or null when it is fine. Braze:
    /// "non-empty strings, 255 characters or fewer, with no leading dollar signs" (Custom event properties); keys are also
    /// cut past 479 bytes (docs issue #11804).
    /// </summary>
    public static string? NameProblem(string name) => name switch
    {
        { Length: 0 } => "is empty",
        { Length: > MaxStringChars } => $"is {name.Length} characters, over {MaxStringChars}",
        _ when name[0] == '$' => "starts with '$', which Braze reserves",
        _ when Encoding.UTF8.GetByteCount(name) > MaxStringBytes => $"is {Encoding.UTF8.GetByteCount(name)} bytes, over {MaxStringBytes}",
        _ => null,
    };

    /// <summary>
    /// Makes one /users/track object fit Braze, in place, and renders it: every name checked (names are ours, so a bad one
    /// is a bug and throws <see cref="ArgumentException"/>), every string value <see cref="Cut"/>, and what Braze would
    /// silently drop bounded to <see cref="MaxArrayBytes"/>: each array of an attributes object, the <c>properties</c> of an
    /// event or a purchase as a whole. Bounding removes elements from the end of the largest array (our lists are soonest
    /// first, so the furthest trips go; the counts sent beside them stay whole). Throws <see cref="InvalidOperationException"/>
    /// when properties are too large with no array left to shorten, which no mapping of ours reaches.
    /// </summary>
    /// <returns>The object's JSON as sent (UTF-16 text; Braze receives it as UTF-8).</returns>
    public static string Fit(MarketingObjectKind kind, JsonObject json)
    {
        Sanitize(json, "");
        var rendered = json.ToJsonString();
        // Nothing inside is larger than the whole: most objects are done here.
        if (Encoding.UTF8.GetByteCount(rendered) <= MaxArrayBytes) return rendered;
        if (kind == MarketingObjectKind.Attributes)
        {
            foreach (var array in json.Select(p => p.Value).OfType<JsonArray>())
                while (JsonBytes(array) > MaxArrayBytes) array.RemoveAt(array.Count - 1);
        }
        else if (json["properties"] is JsonObject properties)
        {
            while (JsonBytes(properties) > MaxArrayBytes)
            {
                var largest = properties.Select(p => p.Value).OfType<JsonArray>().Where(a => a.Count > 0).MaxBy(JsonBytes)
                    ?? throw new InvalidOperationException($"properties of {JsonBytes(properties)} bytes, over Braze's {MaxArrayBytes}, and no array to shorten");
                largest.RemoveAt(largest.Count - 1);
            }
        }
        return json.ToJsonString();
    }

    /// <summary>UTF-8 bytes of a node as it is sent.</summary>
    public static int JsonBytes(JsonNode node) => Encoding.UTF8.GetByteCount(node.ToJsonString());

    /// <summary>Checks every name and cuts every string value of the tree, in place.</summary>
    private static void Sanitize(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (NameProblem(name) is { } problem)
                        throw new ArgumentException($"Braze name '{path}{name}' {problem}", nameof(node));
                    if (CutText(value) is { } cut) obj[name] = cut;
                    else Sanitize(value, $"{path}{name}.");
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (CutText(array[i]) is { } cut) array[i] = cut;
                    else Sanitize(array[i], $"{path}{i}.");
                }
                break;
        }
    }

    /// <summary>The cut text when <paramref name="node"/> is a string that needs cutting, else null.</summary>
    private static string? CutText(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && Cut(text) is var cut && !ReferenceEquals(cut, text) ? cut : null;
}
