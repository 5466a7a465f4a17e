using Crm.Actors.Testing;
using System.Collections.Immutable;
using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Hosting;
using Crm.Actors.Serialization;
using Crm.Host.Demo;
using Crm.Host.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Actors.Tests.Customers;

/// <summary>The customer entity with a real SQLite journal (through the host's persistence step) and a real HTTP catalog.</summary>
public sealed class CustomerActorTests : Akka.Hosting.TestKit.TestKit
{
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"crm-customer-tests-{Guid.NewGuid():N}.db");
    private readonly LocalCatalog _catalogServer;
    private readonly CatalogClient _catalog;
    private long _offset;

    public CustomerActorTests()
    {
        _catalogServer = LocalCatalog.StartAsync(SampleEvents.Activities).GetAwaiter().GetResult();
        _catalog = new CatalogClient(
            new CatalogSettings(_catalogServer.BaseUrl.ToString(), TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)),
            NullLogger<CatalogClient>.Instance);
    }

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider) =>
        builder
            .WithCrmPersistence(new Crm.Actors.Hosting.PersistenceSettings(PersistenceProvider.Sqlite, $"Data Source={_database}"))
            // The real journal and snapshot store, whose writes a test can slow down or hold back (none does unless it says so).
            .AddHocon(Support.ChaosSqlJournal.Hocon, HoconAddMode.Prepend)
            .AddHocon(Support.HeldSqlSnapshotStore.Hocon, HoconAddMode.Prepend);

    protected override async Task AfterAllAsync()
    {
        _catalog.Dispose();
        await _catalogServer.DisposeAsync();
        File.Delete(_database);
        await base.AfterAllAsync();
    }

    private IActorRef Customer(string id, IActorRef gateway, int snapshotEvery = 100, bool skipDelivered = true) =>
        Sys.ActorOf(CustomerActor.Props(id, gateway, _catalog, EventCatalog.Default, CustomerSettings.Default with { SnapshotEvery = snapshotEvery, SkipDelivered = skipDelivered }));

    private CustomerEvent Event(DomainEvent e) => new(e, new RecordSource("bookings", 0, Interlocked.Increment(ref _offset)));

    private long _batchId;

    /// <summary>Sends the events as one batch (as the pipeline does) from the test actor; returns the batch id.</summary>
    private long Send(IActorRef customer, params DomainEvent[] events)
    {
        var id = Interlocked.Increment(ref _batchId);
        customer.Tell(new CustomerEvents(events[0].CustomerId, id, events.Select(Event).ToList()), TestActor);
        return id;
    }

    /// <summary>A probe in the gateway's place; it sees deliveries (what entities hand on), not their Recorded notes.</summary>
    private Akka.TestKit.TestProbe Gateway()
    {
        var gateway = CreateTestProbe();
        gateway.IgnoreMessages<BrazeGateway.Recorded>();
        return gateway;
    }

    /// <summary>The gateway's part: takes the next delivery and answers that Braze accepted it.</summary>
    private static async Task<BrazeGateway.Deliver> Accept(Akka.TestKit.TestProbe gateway)
    {
        var deliver = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>(TimeSpan.FromSeconds(10));
        deliver.ReplyTo.Tell(new BrazeGateway.Delivered(deliver.EventId));
        return deliver;
    }

    private static T Stamp<T>(T e, string customer, int minutes = 0) where T : DomainEvent => Events.Stamp(e, customer, minutes);

    private static BookingCompleted Booking(string customer, string bookingId, string activityId = "act_paris_louvre", int inDays = 10, bool withDetails = true) =>
        Events.Booking(bookingId, customer, activityId, Events.At.AddDays(inDays), withDetails ? Events.Louvre : ActivityDetails.Empty, price: new Money(99.5m, "EUR"));

    private static async Task<CustomerView> ViewOf(IActorRef customer, string id) =>
        await customer.Ask<CustomerView>(new GetCustomer(id), TimeSpan.FromSeconds(10));

    private static JsonElement EventObject(BrazeGateway.Deliver deliver) =>
        JsonDocument.Parse(deliver.Objects.Single(o => o.Kind == MarketingObjectKind.Event).Json).RootElement;

    private BookingCancelled Cancellation(string customer, string bookingId, int minutes) =>
        Stamp(new BookingCancelled(bookingId), customer, minutes);

    private CustomerDeleted Deletion(string customer, int minutes) =>
        Stamp(new CustomerDeleted(), customer, minutes);

    [Fact]
    public async Task A_booking_is_persisted_handed_to_the_gateway_and_the_batch_answered_once_braze_accepted_it()
    {
        var gateway = CreateTestProbe();
        var customer = Customer("cus_1", gateway);

        var batch = Send(customer, Booking("cus_1", "bkg_1"));

        var deliver = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        Assert.Equal(customer, deliver.ReplyTo); // the entity hears Braze's answer, records it, then answers the pipeline
        Assert.Equal(3, deliver.Objects.Count); // event, purchase, trip attributes
        Assert.Equal("booking_completed", EventObject(deliver).GetProperty("name").GetString());
        Assert.Equal(1, (await ViewOf(customer, "cus_1")).SequenceNr);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200)); // not answered before Braze accepted

        deliver.ReplyTo.Tell(new BrazeGateway.Delivered(deliver.EventId));
        Assert.Equal(new CustomerEventsDone("cus_1", batch), await ExpectMsgAsync<CustomerEventsDone>());
        // Once the acceptance is in the journal, the gateway hears it: it holds new requests while too many wait for that.
        Assert.True(deliver.WillRecord);
        Assert.Equal([deliver.EventId], (await gateway.ExpectMsgAsync<BrazeGateway.Recorded>()).EventIds);
        var view = await ViewOf(customer, "cus_1");
        Assert.Equal("bkg_1", Assert.Single(view.OpenTrips).BookingId);
        Assert.Equal(1, view.DeliveriesRemembered);
    }

    [Fact]
    public async Task An_event_braze_accepted_is_not_sent_again_even_after_a_restart()
    {
        var gateway = Gateway();
        var customer = Customer("cus_2", gateway);
        var booking = Booking("cus_2", "bkg_1");
        Send(customer, booking);
        await Accept(gateway);
        await ExpectMsgAsync<CustomerEventsDone>();
        await AwaitAssertAsync(() => Assert.Equal(1, LedgerRows("customer-cus_2")), TimeSpan.FromSeconds(10));
        await WatchAndStop(customer);

        // The record read again after a crash, or the producer's retry of the event: answered without a word to Braze.
        var restarted = Customer("cus_2", gateway);
        var again = Send(restarted, booking);

        Assert.Equal(again, (await ExpectMsgAsync<CustomerEventsDone>()).BatchId);
        await gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        var view = await ViewOf(restarted, "cus_2");
        Assert.Single(view.OpenTrips);
        Assert.Equal(2, view.SequenceNr); // the trip and the ledger entry; the repeat wrote nothing
    }

    [Fact]
    public async Task A_replay_with_skip_delivered_off_sends_again()
    {
        var gateway = Gateway();
        var booking = Booking("cus_9", "bkg_1");
        var customer = Customer("cus_9", gateway);
        Send(customer, booking);
        await Accept(gateway);
        await ExpectMsgAsync<CustomerEventsDone>();
        await AwaitAssertAsync(() => Assert.Equal(1, LedgerRows("customer-cus_9")), TimeSpan.FromSeconds(10));
        await WatchAndStop(customer);

        var replaying = Customer("cus_9", gateway, skipDelivered: false);
        Send(replaying, booking);

        Assert.Equal(booking.EventId, (await Accept(gateway)).EventId);
        await ExpectMsgAsync<CustomerEventsDone>();
    }

    [Fact]
    public async Task A_repeated_batch_waits_for_the_same_delivery_instead_of_building_another()
    {
        var gateway = Gateway();
        var customer = Customer("cus_10", gateway);
        var booking = Booking("cus_10", "bkg_1");
        var first = Send(customer, booking);
        var sent = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();

        var repeat = Send(customer, booking); // the pipeline asked again before Braze answered
        var again = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        Assert.Same(sent, again); // the same objects, handed on again in case the gateway lost them (it joins them otherwise)

        sent.ReplyTo.Tell(new BrazeGateway.Delivered(sent.EventId));
        var answered = new[] { await ExpectMsgAsync<CustomerEventsDone>(), await ExpectMsgAsync<CustomerEventsDone>() };
        Assert.Equal([first, repeat], answered.Select(a => a.BatchId).Order());
        Assert.Single((await ViewOf(customer, "cus_10")).OpenTrips);
    }

    [Fact]
    public async Task Persisted_and_unpersisted_events_reach_the_gateway_in_partition_order()
    {
        // The shape that went wrong: ActivityConducted (persists TripClosed) followed by ActivityPreparationStarted
        // (persists nothing), in one batch and in back-to-back batches.
        var gateway = Gateway();
        var customer = Customer("cus_11", gateway);
        Send(customer, Booking("cus_11", "bkg_1"), Booking("cus_11", "bkg_2", inDays: 20));
        for (var i = 0; i < 2; i++) await Accept(gateway);
        await ExpectMsgAsync<CustomerEventsDone>();

        var conducted = Stamp(new ActivityConducted("bkg_1", "act_paris_louvre", ActivityDetails.Empty), "cus_11", 1);
        var preparing = Stamp(new ActivityPreparationStarted("bkg_2", "act_paris_louvre", ActivityDetails.Empty), "cus_11", 2);
        var conductedToo = Stamp(new ActivityConducted("bkg_2", "act_paris_louvre", ActivityDetails.Empty), "cus_11", 3);
        var preparingAgain = Stamp(new ActivityPreparationStarted("bkg_1", "act_paris_louvre", ActivityDetails.Empty), "cus_11", 4);
        Send(customer, conducted, preparing);
        Send(customer, conductedToo);
        Send(customer, preparingAgain);

        var order = new List<string>();
        for (var i = 0; i < 4; i++) order.Add((await gateway.ExpectMsgAsync<BrazeGateway.Deliver>()).EventId);
        Assert.Equal([conducted.EventId, preparing.EventId, conductedToo.EventId, preparingAgain.EventId], order);
    }

    [Fact]
    public async Task State_is_recovered_from_the_journal_after_a_restart()
    {
        var gateway = Gateway();
        var customer = Customer("cus_3", gateway);
        Send(customer, Booking("cus_3", "bkg_1", inDays: 5), Booking("cus_3", "bkg_2", inDays: 9), Cancellation("cus_3", "bkg_1", 5));
        await ExpectDelivers(gateway, 3);
        await WatchAndStop(customer);

        var restarted = Customer("cus_3", gateway);
        var view = await ViewOf(restarted, "cus_3");
        Assert.Equal(["bkg_2"], view.OpenTrips.Select(t => t.BookingId));
        Assert.Equal(["bkg_1"], view.ClosedBookings);
        Assert.Equal(3, view.SequenceNr);
        Assert.Equal(3, JournalRows("customer-cus_3")); // really in the SQLite file, not in memory

        // The late BookingCompleted of the cancelled booking does not bring it back, even after recovery.
        Send(restarted, Booking("cus_3", "bkg_1", inDays: 5));
        await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        Assert.Equal(["bkg_2"], (await ViewOf(restarted, "cus_3")).OpenTrips.Select(t => t.BookingId));
    }

    [Fact]
    public async Task Snapshots_are_taken_every_n_journal_events_and_used_for_recovery()
    {
        var gateway = Gateway();
        var customer = Customer("cus_4", gateway, snapshotEvery: 2);
        for (var i = 1; i <= 5; i++) Send(customer, Booking("cus_4", $"bkg_{i}", inDays: i));
        await ExpectDelivers(gateway, 5); // not accepted: only the five trips are journaled

        var snapshotStore = Persistence.Instance.Apply(Sys).SnapshotStoreFor(null);
        await AwaitAssertAsync(async () =>
        {
            var loaded = await snapshotStore.Ask<LoadSnapshotResult>(
                new LoadSnapshot("customer-cus_4", SnapshotSelectionCriteria.Latest, long.MaxValue), TimeSpan.FromSeconds(5));
            Assert.NotNull(loaded.Snapshot);
            Assert.Equal(4, loaded.Snapshot.Metadata.SequenceNr);
            Assert.Equal(4, Assert.IsType<CustomerSnapshot>(loaded.Snapshot.Snapshot).OpenTrips.Count);
        }, TimeSpan.FromSeconds(10));
        // What the snapshot covers leaves the journal.
        await AwaitAssertAsync(() => Assert.Equal(1, JournalRows("customer-cus_4")), TimeSpan.FromSeconds(10));

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
        var gateway = Gateway();
        var customer = Customer("cus_5", gateway);

        Send(customer, Booking("cus_5", "bkg_1", activityId: "act_rome_colosseum", withDetails: false));

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
        var gateway = Gateway();
        var customer = Customer("cus_6", gateway);

        Send(customer, Booking("cus_6", "bkg_1", activityId: "act_unknown", withDetails: false));

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
        var gateway = Gateway();
        var customer = Customer("cus_7", gateway);

        Send(customer, Booking("cus_7", "bkg_1", activityId: "act_bcn_tapas", withDetails: false));
        Send(customer, Booking("cus_7", "bkg_2"));
        await gateway.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        release.SetResult();

        var first = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>(TimeSpan.FromSeconds(10));
        var second = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        Assert.Equal("bkg_1", EventObject(first).GetProperty("properties").GetProperty("booking_id").GetString());
        Assert.Equal("bkg_2", EventObject(second).GetProperty("properties").GetProperty("booking_id").GetString());
    }

    [Fact]
    public async Task Customer_deleted_erases_the_journal_and_ledger_then_tells_braze_after_the_earlier_objects()
    {
        var gateway = Gateway();
        var customer = Customer("cus_8", gateway);
        Send(customer, Booking("cus_8", "bkg_1"));
        await Accept(gateway);
        await ExpectMsgAsync<CustomerEventsDone>();
        await AwaitAssertAsync(() => Assert.Equal(1, LedgerRows("customer-cus_8")), TimeSpan.FromSeconds(10));

        var later = Booking("cus_8", "bkg_2");
        Send(customer, later, Deletion("cus_8", 1));

        Assert.Equal(later.EventId, (await gateway.ExpectMsgAsync<BrazeGateway.Deliver>()).EventId);
        var deliver = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
        var delete = Assert.Single(deliver.Objects);
        Assert.Equal(MarketingObjectKind.UserDelete, delete.Kind);
        Assert.Equal("\"cus_8\"", delete.Json);
        Assert.Equal(0, LedgerRows("customer-cus_8"));
        Assert.Equal(0, JournalRows("customer-cus_8"));
        // The journal keeps the row of the highest sequence number it deleted: the marker, with nothing of the trips.
        var left = Assert.Single(StoredRows(), r => r.Contains("cus_8"));
        Assert.Equal(("customer-erased.v1", "{}", true), (left["manifest"], left["message"], left.IsDeleted));
        Assert.DoesNotContain(StoredRows(), r => r.Contains("bkg_1") || r.Contains("bkg_2"));
        await WatchAndStop(customer);
        var view = await ViewOf(Customer("cus_8", gateway), "cus_8");
        Assert.Empty(view.OpenTrips);
        Assert.Empty(view.ClosedBookings);
        Assert.Equal(0, view.DeliveriesRemembered);
    }

    [Fact]
    public async Task A_deletion_behind_a_ledger_write_in_flight_erases_once_it_lands_and_the_entity_goes_on()
    {
        var gateway = Gateway();
        var customer = Customer("cus_15", gateway);
        Send(customer, Booking("cus_15", "bkg_1"));
        // The booking's ledger write (sequence number 2) takes a while: the deletion arrives while it is in flight.
        Support.ChaosSqlJournal.Chaos = new Support.JournalChaos(
            WriteDelay: key => key == "customer-cus_15/2" ? TimeSpan.FromSeconds(1) : TimeSpan.Zero, FailWrite: _ => false, ReplayDelay: _ => TimeSpan.Zero);
        try
        {
            await Accept(gateway);
            Send(customer, Deletion("cus_15", 1));
            await ExpectMsgAsync<CustomerEventsDone>(TimeSpan.FromSeconds(10)); // the booking's batch, once its write landed
            var delete = await Accept(gateway);
            Assert.Equal(MarketingObjectKind.UserDelete, Assert.Single(delete.Objects).Kind);
        }
        finally
        {
            Support.ChaosSqlJournal.Chaos = null;
        }

        // The entity answers and goes on: the deletion's batch is done, and a new booking is handled as for anyone new.
        await ExpectMsgAsync<CustomerEventsDone>(TimeSpan.FromSeconds(10));
        Send(customer, Booking("cus_15", "bkg_2"));
        await Accept(gateway);
        await ExpectMsgAsync<CustomerEventsDone>(TimeSpan.FromSeconds(10));
        var view = await ViewOf(customer, "cus_15");
        Assert.Equal(["bkg_2"], view.OpenTrips.Select(t => t.BookingId));
        Assert.Equal(5, view.SequenceNr); // trip 1, ledger 2, marker 3, then trip 4 and its ledger 5
        Assert.DoesNotContain(StoredRows(), r => r.Contains("bkg_1"));
    }

    [Fact]
    public async Task A_snapshot_still_being_written_when_the_customer_is_deleted_is_deleted_too()
    {
        var gateway = Gateway();
        // Snapshot after every write: the booking's write asks for one, and the deletion comes right behind it.
        var customer = Customer("cus_13", gateway, snapshotEvery: 1);
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Support.HeldSqlSnapshotStore.Holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Support.HeldSqlSnapshotStore.Released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Support.HeldSqlSnapshotStore.Hold = hold;
        try
        {
            Send(customer, Booking("cus_13", "bkg_1"), Deletion("cus_13", 1));
            await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();
            // The snapshot, with the trip, is still being written while the erasure marks and deletes the journal:
            // snapshots deleted now would leave this one behind once it lands.
            await Support.HeldSqlSnapshotStore.Holding.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await AwaitAssertAsync(() => Assert.Contains(StoredRows(), r =>
                r.Contains("cus_13") && r["manifest"] == "customer-erased.v1" && r.IsDeleted), TimeSpan.FromSeconds(10));
        }
        finally
        {
            Support.HeldSqlSnapshotStore.Hold = null;
            hold.SetResult();
        }

        var delete = Assert.Single((await gateway.ExpectMsgAsync<BrazeGateway.Deliver>()).Objects);
        Assert.Equal(MarketingObjectKind.UserDelete, delete.Kind); // told only once the erasure is done
        await Support.HeldSqlSnapshotStore.Released.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the held snapshot landed
        var rows = StoredRows().Where(r => r.Contains("cus_13")).ToList();
        Assert.DoesNotContain(rows, r => r.Table == "snapshot");
        Assert.Equal("customer-erased.v1", Assert.Single(rows)["manifest"]);
    }

    [Fact]
    public async Task An_erasure_marker_still_in_the_journal_after_a_crash_recovers_an_empty_customer()
    {
        // The process died between writing the marker and deleting what it covers: recovery replays all three.
        var journal = Persistence.Instance.Apply(Sys).JournalFor(null);
        object[] events = [new TripBooked(new Trip("bkg_1", "act_paris_louvre", null, "Paris", "FR", Events.At.AddDays(3))),
            new DeliveriesRecorded([DeliveryLedger.KeyOf("evt-1")]), new CustomerErased()];
        var write = new AtomicWrite(events
            .Select((e, i) => (IPersistentRepresentation)new Persistent(e, i + 1, "customer-cus_14", writerGuid: "crashed"))
            .ToImmutableList());
        journal.Tell(new WriteMessages([write], TestActor, 1));
        await ExpectMsgAsync<WriteMessagesSuccessful>();
        for (var i = 0; i < events.Length; i++) await ExpectMsgAsync<WriteMessageSuccess>();

        var view = await ViewOf(Customer("cus_14", Gateway()), "cus_14");
        Assert.Empty(view.OpenTrips);
        Assert.Equal(0, view.DeliveriesRemembered);
        Assert.Equal(3, view.SequenceNr);
    }

    [Fact]
    public async Task Asked_to_stop_it_first_hears_braze_answer_what_it_handed_on()
    {
        var gateway = Gateway();
        var customer = Customer("cus_12", gateway);
        Watch(customer);
        Send(customer, Booking("cus_12", "bkg_1"));
        var deliver = await gateway.ExpectMsgAsync<BrazeGateway.Deliver>();

        customer.Tell(CustomerActor.Stop.Instance); // hand-off or passivation
        Assert.Equal("cus_12", (await ViewOf(customer, "cus_12")).CustomerId); // still there: Braze has not answered

        deliver.ReplyTo.Tell(new BrazeGateway.Delivered(deliver.EventId));
        await ExpectMsgAsync<CustomerEventsDone>();
        await ExpectTerminatedAsync(customer);
        await AwaitAssertAsync(() => Assert.Equal(1, LedgerRows("customer-cus_12")), TimeSpan.FromSeconds(10));
    }

    /// <summary>Every row of the SQLite store (journal, tags, snapshots), columns as text.</summary>
    private List<Support.StoredRow> StoredRows() => Support.JournalInspector.AllRows(Support.JournalStore.Sqlite(_database));

    private long JournalRows(string persistenceId) => Rows(persistenceId, "'trip-booked.v1', 'trip-closed.v1'");

    private long LedgerRows(string persistenceId) => Rows(persistenceId, "'deliveries-recorded.v1'");

    /// <summary>Live (not deleted) journal rows, written by CrmSerializer under the given manifests.</summary>
    private long Rows(string persistenceId, string manifests)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_database}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM journal WHERE persistence_id = $id AND identifier = {CrmSerializer.SerializerId} AND manifest IN ({manifests}) AND deleted = 0";
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
