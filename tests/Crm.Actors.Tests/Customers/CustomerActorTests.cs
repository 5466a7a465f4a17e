using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.Hosting;
using Crm.Actors.Serialization;
using Crm.Host.Demo;
using Crm.Host.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Actors.Tests.Customers;

/// <summary>The customer entity with a real SQLite journal (through the host's persistence step) and a real HTTP catalog.</summary>
public sealed class CustomerActorTests : Akka.Hosting.TestKit.TestKit
{
    private static readonly DateTimeOffset At = new(2026, 11, 26, 9, 0, 0, TimeSpan.Zero);
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"crm-customer-tests-{Guid.NewGuid():N}.db");
    private readonly LocalCatalog _catalogServer;
    private readonly CatalogClient _catalog;
    private int _eventNumber;

    public CustomerActorTests()
    {
        _catalogServer = LocalCatalog.StartAsync(SampleEvents.Activities).GetAwaiter().GetResult();
        _catalog = new CatalogClient(
            new CatalogSettings(_catalogServer.BaseUrl.ToString(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)),
            NullLogger<CatalogClient>.Instance);
    }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder.WithCrmPersistence(new Crm.Actors.Hosting.PersistenceSettings(PersistenceProvider.Sqlite, $"Data Source={_database}"));

    protected override async Task AfterAllAsync()
    {
        _catalog.Dispose();
        await _catalogServer.DisposeAsync();
        File.Delete(_database);
        await base.AfterAllAsync();
    }

    private IActorRef Customer(string id, IActorRef gateway, int snapshotEvery = 100) =>
        Sys.ActorOf(CustomerActor.Props(id, gateway, _catalog, snapshotEvery));

    private CustomerEvent Event(DomainEvent e) => new(e, new RecordSource("bookings", 0, _eventNumber));

    private T Stamp<T>(T e, string customer, int minutes = 0) where T : DomainEvent => e with
    {
        EventId = $"evt-{Interlocked.Increment(ref _eventNumber)}",
        CustomerId = customer,
        OccurredAt = At.AddMinutes(minutes),
        SchemaVersion = 1,
    };

    private BookingCompleted Booking(string customer, string bookingId, string activityId = "act_paris_louvre", int inDays = 10, bool withDetails = true) =>
        Stamp(new BookingCompleted(bookingId, activityId, At.AddDays(inDays),
            withDetails ? new ActivityDetails("Skip-the-line Louvre tour", "Paris", "FR") : ActivityDetails.Empty, 2, new Money(99.5m, "EUR"))
        { EventId = "", CustomerId = "", OccurredAt = default, SchemaVersion = 1 }, customer);

    private static async Task<CustomerView> ViewOf(IActorRef customer, string id) =>
        await customer.Ask<CustomerView>(new GetCustomer(id), TimeSpan.FromSeconds(10));

    private static JsonElement EventObject(BrazeGateway.Deliver deliver) =>
        JsonDocument.Parse(deliver.Objects.Single(o => o.Kind == MarketingObjectKind.Event).Json).RootElement;

    [Fact]
    public async Task A_booking_is_persisted_then_handed_to_the_gateway_with_the_asker_to_answer()
    {
        var gateway = CreateTestProbe();
        var customer = Customer("cus_1", gateway);

        customer.Tell(Event(Booking("cus_1", "bkg_1")), TestActor);

        var deliver = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        Assert.Equal(TestActor, deliver.ReplyTo);
        Assert.Equal(3, deliver.Objects.Count); // event, purchase, trip attributes
        Assert.Equal("booking_completed", EventObject(deliver).GetProperty("name").GetString());
        var view = await ViewOf(customer, "cus_1");
        Assert.Equal("bkg_1", Assert.Single(view.OpenTrips).BookingId);
        Assert.Equal(1, view.SequenceNr);
    }

    [Fact]
    public async Task A_redelivered_booking_is_one_trip_and_one_journal_entry()
    {
        var gateway = CreateTestProbe();
        var customer = Customer("cus_2", gateway);
        var booking = Booking("cus_2", "bkg_1");

        customer.Tell(Event(booking));
        customer.Tell(Event(booking));

        await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        var view = await ViewOf(customer, "cus_2");
        Assert.Single(view.OpenTrips);
        Assert.Equal(1, view.SequenceNr);
    }

    [Fact]
    public async Task State_is_recovered_from_the_journal_after_a_restart()
    {
        var gateway = CreateTestProbe();
        var customer = Customer("cus_3", gateway);
        customer.Tell(Event(Booking("cus_3", "bkg_1", inDays: 5)));
        customer.Tell(Event(Booking("cus_3", "bkg_2", inDays: 9)));
        customer.Tell(Event(Stamp(new BookingCancelled("bkg_1") { EventId = "", CustomerId = "", OccurredAt = default, SchemaVersion = 1 }, "cus_3", 5)));
        await ExpectDelivers(gateway, 3);
        await WatchAndStop(customer);

        var restarted = Customer("cus_3", gateway);
        var view = await ViewOf(restarted, "cus_3");
        Assert.Equal(["bkg_2"], view.OpenTrips.Select(t => t.BookingId));
        Assert.Equal(["bkg_1"], view.ClosedBookings);
        Assert.Equal(3, view.SequenceNr);
        Assert.Equal(3, JournalRows("customer-cus_3")); // really in the SQLite file, not in memory

        // The late BookingCompleted of the cancelled booking does not bring it back, even after recovery.
        restarted.Tell(Event(Booking("cus_3", "bkg_1", inDays: 5)));
        await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        Assert.Equal(["bkg_2"], (await ViewOf(restarted, "cus_3")).OpenTrips.Select(t => t.BookingId));
    }

    [Fact]
    public async Task Snapshots_are_taken_every_n_events_and_used_for_recovery()
    {
        var gateway = CreateTestProbe();
        var customer = Customer("cus_4", gateway, snapshotEvery: 2);
        for (var i = 1; i <= 5; i++) customer.Tell(Event(Booking("cus_4", $"bkg_{i}", inDays: i)));
        await ExpectDelivers(gateway, 5);

        var snapshotStore = Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        await AwaitAssertAsync(async () =>
        {
            var loaded = await snapshotStore.Ask<LoadSnapshotResult>(
                new LoadSnapshot("customer-cus_4", SnapshotSelectionCriteria.Latest, long.MaxValue), TimeSpan.FromSeconds(5));
            Assert.NotNull(loaded.Snapshot);
            Assert.Equal(4, loaded.Snapshot.Metadata.SequenceNr);
            Assert.Equal(4, Assert.IsType<CustomerSnapshot>(loaded.Snapshot.Snapshot).OpenTrips.Count);
        }, TimeSpan.FromSeconds(10));

        await WatchAndStop(customer);
        var view = await ViewOf(Customer("cus_4", gateway, snapshotEvery: 2), "cus_4");
        Assert.Equal(5, view.OpenTrips.Count);
        Assert.Equal(5, view.SequenceNr);
    }

    [Fact]
    public async Task Missing_activity_details_come_from_the_catalog_even_when_it_fails_first()
    {
        var failures = 3;
        _catalogServer.Override = _ => Interlocked.Decrement(ref failures) >= 0 ? (503, TimeSpan.Zero) : null;
        var gateway = CreateTestProbe();
        var customer = Customer("cus_5", gateway);

        customer.Tell(Event(Booking("cus_5", "bkg_1", activityId: "act_rome_colosseum", withDetails: false)));

        var deliver = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>(TimeSpan.FromSeconds(10));
        Assert.True(_catalogServer.Requests >= 4, "the event went out before the catalog answered");
        var properties = EventObject(deliver).GetProperty("properties");
        Assert.Equal("Colosseum underground tour", properties.GetProperty("activity_title").GetString());
        Assert.Equal("Rome", properties.GetProperty("city").GetString());
        Assert.Equal("Rome", Assert.Single((await ViewOf(customer, "cus_5")).OpenTrips).City);
    }

    [Fact]
    public async Task An_activity_unknown_to_the_catalog_is_sent_without_details()
    {
        var gateway = CreateTestProbe();
        var customer = Customer("cus_6", gateway);

        customer.Tell(Event(Booking("cus_6", "bkg_1", activityId: "act_unknown", withDetails: false)));

        var properties = EventObject(await gateway.ExpectMsgAsync<BrazeGateway.Deliver>()).GetProperty("properties");
        Assert.False(properties.TryGetProperty("city", out _));
        Assert.False(properties.TryGetProperty("activity_title", out _));
        Assert.Equal("act_unknown", properties.GetProperty("activity_id").GetString());
    }

    [Fact]
    public async Task Events_keep_their_order_while_one_waits_for_the_catalog()
    {
        var release = new TaskCompletionSource();
        _catalogServer.Override = _ => release.Task.IsCompleted ? null : (503, TimeSpan.Zero);
        var gateway = CreateTestProbe();
        var customer = Customer("cus_7", gateway);

        customer.Tell(Event(Booking("cus_7", "bkg_1", activityId: "act_bcn_tapas", withDetails: false)));
        customer.Tell(Event(Booking("cus_7", "bkg_2")));
        await gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        release.SetResult();

        var first = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>(TimeSpan.FromSeconds(10));
        var second = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        Assert.Equal("bkg_1", EventObject(first).GetProperty("properties").GetProperty("booking_id").GetString());
        Assert.Equal("bkg_2", EventObject(second).GetProperty("properties").GetProperty("booking_id").GetString());
    }

    [Fact]
    public async Task Customer_deleted_erases_the_journal_and_tells_braze()
    {
        var gateway = CreateTestProbe();
        var customer = Customer("cus_8", gateway);
        customer.Tell(Event(Booking("cus_8", "bkg_1")));
        await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();

        customer.Tell(Event(Stamp(new CustomerDeleted { EventId = "", CustomerId = "", OccurredAt = default, SchemaVersion = 1 }, "cus_8", 1)));

        var deliver = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        var delete = Assert.Single(deliver.Objects);
        Assert.Equal(MarketingObjectKind.UserDelete, delete.Kind);
        Assert.Equal("\"cus_8\"", delete.Json);
        await WatchAndStop(customer);
        var view = await ViewOf(Customer("cus_8", gateway), "cus_8");
        Assert.Empty(view.OpenTrips);
        Assert.Empty(view.ClosedBookings);
    }

    private long JournalRows(string persistenceId)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_database}");
        connection.Open();
        using var command = connection.CreateCommand();
        // Written by CrmSerializer under its stable manifests (not by the default JSON serializer).
        command.CommandText = $"SELECT COUNT(*) FROM journal WHERE persistence_id = $id AND identifier = {CrmSerializer.SerializerId} AND manifest IN ('trip-booked.v1', 'trip-closed.v1')";
        command.Parameters.AddWithValue("$id", persistenceId);
        return (long)command.ExecuteScalar()!;
    }

    private static async Task ExpectDelivers(Akka.TestKit.TestProbe gateway, int count)
    {
        for (var i = 0; i < count; i++) await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
    }

    private async Task WatchAndStop(IActorRef actor)
    {
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        await ExpectTerminatedAsync(actor);
    }
}
