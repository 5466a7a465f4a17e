using System.Data.Common;
using System.Globalization;
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

    /// <summary>
    /// Every row of every table in the store (journal, tags, snapshots, and whatever else the plugin creates), each column
    /// as text: binary columns (the serialized payloads, JSON) decoded as UTF-8. What to search when nothing of a
    /// customer may remain.
    /// </summary>
    public static List<StoredRow> AllRows(JournalStore store)
    {
        using var connection = store.Open();
        var rows = new List<StoredRow>();
        foreach (var table in Tables(connection, store))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var columns = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                    columns[reader.GetName(i)] = reader.GetValue(i) switch
                    {
                        DBNull => "",
                        byte[] bytes => Encoding.UTF8.GetString(bytes),
                        var value => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
                    };
                rows.Add(new StoredRow(table, columns));
            }
        }
        return rows;
    }

    /// <summary>
    /// The columns of each index on <paramref name="table"/>, in index order, e.g. <c>persistence_id,sequence_number</c>;
    /// <paramref name="unique"/>: only unique indexes (primary keys included).
    /// </summary>
    public static HashSet<string> IndexedColumns(JournalStore store, string table, bool unique)
    {
        using var connection = store.Open();
        using var command = connection.CreateCommand();
        command.CommandText = store.IsPostgres
            ? """
              SELECT string_agg(a.attname, ',' ORDER BY k.ordinality)
              FROM pg_index x
              JOIN pg_class t ON t.oid = x.indrelid
              CROSS JOIN LATERAL unnest(x.indkey) WITH ORDINALITY AS k(attnum, ordinality)
              JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
              WHERE t.relname = @table AND t.relnamespace = current_schema()::regnamespace AND (x.indisunique OR NOT @unique)
              GROUP BY x.indexrelid
              """
            : """
              SELECT group_concat(name, ',') FROM (
                SELECT l.name AS indexName, i.name AS name FROM pragma_index_list(@table) l, pragma_index_info(l.name) i
                WHERE l."unique" = 1 OR NOT @unique ORDER BY l.name, i.seqno)
              GROUP BY indexName
              """;
        var tableParameter = command.CreateParameter();
        tableParameter.ParameterName = "table";
        tableParameter.Value = table;
        command.Parameters.Add(tableParameter);
        var uniqueParameter = command.CreateParameter();
        uniqueParameter.ParameterName = "unique";
        uniqueParameter.Value = unique;
        command.Parameters.Add(uniqueParameter);
        using var reader = command.ExecuteReader();
        var indexes = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) indexes.Add(reader.GetString(0));
        return indexes;
    }

    /// <summary>The tables of the store.</summary>
    public static HashSet<string> Tables(JournalStore store)
    {
        using var connection = store.Open();
        return Tables(connection, store);
    }

    private static HashSet<string> Tables(DbConnection connection, JournalStore store)
    {
        using var command = connection.CreateCommand();
        command.CommandText = store.IsPostgres
            ? "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
        using var reader = command.ExecuteReader();
        var tables = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read()) tables.Add(reader.GetString(0));
        return tables;
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

/// <summary>Where the service's journal and snapshots are: a SQLite file or a PostgreSQL database.</summary>
public sealed record JournalStore(string Name, string ConnectionString, bool IsPostgres)
{
    public static JournalStore Sqlite(string database) => new("SQLite", $"Data Source={database}", IsPostgres: false);

    public static JournalStore Postgres(string connectionString) => new("PostgreSQL", connectionString, IsPostgres: true);

    public DbConnection Open()
    {
        // SQLite read-write: a read-only connection may not see what the write-ahead log holds yet.
        DbConnection connection = IsPostgres ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        connection.Open();
        return connection;
    }

    public override string ToString() => Name;
}

/// <summary>One row of a table of the store, its columns as text (see <see cref="JournalInspector.AllRows"/>).</summary>
public sealed record StoredRow(string Table, IReadOnlyDictionary<string, string> Columns)
{
    public string this[string column] => Columns.GetValueOrDefault(column, "");

    public bool Contains(string value) => Columns.Values.Any(text => text.Contains(value, StringComparison.Ordinal));

    /// <summary>The journal's deleted flag (an integer in SQLite, a boolean in PostgreSQL).</summary>
    public bool IsDeleted => this["deleted"] is "1" or "True";

    public override string ToString() =>
        $"{Table}: {string.Join(", ", Columns.Select(c => $"{c.Key}={(c.Value.Length > 200 ? c.Value[..200] + "…" : c.Value)}"))}";
}
