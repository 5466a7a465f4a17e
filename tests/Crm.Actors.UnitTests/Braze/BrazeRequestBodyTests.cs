using System.Text.Json;
using System.Text.Json.Nodes;
using Crm.Actors.Braze;

namespace Crm.Actors.UnitTests.Braze;

public class BrazeRequestBodyTests
{
    private static PendingObject Item(MarketingObjectKind kind, string customer, string tag) =>
        new(1, new MarketingObject(kind, customer, $"{{\"external_id\":\"{customer}\",\"tag\":\"{tag}\"}}"), null);

    private static PendingObject Attributes(string tag, string customer = "cus_1") => Item(MarketingObjectKind.Attributes, customer, tag);
    private static PendingObject Event(string tag, string customer = "cus_1") => Item(MarketingObjectKind.Event, customer, tag);
    private static PendingObject Purchase(string tag, string customer = "cus_1") => Item(MarketingObjectKind.Purchase, customer, tag);

    private static PendingObject Delete(string customer) =>
        new(1, new MarketingObject(MarketingObjectKind.UserDelete, customer, JsonSerializer.Serialize(customer)), null);

    private static IEnumerable<string> Tags(JsonNode body, string array) =>
        body[array]!.AsArray().Select(o => (string)o!["tag"]!);

    [Fact]
    public void Track_groups_objects_into_attributes_events_and_purchases_keeping_batch_order()
    {
        PendingObject[] items = [Event("e1"), Attributes("a1"), Purchase("p1"), Event("e2"), Attributes("a2")];

        var body = BrazeRequestBody.Track(items, out _);

        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["attributes", "events", "purchases"], json.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(["a1", "a2"], Tags(json, "attributes"));
        Assert.Equal(["e1", "e2"], Tags(json, "events"));
        Assert.Equal(["p1"], Tags(json, "purchases"));
    }

