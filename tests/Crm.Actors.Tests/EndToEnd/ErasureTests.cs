using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using System.Text.Json.Nodes;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.EndToEnd;

/// <summary>
/// <c>CustomerDeleted</c> through the whole service (mock Kafka, local Braze, the real journal): afterwards the store
/// holds nothing of the customer's trips or delivery ledger, in the journal, its tag table or the snapshots, on SQLite
/// and on PostgreSQL. The store is read directly, every row of every table, and each value is first found there before
/// the erasure, so the search is known to see it.
/// </summary>
[Collection(Serial.Name)]
public sealed class ErasureTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Erasure_leaves_nothing_of_the_customer_in_the_SQLite_journal_tags_or_snapshots()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        await ErasesEverything(deployment, JournalStore.Sqlite(deployment.Database), seed: 61);
    }

    [Fact]
    public async Task Erasure_leaves_nothing_of_the_customer_in_the_PostgreSQL_journal_tags_or_snapshots()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        deployment.Settings["Persistence:Provider"] = "PostgreSql";
        deployment.Settings["Persistence:ConnectionString"] = database.ConnectionString;
        await ErasesEverything(deployment, JournalStore.Postgres(database.ConnectionString), seed: 62);
    }

    private async Task ErasesEverything(PipelineDeployment deployment, JournalStore store, int seed)
    {
        // Every third journal write is snapshotted: one customer's trip ends up in the journal only, another's in a snapshot.
        deployment.Settings["Customers:SnapshotEvery"] = "3";
        var samples = new SampleEvents(seed);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        // One booking: a trip and one ledger write, two journal rows and no snapshot (the issue's case).
        var inJournal = new Customer(samples, $"cus_journal_{suffix}", "act_lis_sintra", "Sintra day trip", "Lisbon", "2031-05-17T09:00:00Z");
        // Account, booking, then preparation: at least three journal writes, so the trip and ledger go into a snapshot.
        var inSnapshot = new Customer(samples, $"cus_snapshot_{suffix}", "act_prg_castle", "Prague Castle guided tour", "Prague", "2031-06-23T10:30:00Z");
        // Never deleted: what the erasure must leave alone.
        var kept = new Customer(samples, $"cus_kept_{suffix}", "act_vie_opera", "Vienna State Opera evening", "Vienna", "2031-07-04T19:00:00Z");

        await using (var host = await deployment.StartHostAsync())
        {
            deployment.Produce([inJournal.Booked(), inSnapshot.AccountCreated(), inSnapshot.Booked(), kept.Booked()]);
            await AllDone(deployment);
            deployment.Produce([inSnapshot.PreparationStarted()]);
            await AllDone(deployment);
            await Eventually.Holds(() => RowsOf(store, inSnapshot).Any(r => r.Table == "snapshot"), Patience,
                () => $"no snapshot of {inSnapshot.Id}: {string.Join(" | ", RowsOf(store, inSnapshot))}");

            // The search finds every value while the customers are there: the trip in the journal for one, in a
            // snapshot for the other, and the ledger keys of every event Braze accepted.
            var before = JournalInspector.AllRows(store);
            // The plugin's tables, the tag table among them (empty: the service tags nothing), are all searched.
            Assert.Superset(new HashSet<string> { "journal", "tags", "snapshot" }, JournalInspector.Tables(store));
            Assert.DoesNotContain(before, r => r.Table == "snapshot" && r["persistence_id"] == inJournal.PersistenceId);
            foreach (var (customer, table) in new[] { (inJournal, "journal"), (inSnapshot, "snapshot"), (kept, "journal") })
                foreach (var value in customer.TripValues)
                    Assert.True(before.Any(r => r.Table == table && r.Contains(value)), $"{value} of {customer.Id} not in {table} before the erasure");
            foreach (var customer in new[] { inJournal, inSnapshot })
                foreach (var key in customer.LedgerKeys)
                    Assert.True(before.Any(r => r.Contains(key)), $"ledger key {key} of {customer.Id} not stored before the erasure");
            // The attribute memory: the key of the email Braze accepted for the customer who created an account.
            Assert.True(before.Any(r => r.Contains(inSnapshot.EmailKey)), $"the email's attribute key of {inSnapshot.Id} not stored before the erasure");

            deployment.Produce([inJournal.Deleted(), inSnapshot.Deleted()]);
            await AllDone(deployment);
            Assert.Equal([inJournal.Id, inSnapshot.Id], deployment.Braze.DeletedExternalIds().Order(StringComparer.Ordinal));
        }

        var after = JournalInspector.AllRows(store);
        foreach (var customer in new[] { inJournal, inSnapshot })
        {
            // AccountCreated's fields themselves are not persisted today (only their attribute keys); searched anyway, so
            // anything that starts keeping them is held to the erasure too.
            foreach (var value in customer.TripValues.Concat(customer.LedgerKeys).Concat(customer.AccountValues).Append(customer.EmailKey))
                Assert.True(!after.Any(r => r.Contains(value)),
                    $"{value} of {customer.Id} still stored: {string.Join(" | ", after.Where(r => r.Contains(value)))}");
            // What remains: the journal's row of the highest sequence number (the plugin keeps it so that numbers are
            // never reused), flagged deleted, holding the empty erasure marker; no tag, no snapshot.
            var left = Assert.Single(after, r => r.Contains(customer.Id));
            Assert.Equal("journal", left.Table);
            Assert.Equal(customer.PersistenceId, left["persistence_id"]);
            Assert.True(left.IsDeleted, left.ToString());
            Assert.Equal("customer-erased.v1", left["manifest"]);
            Assert.Equal("{}", left["message"]);
        }
        foreach (var value in kept.TripValues)
            Assert.True(after.Any(r => r.Contains(value)), $"{value} of {kept.Id}, never deleted, is gone");
        var marker = long.Parse(after.Single(r => r.Contains(inJournal.Id))["sequence_number"]);

        // Recovery after the erasure, in a new incarnation of the service: empty state, numbering goes on.
        await using (var host = await deployment.StartHostAsync())
        {
            foreach (var customer in new[] { inJournal, inSnapshot })
            {
                var view = await ViewOf(host, customer.Id);
                Assert.Empty(view.OpenTrips);
                Assert.Empty(view.ClosedBookings);
                Assert.Equal(0, view.DeliveriesRemembered);
                Assert.Equal(long.Parse(after.Single(r => r.Contains(customer.Id))["sequence_number"]), view.SequenceNr);
            }

            // The customer comes back: a new account and a new booking, handled as for anyone new.
            var returning = new Customer(samples, inJournal.Id, "act_ams_canal", "Amsterdam canal cruise", "Amsterdam", "2031-08-12T11:00:00Z");
            deployment.Produce([returning.AccountCreated(), returning.Booked()]);
            await AllDone(deployment);
            var booking = deployment.Braze.AcceptedObjects().Single(o =>
                o.Array == "events" && o.Object.GetProperty("name").GetString() == "booking_completed"
                && o.Object.GetProperty("properties").GetProperty("booking_id").GetString() == returning.BookingId).Object;
            Assert.Equal(1, booking.GetProperty("properties").GetProperty("upcoming_activities_count").GetInt32());
            Assert.Empty(booking.GetProperty("properties").GetProperty("other_upcoming_activities").EnumerateArray());

            var back = await ViewOf(host, inJournal.Id);
            Assert.Equal([returning.BookingId], back.OpenTrips.Select(t => t.BookingId));
            Assert.Equal(2, back.DeliveriesRemembered);
            // Its new writes number on from the marker (a snapshot may already cover them), and the new trip is stored.
            var now = JournalInspector.AllRows(store);
            var journal = now.Where(r => r.Table == "journal" && r["persistence_id"] == inJournal.PersistenceId).ToList();
            Assert.All(journal, r => Assert.True(long.Parse(r["sequence_number"]) >= marker, $"sequence number reused: {r}"));
            Assert.Contains(journal, r => long.Parse(r["sequence_number"]) > marker);
            Assert.Contains(now, r => r["persistence_id"] == inJournal.PersistenceId && r.Contains(returning.BookingId));
            foreach (var value in inJournal.TripValues.Concat(inJournal.LedgerKeys))
                Assert.DoesNotContain(now, r => r.Contains(value));
        }
    }

    private static Task AllDone(PipelineDeployment deployment) =>
        PipelineDeployment.WaitUntil(deployment.AllCommitted, Patience, deployment.CommitState);

    /// <summary>The customer's state, asked through the node's shard region (the entity recovers if it is not running).</summary>
    private static Task<CustomerView> ViewOf(CrmTestHost host, string customerId) =>
        host.Service<ActorRegistry>().Get<CustomerActor>().Ask<CustomerView>(new GetCustomer(customerId), Patience);

    private static IEnumerable<StoredRow> RowsOf(JournalStore store, Customer customer) =>
        JournalInspector.AllRows(store).Where(r => r.Contains(customer.Id));

    /// <summary>One customer's records, and the values of them that are personal and may be stored.</summary>
    private sealed class Customer(SampleEvents samples, string id, string activityId, string title, string city, string startsAt)
    {
        private readonly List<string> _eventIds = [];

        public string Id => id;
        public string PersistenceId => $"{CustomerActor.EntityType}-{id}";
        public string BookingId { get; } = $"bkg_{Guid.NewGuid():N}"[..16];
        private string Email { get; } = $"{Guid.NewGuid():N}"[..10] + "@example.org";

        /// <summary>The trip as stored: booking id, activity, its title and city, the day it starts.</summary>
        public IEnumerable<string> TripValues => [BookingId, activityId, title, city, startsAt[..10]];

        /// <summary>The delivery-ledger keys of every event of the customer (as the journal writes them: decimal numbers).</summary>
        public IEnumerable<string> LedgerKeys => _eventIds.Select(e => DeliveryLedger.KeyOf(e).ToString(System.Globalization.CultureInfo.InvariantCulture));

        public IEnumerable<string> AccountValues => [Email, "Wilhelmina", "Oberhollenzer"];

        /// <summary>The email's key in the attribute memory (as the journal writes it: a decimal number).</summary>
        public string EmailKey => AttributeMemory.KeyOf(JsonValue.Create(Email)).ToString(System.Globalization.CultureInfo.InvariantCulture);

        public SampleRecord AccountCreated() => Record("accounts", "AccountCreated", new JsonObject
        {
            ["email"] = Email, ["first_name"] = "Wilhelmina", ["last_name"] = "Oberhollenzer", ["locale"] = "de-AT", ["country"] = "AT",
            ["marketing_opt_in"] = true,
        });

        public SampleRecord Booked() => Record("bookings", "BookingCompleted", new JsonObject
        {
            ["booking_id"] = BookingId, ["activity_id"] = activityId, ["starts_at"] = startsAt,
            ["activity_title"] = title, ["city"] = city, ["participants"] = 2,
            ["total_price"] = new JsonObject { ["amount"] = 120.5m, ["currency"] = "EUR" },
        });

        public SampleRecord PreparationStarted() =>
            Record("activities", "ActivityPreparationStarted", new JsonObject { ["booking_id"] = BookingId, ["activity_id"] = activityId });

        public SampleRecord Deleted() => Record("accounts", "CustomerDeleted", new JsonObject());

        private SampleRecord Record(string topic, string eventType, JsonObject payload)
        {
            var record = samples.Record(topic, eventType, id, DateTimeOffset.UtcNow, payload);
            if (eventType != "CustomerDeleted")
                _eventIds.Add(JsonDocument.Parse(record.Value).RootElement.GetProperty("event_id").GetString()!);
            return record;
        }
    }
}
