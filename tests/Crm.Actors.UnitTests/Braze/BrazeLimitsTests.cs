using System.Text;
using System.Text.Json.Nodes;
using Crm.Actors.Braze;

namespace Crm.Actors.UnitTests.Braze;

/// <summary>Braze's limits as pure functions: strings cut on code points, names checked, arrays bounded (<see cref="BrazeLimits"/>).</summary>
public class BrazeLimitsTests
{
    private const string Emoji = "😀"; // U+1F600: 2 UTF-16 units, 4 UTF-8 bytes

    /// <summary>A different way to the same rule: runes in order (invalid ones as U+FFFD) while both limits hold.</summary>
    private static string Reference(string value)
    {
        var result = new StringBuilder();
        int units = 0, bytes = 0;
        foreach (var rune in value.EnumerateRunes())
        {
            if (units + rune.Utf16SequenceLength > 255 || bytes + rune.Utf8SequenceLength > 479) break;
            units += rune.Utf16SequenceLength;
            bytes += rune.Utf8SequenceLength;
            result.Append(rune.ToString());
        }
        return result.ToString();
    }

    private static void AssertValidWithinLimits(string cut)
    {
        Assert.True(cut.Length <= 255, $"{cut.Length} UTF-16 units");
        Assert.True(Encoding.UTF8.GetByteCount(cut) <= 479, $"{Encoding.UTF8.GetByteCount(cut)} bytes");
        // A lone surrogate cannot be encoded strictly: this throws on one.
        new UTF8Encoding(false, throwOnInvalidBytes: true).GetBytes(cut);
    }

    public static TheoryData<string> Middles => new() { Emoji, "ü", "€", "\uD83D", "\uDE00", "\uDE00\uD83D", Emoji + Emoji, "e\u0301" };

    [Theory]
    [MemberData(nameof(Middles))]
    public void Every_cut_around_the_limit_is_valid_maximal_and_a_prefix(string middle)
    {
        for (var before = 230; before <= 262; before++)
        for (var after = 0; after <= 3; after++)
        {
            var value = new string('a', before) + middle + new string('b', after);

            var cut = BrazeLimits.Cut(value);

            AssertValidWithinLimits(cut);
            Assert.Equal(Reference(value), cut);
        }
    }

    [Fact]
    public void The_reported_last_name_keeps_its_254_a_and_drops_the_emoji_whole()
    {
        // 254 units + 2 for the emoji is over 255: the emoji goes whole, never half of it.
        Assert.Equal(new string('a', 254), BrazeLimits.Cut(new string('a', 254) + Emoji + "b"));
        Assert.Equal(new string('a', 253) + Emoji, BrazeLimits.Cut(new string('a', 253) + Emoji + "b"));
    }

    [Theory]
    [InlineData("ü", 239)] // 2 bytes each: 478 bytes
    [InlineData("€", 159)] // 3 bytes each: 477 bytes
    [InlineData(Emoji, 119)] // 4 bytes each: 476 bytes, 238 units
    public void Multibyte_text_is_cut_by_its_479_utf8_bytes(string character, int kept)
    {
        var cut = BrazeLimits.Cut(string.Concat(Enumerable.Repeat(character, 300)));

        Assert.Equal(string.Concat(Enumerable.Repeat(character, kept)), cut);
    }

    [Fact]
    public void A_lone_surrogate_becomes_the_replacement_character()
    {
        Assert.Equal("ab\uFFFDc\uFFFD", BrazeLimits.Cut("ab\uD83Dc\uDE00"));
    }

    [Fact]
    public void Values_within_the_limits_are_returned_as_they_are()
    {
        var value = new string('a', 253) + Emoji;

        Assert.Same(value, BrazeLimits.Cut(value));
        Assert.Same("", BrazeLimits.Cut(""));
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("$booking_id", "'$'")]
    [InlineData("$", "'$'")]
    public void Names_braze_refuses_are_found(string name, string problem)
    {
        Assert.Contains(problem, BrazeLimits.NameProblem(name));
    }

    [Fact]
    public void Names_over_255_characters_or_479_bytes_are_found_and_up_to_them_pass()
    {
        Assert.Null(BrazeLimits.NameProblem(new string('n', 255)));
        Assert.Contains("256 characters", BrazeLimits.NameProblem(new string('n', 256)));
        Assert.Null(BrazeLimits.NameProblem(new string('€', 159)));
        Assert.Contains("480 bytes", BrazeLimits.NameProblem(new string('€', 160)));
        Assert.Null(BrazeLimits.NameProblem("booking_id"));
        Assert.Null(BrazeLimits.NameProblem("price$")); // only a leading $ is reserved
    }

