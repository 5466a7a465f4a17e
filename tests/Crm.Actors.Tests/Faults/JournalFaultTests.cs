using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;
using Microsoft.Data.Sqlite;

namespace Crm.Actors.Tests.Faults;

/// <summary>The journal unavailable for a while: SQLite locked by another writer.</summary>
[Collection(Serial.Name)]
public sealed class JournalFaultTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task A_locked_journal_delays_delivery_without_loss_and_nothing_unpersisted_reaches_braze()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        // Give up on a lock after 1 s (SQLite's busy timeout) and ask a stuck record again after 3 s.
        deployment.Settings["Persistence:ConnectionString"] = $"Data Source={deployment.Database};Default Timeout=1";
        deployment.Settings["Pipeline:RecordTimeout"] = "00:00:03";
        var before = deployment.ProduceCustomers(10, seed: 31);
        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        await PipelineDeployment.WaitUntil(() => deployment.Count(before).Lost == 0, Patience);

        List<SampleRecord> during;
        DateTime released;
        await using (var lockHolder = new SqliteConnection($"Data Source={deployment.Database}"))
        {
            lockHolder.Open();
            Execute(lockHolder, "BEGIN EXCLUSIVE;");
            during = deployment.ProduceCustomers(10, seed: 32);
            // Persisting fails, entities stop and back off, and the stuck records are asked again.
            var retriesAtLock = stats.Retries;
            await PipelineDeployment.WaitUntil(() => stats.Retries >= retriesAtLock + 3, Patience, () => $"retries {stats.Retries}");

            // Nothing whose state change is not persisted was sent: every booking Braze has is settled in the journal.
            var persisted = PersistedBookings(lockHolder);
            var sent = deployment.Braze.AcceptedObjects()
                .Where(o => o.Array == "events" && o.Object.GetProperty("name").GetString() == "booking_completed")
                .Select(o => o.Object.GetProperty("properties").GetProperty("booking_id").GetString()!)
                .ToHashSet();
            Assert.Subset(persisted, sent);
            Assert.True(deployment.Count(during).Lost > 0, "the lock did not hold anything back");
            Execute(lockHolder, "ROLLBACK;");
            released = DateTime.UtcNow;
        }

        await PipelineDeployment.WaitUntil(() => deployment.Count(during).Lost == 0 && deployment.AllCommitted(), Patience,
            () => $"delivered {deployment.Count(during).Delivered}/{deployment.Count(during).Sent}");
        var count = deployment.Count(before.Concat(during));
        FaultReport.Write("journal unavailable (SQLite locked)", count, DateTime.UtcNow - released);
        Assert.Equal(0, count.Lost);
        Assert.Equal(0, count.Duplicates); // entities restarted, nothing crashed: the gateway answers what it already sent
        Assert.All(JournalInspector.TripsBooked(deployment.Database), trip => Assert.Equal(1, trip.Value));
    }

    [Fact]
    public async Task PostgreSQL_stopped_for_a_while_delays_delivery_without_loss()
    {
        await using var database = await PostgresTestDatabase.CreateAsync();
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        deployment.Settings["Persistence:Provider"] = "PostgreSql";
        deployment.Settings["Persistence:ConnectionString"] = database.ConnectionString;
        deployment.Settings["Pipeline:RecordTimeout"] = "00:00:03";
        deployment.Settings["Customers:MaxBackoff"] = "00:00:01";
        var before = deployment.ProduceCustomers(10, seed: 33);
        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        await PipelineDeployment.WaitUntil(() => deployment.Count(before).Lost == 0, Patience);

        List<SampleRecord> during;
        DateTime restarted;
        PostgresTestDatabase.Server("stop");
        try
        {
            during = deployment.ProduceCustomers(10, seed: 34);
            var retriesAtStop = stats.Retries;
            await PipelineDeployment.WaitUntil(() => stats.Retries >= retriesAtStop + 3, Patience, () => $"retries {stats.Retries}");
            Assert.True(deployment.Count(during).Lost > 0, "the outage did not hold anything back");
        }
        finally
        {
            PostgresTestDatabase.Server("start");
            restarted = DateTime.UtcNow;
        }

        await PipelineDeployment.WaitUntil(() => deployment.Count(during).Lost == 0 && deployment.AllCommitted(), Patience,
            () => $"delivered {deployment.Count(during).Delivered}/{deployment.Count(during).Sent}");
        var count = deployment.Count(before.Concat(during));
        FaultReport.Write("journal unavailable (PostgreSQL stopped)", count, DateTime.UtcNow - restarted);
        Assert.Equal(0, count.Lost);
        Assert.Equal(0, count.Duplicates); // entities restarted, nothing crashed: the gateway answers what it already sent
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static HashSet<string> PersistedBookings(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT message FROM journal";
        using var reader = command.ExecuteReader();
        var bookings = new HashSet<string>();
        while (reader.Read())
        {
            using var json = System.Text.Json.JsonDocument.Parse((byte[])reader[0]);
            // A booking is settled in the journal as booked, or as closed (a cancellation read before the booking).
            if (json.RootElement.TryGetProperty("Trip", out var trip)) bookings.Add(trip.GetProperty("BookingId").GetString()!);
            else if (json.RootElement.TryGetProperty("BookingId", out var closed)) bookings.Add(closed.GetString()!);
        }
        return bookings;
    }
}
