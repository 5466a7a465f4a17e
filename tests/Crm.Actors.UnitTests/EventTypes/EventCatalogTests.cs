using System.Text.Json.Nodes;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Testing;

namespace Crm.Actors.UnitTests.EventTypes;

/// <summary>Tests generated from the catalog: every type of the contract, checked by <see cref="EventTypeChecks"/>.</summary>
public class EventCatalogTests
{
    public static TheoryData<string> ContractTypes => new(EventCatalog.Default.Types.Select(t => t.Name));

    [Theory]
    [MemberData(nameof(ContractTypes))]
    public void Every_contract_type_keeps_the_rules_of_a_definition(string name) =>
        Assert.Empty(EventTypeChecks.Problems(EventCatalog.Default.Named(name)!, EventCatalog.Default));

    [Fact]
    public void The_default_catalog_is_the_contracts_eight_on_its_five_topics()
    {
        Assert.Equal(
            ["AccountCreated", "CustomerDeleted", "ActivityWishlisted", "ActivityAddedToCart", "BookingCompleted", "BookingCancelled",
             "ActivityPreparationStarted", "ActivityConducted"],
            EventCatalog.Default.Types.Select(t => t.Name));
        Assert.Equal(["accounts", "wishlists", "carts", "bookings", "activities"], EventCatalog.Default.DefaultTopics);
    }

    [Fact]
    public void A_definition_missing_a_part_fails_the_checks_not_the_pipeline()
    {
        var catalog = EventCatalog.Default.With([Incomplete.Instance]);
        var problems = EventTypeChecks.Problems(Incomplete.Instance, catalog);
        Assert.Contains(problems, p => p.Contains("does not decode", StringComparison.Ordinal));
    }

    [Fact]
    public void A_definition_whose_objects_miss_its_braze_event_fails_the_checks()
    {
        var catalog = EventCatalog.Default.With([Silent.Instance]);
        Assert.Contains(EventTypeChecks.Problems(Silent.Instance, catalog), p => p.Contains("should send one Braze event", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_types_of_one_name_or_one_record_make_no_catalog()
    {
        Assert.Throws<ArgumentException>(() => EventCatalog.Default.With([new Renamed("BookingCompleted")]));
        Assert.Throws<ArgumentException>(() => EventCatalog.Default.With([Incomplete.Instance, Incomplete.Instance]));
    }

    private sealed record Probe(string Id) : DomainEvent;

    /// <summary>Its example lacks the field its payload requires.</summary>
    private sealed class Incomplete : EventType<Probe>
    {
        public static readonly Incomplete Instance = new();
        public override string Name => "Incomplete";
        public override string DefaultTopic => "probes";
        public override string BrazeEventName => "probe";
        public override JsonObject ExamplePayload => new();
        protected override Probe Read(Payload payload) => new(payload.RequiredString("id"));
        protected override IReadOnlyList<MarketingObject> Map(Probe e, CustomerState before, CustomerState after, ActivityDetails details) =>
            [BrazeObjects.Event(e, BrazeEventName, new JsonObject())];
    }

    /// <summary>Names a Braze event it never sends.</summary>
    private sealed class Silent : EventType<Probe>
    {
        public static readonly Silent Instance = new();
        public override string Name => "Silent";
        public override string DefaultTopic => "probes";
        public override string BrazeEventName => "silent";
        public override JsonObject ExamplePayload => new() { ["id"] = "p1" };
        protected override Probe Read(Payload payload) => new(payload.RequiredString("id"));
        protected override IReadOnlyList<MarketingObject> Map(Probe e, CustomerState before, CustomerState after, ActivityDetails details) => [];
    }

    private sealed class Renamed(string name) : EventType<Probe>
    {
        public override string Name => name;
        public override string DefaultTopic => "probes";
        public override string? BrazeEventName => null;
        public override JsonObject ExamplePayload => new();
        protected override Probe Read(Payload payload) => new("");
        protected override IReadOnlyList<MarketingObject> Map(Probe e, CustomerState before, CustomerState after, ActivityDetails details) => [];
    }
}
