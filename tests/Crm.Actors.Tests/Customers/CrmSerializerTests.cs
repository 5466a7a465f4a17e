using Akka.Actor;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Serialization;

namespace Crm.Actors.Tests.Customers;

public sealed class CrmSerializerTests : Akka.TestKit.Xunit.TestKit
{
    private readonly CrmSerializer _serializer;

    public CrmSerializerTests() => _serializer = new CrmSerializer((ExtendedActorSystem)Sys);

    private static readonly Trip Paris = new("bkg_1", "act_paris_louvre", "Skip-the-line Louvre tour", "Paris", "FR", new DateTimeOffset(2026, 12, 9, 9, 0, 0, TimeSpan.Zero));

    public static TheoryData<object, string> StoredFacts => new()
    {
        { new TripBooked(Paris), "trip-booked.v1" },
        { new TripClosed("bkg_1"), "trip-closed.v1" },
        { new CustomerErased(), "customer-erased.v1" },
    };

    [Fact]
    public void Ledger_entries_round_trip_under_their_stable_manifest()
    {
        var recorded = new DeliveriesRecorded([DeliveryLedger.KeyOf("evt-1"), ulong.MaxValue, 0]);
        Assert.Equal("deliveries-recorded.v1", _serializer.Manifest(recorded));
        var back = Assert.IsType<DeliveriesRecorded>(_serializer.FromBinary(_serializer.ToBinary(recorded), "deliveries-recorded.v1"));
        Assert.Equal(recorded.EventKeys, back.EventKeys);
    }

    [Theory]
    [MemberData(nameof(StoredFacts))]
    public void Facts_round_trip_under_their_stable_manifest(object fact, string manifest)
    {
        Assert.Equal(manifest, _serializer.Manifest(fact));
        Assert.Equal(fact, _serializer.FromBinary(_serializer.ToBinary(fact), manifest));
    }

    [Fact]
    public void Snapshots_round_trip()
    {
        var snapshot = new CustomerSnapshot([Paris], ["bkg_0"], [DeliveryLedger.KeyOf("evt-1")]);
        var back = Assert.IsType<CustomerSnapshot>(_serializer.FromBinary(_serializer.ToBinary(snapshot), "customer-snapshot.v1"));
        Assert.Equal(snapshot.OpenTrips, back.OpenTrips);
        Assert.Equal(snapshot.ClosedBookings, back.ClosedBookings);
        Assert.Equal(snapshot.Delivered, back.Delivered);
    }

    [Fact]
    public void A_snapshot_written_before_the_ledger_reads_with_an_empty_one()
    {
        const string stored = """{"OpenTrips":[],"ClosedBookings":["bkg_0"]}""";
        var back = Assert.IsType<CustomerSnapshot>(_serializer.FromBinary(System.Text.Encoding.UTF8.GetBytes(stored), "customer-snapshot.v1"));
        Assert.Equal(["bkg_0"], back.ClosedBookings);
        Assert.Null(back.Delivered);
    }

    [Fact]
    public void The_erasure_marker_is_stored_empty() =>
        Assert.Equal("{}", System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(new CustomerErased())));

    [Fact]
    public void The_stored_form_names_no_clr_type()
    {
        var json = System.Text.Encoding.UTF8.GetString(_serializer.ToBinary(new TripBooked(Paris)));
        Assert.DoesNotContain("Crm.Actors", json);
        Assert.DoesNotContain("Details", json); // derived, not stored
    }

    /// <summary>One event of every domain event type, from the decoder over the sample traffic.</summary>
    public static TheoryData<string> EveryEventType => new(typeof(DomainEvent).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(DomainEvent)) && !t.IsAbstract).Select(t => t.Name));

    [Theory]
    [MemberData(nameof(EveryEventType))]
    public void Customer_events_cross_the_network_under_their_event_type(string eventType)
    {
        var domainEvent = SampleEventOf(eventType);
        var item = new CustomerEvent(domainEvent, new RecordSource("bookings", 2, 41));
        var message = new CustomerEvents(domainEvent.CustomerId, 17, [item, item with { Source = new RecordSource("bookings", 2, 42) }]);

        var bytes = _serializer.ToBinary(message);
        var back = Assert.IsType<CustomerEvents>(_serializer.FromBinary(bytes, _serializer.Manifest(message)));

        Assert.Equal("customer-events.v1", _serializer.Manifest(message));
        Assert.Equal((message.CustomerId, message.BatchId), (back.CustomerId, back.BatchId));
        Assert.Equal(message.Events, back.Events);
        var json = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains($"\"event_type\":\"{eventType}\"", json);
        Assert.DoesNotContain("Crm.Actors", json);
    }

    [Fact]
    public void Acknowledgements_and_support_queries_round_trip()
    {
        object[] messages =
        [
            new CustomerEventsDone("cus_1", 17),
            new GetCustomer("cus_1"),
        ];
        foreach (var message in messages)
            Assert.Equal(message, _serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message)));

        var view = new CustomerView("cus_1", [Paris], ["bkg_0"], 7);
        var back = Assert.IsType<CustomerView>(_serializer.FromBinary(_serializer.ToBinary(view), "customer-view.v1"));
        Assert.Equal((view.CustomerId, view.SequenceNr), (back.CustomerId, back.SequenceNr));
        Assert.Equal(view.OpenTrips, back.OpenTrips);
        Assert.Equal(view.ClosedBookings, back.ClosedBookings);
    }

    /// <summary>A decoded event of the type from the sample traffic (which never deletes a customer).</summary>
    private static DomainEvent SampleEventOf(string eventType)
    {
        if (eventType == nameof(CustomerDeleted))
            return new CustomerDeleted { EventId = "evt-9", CustomerId = "cus_9", OccurredAt = DateTimeOffset.UnixEpoch, SchemaVersion = 1 };
        var samples = new Crm.Host.Demo.SampleEvents(seed: 7);
        return Enumerable.Range(0, 50)
            .SelectMany(i => samples.Customer($"cus_{i}", DateTimeOffset.UtcNow))
            .Select(record => EventDecoder.Decode(record.Topic, System.Text.Encoding.UTF8.GetBytes(record.Key), record.Value))
            .OfType<DecodeResult.Valid>()
            .Select(valid => valid.Event)
            .First(e => e.GetType().Name == eventType);
    }

    [Fact]
    public void An_unknown_manifest_is_an_error_not_a_guess() =>
        Assert.ThrowsAny<Exception>(() => _serializer.FromBinary("{}"u8.ToArray(), "trip-rebooked.v9"));
}
