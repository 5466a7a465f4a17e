using System.Data.Common;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Crm.Actors.Tests.Support;

/// <summary>Reads the journal and snapshot store directly (SQLite file or PostgreSQL), to check what the service persisted.</summary>
public static class JournalInspector
{
    /// <summary>How many TripBooked facts each (customer, booking) has in the SQLite journal.</summary>
    public static Dictionary<(string PersistenceId, string BookingId), int> TripsBooked(string database)
    {
        using var connection = Sqlite(database);
        var counts = new Dictionary<(string, string), int>();
        foreach (var (persistenceId, json) in Rows(connection, "SELECT persistence_id, message FROM journal WHERE deleted = 0"))
        {
            if (!json.RootElement.TryGetProperty("Trip", out var trip)) continue;
            var key = (persistenceId, trip.GetProperty("BookingId").GetString()!);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return counts;
    }

    /// <summary>Every delivery-ledger key the SQLite journal and snapshots hold (what survives a crash).</summary>
    public static HashSet<ulong> LedgerKeys(string database)
    {
        using var connection = Sqlite(database);
        return LedgerKeys(connection);
    }

    /// <summary>Every delivery-ledger key a PostgreSQL journal and snapshot store hold.</summary>
    public static HashSet<ulong> PostgresLedgerKeys(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        return LedgerKeys(connection);
    }

    private static HashSet<ulong> LedgerKeys(DbConnection connection)
    {
        var keys = new HashSet<ulong>();
        foreach (var (_, json) in Rows(connection, "SELECT persistence_id, message FROM journal WHERE manifest = 'deliveries-recorded.v1'"))
            foreach (var key in json.RootElement.GetProperty("EventKeys").EnumerateArray()) keys.Add(key.GetUInt64());
        foreach (var (_, json) in Rows(connection, "SELECT persistence_id, snapshot FROM snapshot WHERE manifest = 'customer-snapshot.v1'"))
            if (json.RootElement.TryGetProperty("Delivered", out var delivered) && delivered.ValueKind == JsonValueKind.Array)
                foreach (var key in delivered.EnumerateArray()) keys.Add(key.GetUInt64());
        return keys;
    }

    private static SqliteConnection Sqlite(string database)
    {
        // Read-write: a read-only connection may not see what the write-ahead log holds yet.
        var connection = new SqliteConnection($"Data Source={database}");
        connection.Open();
        return connection;
    }

    private static IEnumerable<(string PersistenceId, JsonDocument Json)> Rows(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<(string, JsonDocument)>();
        while (reader.Read()) rows.Add((reader.GetString(0), JsonDocument.Parse(Encoding.UTF8.GetString((byte[])reader[1]))));
        return rows;
    }
}
