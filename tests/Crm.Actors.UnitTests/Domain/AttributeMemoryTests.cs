using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;

namespace Crm.Actors.UnitTests.Domain;

/// <summary>Which attributes go to Braze: only values that differ from the last one sent (<see cref="AttributeMemory"/>).</summary>
public sealed class AttributeMemoryTests
{
    private static MarketingObject Attributes(string json) => new(MarketingObjectKind.Attributes, "cus_1", json);

    private static readonly MarketingObject Event = new(MarketingObjectKind.Event, "cus_1", """{"external_id":"cus_1","name":"x"}""");

    [Fact]
    public void Everything_goes_the_first_time_and_only_changed_values_after()
    {
        var (first, set) = AttributeMemory.Empty.Filter([Attributes("""{"external_id":"cus_1","first_name":"Anna","country":"DE"}"""), Event]);
        Assert.Equal(2, first.Count);
        Assert.Equal(["first_name", "country"], set.Keys.Order().Reverse());
        var memory = AttributeMemory.Empty.Remember(set);

        var (second, changed) = memory.Filter([Attributes("""{"external_id":"cus_1","first_name":"Anne","country":"DE"}""")]);
        Assert.Equal("""{"external_id":"cus_1","first_name":"Anne"}""", Assert.Single(second).Json);
        Assert.Equal(["first_name"], changed.Keys);
    }

    [Fact]
    public void An_attributes_object_with_nothing_new_is_dropped_and_other_objects_pass_in_order()
    {
        var memory = AttributeMemory.Empty.Remember(AttributeMemory.Empty.Filter([Attributes("""{"external_id":"cus_1","upcoming_activities_count":2,"next_trip_starts_at":null}""")]).Set);

        var (objects, set) = memory.Filter([Event, Attributes("""{"external_id":"cus_1","upcoming_activities_count":2,"next_trip_starts_at":null}"""), Event]);

        Assert.Equal([Event, Event], objects);
        Assert.Empty(set);
    }

    [Fact]
    public void Null_is_a_value_like_any_other_and_differs_from_a_missing_attribute()
    {
        var (objects, set) = AttributeMemory.Empty.Filter([Attributes("""{"external_id":"cus_1","next_trip_starts_at":null}""")]);
        Assert.Single(objects);
        var memory = AttributeMemory.Empty.Remember(set);
        var (again, _) = memory.Filter([Attributes("""{"external_id":"cus_1","next_trip_starts_at":"2026-12-01T09:00:00Z"}""")]);
        Assert.Single(again);
    }

    [Fact]
    public void Within_one_events_objects_the_latest_value_counts()
    {
        var (objects, set) = AttributeMemory.Empty.Filter(
        [
            Attributes("""{"external_id":"cus_1","upcoming_activities_count":1}"""),
            Attributes("""{"external_id":"cus_1","upcoming_activities_count":1,"city":"Paris"}"""),
        ]);
        Assert.Equal(["""{"external_id":"cus_1","upcoming_activities_count":1}""", """{"external_id":"cus_1","city":"Paris"}"""], objects.Select(o => o.Json));
        Assert.Equal(2, set.Count);
    }

    [Fact]
    public void A_forgotten_attribute_is_sent_again_whatever_its_value()
    {
        var memory = AttributeMemory.Empty.Remember(AttributeMemory.Empty.Filter([Attributes("""{"external_id":"cus_1","email":"a@example.com","country":"DE"}""")]).Set);

        var (objects, _) = memory.Forget(["email"]).Filter([Attributes("""{"external_id":"cus_1","email":"a@example.com","country":"DE"}""")]);

        Assert.Equal("""{"external_id":"cus_1","email":"a@example.com"}""", Assert.Single(objects).Json);
    }

    [Fact]
    public void Keys_compare_json_values_not_their_types_text()
    {
        Assert.Equal(AttributeMemory.KeyOf(JsonValue.Create(2)), AttributeMemory.KeyOf(JsonNode.Parse("2")));
        Assert.NotEqual(AttributeMemory.KeyOf(JsonValue.Create(2)), AttributeMemory.KeyOf(JsonValue.Create("2")));
        Assert.NotEqual(AttributeMemory.KeyOf(null), AttributeMemory.KeyOf(JsonValue.Create("null")));
    }

    [Fact]
    public void Memories_of_different_customers_share_one_copy_of_an_attribute_name()
    {
        // Each object is parsed anew, so each customer's filter yields its own string for the same name.
        var (_, anna) = AttributeMemory.Empty.Filter([Attributes("""{"external_id":"cus_1","first_name":"Anna"}""")]);
        var (_, bert) = AttributeMemory.Empty.Filter([Attributes("""{"external_id":"cus_1","first_name":"Bert"}""")]);
        Assert.False(ReferenceEquals(anna.Keys.Single(), bert.Keys.Single()));

        var first = AttributeMemory.Empty.Remember(anna).Values.Keys.Single();
        var second = AttributeMemory.Empty.Remember(bert).Values.Keys.Single();

        Assert.Equal("first_name", first);
        Assert.Same(first, second);
    }
}