    [Fact]
    public void Rendering_refuses_an_object_with_a_bad_name_anywhere_in_it()
    {
        var top = new JsonObject { ["external_id"] = "c", ["name"] = "e", ["properties"] = new JsonObject { ["$price"] = 1 } };
        var nested = new JsonObject
        {
            ["external_id"] = "c", ["name"] = "e",
            ["properties"] = new JsonObject { ["trips"] = new JsonArray(new JsonObject { [""] = "x" }) },
        };
        var attribute = new JsonObject { ["external_id"] = "c", [new string('a', 256)] = "x" };

        Assert.Contains("'properties.$price'", Assert.Throws<ArgumentException>(() => MarketingObject.Render(MarketingObjectKind.Event, "c", top)).Message);
        Assert.Contains("'properties.trips.0.'", Assert.Throws<ArgumentException>(() => MarketingObject.Render(MarketingObjectKind.Event, "c", nested)).Message);
        Assert.Throws<ArgumentException>(() => MarketingObject.Render(MarketingObjectKind.Attributes, "c", attribute));
    }

    [Fact]
    public void Rendering_cuts_every_string_however_deep()
    {
        var tooLong = new string('a', 254) + Emoji;
        var json = new JsonObject
        {
            ["external_id"] = "c", ["name"] = "e",
            ["properties"] = new JsonObject { ["title"] = tooLong, ["trips"] = new JsonArray(new JsonObject { ["city"] = tooLong }, tooLong) },
        };

        var rendered = JsonNode.Parse(MarketingObject.Render(MarketingObjectKind.Event, "c", json).Json)!;

        var cut = new string('a', 254);
        Assert.Equal(cut, (string?)rendered["properties"]!["title"]);
        Assert.Equal(cut, (string?)rendered["properties"]!["trips"]![0]!["city"]);
        Assert.Equal(cut, (string?)rendered["properties"]!["trips"]![1]);
    }

    /// <summary>255 characters the JSON encoder escapes as six bytes each: the largest a cut string can be on the wire.</summary>
    private static readonly string Widest = new('<', 255);

    private static JsonObject Trip(int i) => new() { ["booking_id"] = $"b{i}", ["activity_title"] = Widest, ["city"] = Widest, ["country"] = Widest };

    [Fact]
    public void Event_properties_over_100_KB_lose_trailing_list_entries_until_they_fit()
    {
        var trips = new JsonArray(Enumerable.Range(0, 40).Select(i => (JsonNode)Trip(i)).ToArray());
        var json = new JsonObject
        {
            ["external_id"] = "c", ["name"] = "booking_completed",
            ["properties"] = new JsonObject { ["booking_id"] = "b", ["other_upcoming_activities"] = trips, ["upcoming_activities_count"] = 41 },
        };
        Assert.True(BrazeLimits.JsonBytes(json["properties"]!) > BrazeLimits.MaxArrayBytes);

        var rendered = JsonNode.Parse(MarketingObject.Render(MarketingObjectKind.Event, "c", json).Json)!;

        var properties = rendered["properties"]!;
        Assert.True(BrazeLimits.JsonBytes(properties) <= BrazeLimits.MaxArrayBytes);
        var kept = properties["other_upcoming_activities"]!.AsArray().Select(t => (string?)t!["booking_id"]).ToList();
        Assert.Equal(Enumerable.Range(0, kept.Count).Select(i => $"b{i}"), kept); // the first ones, in order
        // As many as fit: one more would not.
        properties["other_upcoming_activities"]!.AsArray().Add(Trip(kept.Count));
        Assert.True(BrazeLimits.JsonBytes(properties) > BrazeLimits.MaxArrayBytes);
        Assert.Equal(41, (int)properties["upcoming_activities_count"]!);
    }

    [Fact]
    public void An_array_attribute_over_100_KB_loses_trailing_entries_until_it_fits()
    {
        var cities = new JsonArray(Enumerable.Range(0, 200).Select(i => (JsonNode)JsonValue.Create($"{i:000}{Widest}")!).ToArray());
        var json = new JsonObject { ["external_id"] = "c", ["upcoming_trip_cities"] = cities, ["upcoming_activities_count"] = 200 };

        var rendered = JsonNode.Parse(MarketingObject.Render(MarketingObjectKind.Attributes, "c", json).Json)!;

        var kept = rendered["upcoming_trip_cities"]!.AsArray();
        Assert.True(BrazeLimits.JsonBytes(kept) <= BrazeLimits.MaxArrayBytes);
        Assert.InRange(kept.Count, 1, 199);
        Assert.Equal("000", ((string)kept[0]!)[..3]);
    }

    [Fact]
    public void Properties_too_large_with_no_list_to_shorten_are_a_bug_and_refused()
    {
        var properties = new JsonObject();
        for (var i = 0; i < 80; i++) properties[$"p{i}"] = Widest;
        var json = new JsonObject { ["external_id"] = "c", ["name"] = "e", ["properties"] = properties };

        Assert.Throws<InvalidOperationException>(() => MarketingObject.Render(MarketingObjectKind.Event, "c", json));
    }
}