    [Fact]
    public void Track_keeps_every_object_exactly_as_rendered()
    {
        var rendered = """{"external_id":"cus_1","name":"x","properties":{"price":49.90,"nested":[1,{"a":null}]}}""";
        PendingObject[] items = [new(1, new MarketingObject(MarketingObjectKind.Event, "cus_1", rendered), null)];

        var body = BrazeRequestBody.Track(items, out _);

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(rendered), JsonNode.Parse(body)!["events"]![0]));
    }

    [Fact]
    public void Track_leaves_out_empty_arrays()
    {
        var body = BrazeRequestBody.Track([Event("e1"), Event("e2")], out _);

        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["events"], json.Select(p => p.Key));
        Assert.Equal(["e1", "e2"], Tags(json, "events"));
    }

    [Fact]
    public void Track_with_attributes_and_purchases_only_is_valid_json()
    {
        var body = BrazeRequestBody.Track([Purchase("p1"), Attributes("a1")], out _);

        using var document = JsonDocument.Parse(body); // throws when the commas are wrong
        Assert.Equal(JsonValueKind.Object, document.RootElement.ValueKind);
        Assert.Equal(["attributes", "purchases"], document.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("A")]
    [InlineData("E")]
    [InlineData("P")]
    [InlineData("AE")]
    [InlineData("EP")]
    [InlineData("AP")]
    [InlineData("PEA")]
    [InlineData("AEPAEPPEA")]
    public void Track_body_is_valid_json_for_every_mix_of_kinds(string kinds)
    {
        var items = kinds.Select((k, i) => k switch
        {
            'A' => Attributes("t" + i),
            'E' => Event("t" + i),
            _ => Purchase("t" + i),
        }).ToList();

        var body = BrazeRequestBody.Track(items, out var positions);

        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(items.Count, json.Sum(p => p.Value!.AsArray().Count));
        Assert.All(json, p => Assert.NotEmpty(p.Value!.AsArray()));
        Assert.Equal(items.Count, positions.Count);
    }

    [Fact]
    public void Track_positions_map_each_array_index_back_to_the_batch_index()
    {
        PendingObject[] items = [Attributes("a0"), Event("e0"), Attributes("a1"), Event("e1"), Purchase("p0")];

        BrazeRequestBody.Track(items, out var positions);

        Assert.Equal(0, positions[("attributes", 0)]);
        Assert.Equal(2, positions[("attributes", 1)]);
        Assert.Equal(1, positions[("events", 0)]);
        Assert.Equal(3, positions[("events", 1)]);
        Assert.Equal(4, positions[("purchases", 0)]);
    }

    [Fact]
    public void Delete_body_lists_the_external_ids()
    {
        var body = BrazeRequestBody.Delete([Delete("cus_1"), Delete("cus_2")]);

        var json = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(["external_ids"], json.Select(p => p.Key));
        Assert.Equal(["cus_1", "cus_2"], json["external_ids"]!.AsArray().Select(id => (string)id!));
    }

    [Fact]
    public void Delete_body_names_each_customer_once()
    {
        var body = BrazeRequestBody.Delete([Delete("cus_1"), Delete("cus_2"), Delete("cus_1")]);

        Assert.Equal(["cus_1", "cus_2"], JsonNode.Parse(body)!["external_ids"]!.AsArray().Select(id => (string)id!));
    }

    [Fact]
    public void Delete_body_escapes_ids()
    {
        var body = BrazeRequestBody.Delete([Delete("cus_\"quoted\"\\")]);

        Assert.Equal("cus_\"quoted\"\\", (string?)JsonNode.Parse(body)!["external_ids"]![0]);
    }

    [Fact]
    public void RejectedObjects_maps_an_events_index_back_to_the_batch_index()
    {
        // Batch order: attributes, event, attributes, event. events[1] is batch index 3.
        PendingObject[] items = [Attributes("a0"), Event("e0"), Attributes("a1"), Event("e1")];
        var answer = """
            {"message":"success","errors":[{"type":"'time' is in the future","input_array":"events","index":1}]}
            """;

        var rejected = BrazeRequestBody.RejectedObjects(items, answer);

        var (index, reason) = Assert.Single(rejected);
        Assert.Equal(3, index);
        Assert.Equal("'time' is in the future", reason);
    }

    [Fact]
    public void RejectedObjects_maps_errors_of_every_array()
    {
        PendingObject[] items = [Purchase("p0"), Event("e0"), Attributes("a0"), Event("e1"), Purchase("p1"), Attributes("a1")];
        var answer = """
            {"message":"success","errors":[
              {"type":"bad attribute","input_array":"attributes","index":1},
              {"type":"bad event","input_array":"events","index":0},
              {"type":"bad purchase","input_array":"purchases","index":1}]}
            """;

        var rejected = BrazeRequestBody.RejectedObjects(items, answer);

        Assert.Equal([(5, "bad attribute"), (1, "bad event"), (4, "bad purchase")], rejected);
    }

    [Fact]
    public void RejectedObjects_of_a_plain_success_is_empty()
    {
        var rejected = BrazeRequestBody.RejectedObjects([Event("e0")], """{"message":"success","events_processed":1}""");

        Assert.Empty(rejected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json but mentions \"errors\"")]
    [InlineData("""{"message":"success","errors":"none"}""")]
    public void RejectedObjects_of_an_unreadable_answer_is_empty(string answer)
    {
        Assert.Empty(BrazeRequestBody.RejectedObjects([Event("e0")], answer));
    }

    [Fact]
    public void RejectedObjects_ignores_errors_pointing_outside_the_batch()
    {
        var answer = """{"message":"success","errors":[{"type":"x","input_array":"events","index":5},{"type":"y","input_array":"purchases","index":0}]}""";

        Assert.Empty(BrazeRequestBody.RejectedObjects([Event("e0")], answer));
    }

    [Fact]
    public void RejectedObjects_without_a_type_still_gives_a_reason()
    {
        var answer = """{"message":"success","errors":[{"input_array":"events","index":0}]}""";

        var (index, reason) = Assert.Single(BrazeRequestBody.RejectedObjects([Event("e0")], answer));

        Assert.Equal(0, index);
        Assert.False(string.IsNullOrWhiteSpace(reason));
    }

    [Fact]
    public void Message_extracts_the_message_field()
    {
        Assert.Equal("Invalid API key", BrazeRequestBody.Message("""{"message":"Invalid API key","errors":[]}"""));
    }

    [Theory]
    [InlineData("<html><body>Not Found</body></html>")]
    [InlineData("Bad Gateway")]
    [InlineData("")]
    [InlineData("""{"error":"x"}""")]
    [InlineData("""{"message":42}""")]
    [InlineData("""["message"]""")]
    public void A_body_without_a_string_message_is_not_braze_s_answer(string body)
    {
        // Null: the answer did not come from Braze's API (a proxy, a wrong host), so it cannot blame the data.
        Assert.Null(BrazeRequestBody.Message(body));
    }
}
