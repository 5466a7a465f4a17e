using LinqToDB;

namespace Crm.Actors.Hosting;

/// <summary>
/// Akka.Persistence.Sql settings for the SQLite journal and snapshot store; PostgreSQL keeps the plugin's defaults.
/// </summary>
internal static class SqliteJournalTuning
{
    /// <summary>
    /// The plugin reads in transactions, and Microsoft.Data.Sqlite begins every transaction that is not
    /// read-uncommitted with BEGIN IMMEDIATE, i.e. it takes the database's one write lock even to read; a connection
    /// that finds the lock taken sleeps 150 ms before it tries again. Entity recoveries therefore queued behind each
    /// other and behind writes (about 140 recoveries/s in the benchmark). Read-uncommitted begins a deferred
    /// transaction instead; outside shared-cache mode SQLite ignores the read-uncommitted pragma, and under WAL (set
    /// by the host) a reader sees the last commit and never waits for the writer: nothing uncommitted is read.
    /// One journal writer at a time: a second one could only wait for the same lock.
    /// </summary>
    public const string Hocon = """
        akka.persistence.journal.sql {
          read-isolation-level = read-uncommitted
          parallelism = 1
        }
        akka.persistence.snapshot-store.sql.read-isolation-level = read-uncommitted
        """;

    /// <summary>
    /// Every connection the plugin opens waits inside SQLite for a lock another connection holds (<c>busy_timeout</c>,
    /// retried by SQLite within milliseconds), instead of failing at once and being retried by Microsoft.Data.Sqlite,
    /// which sleeps 150 ms between tries: a journal write that met an erasure's or a snapshot's write lost 150 ms, and
    /// every write queued behind it with it. Microsoft.Data.Sqlite sets no busy timeout of its own.
    /// </summary>
    public static DataOptions WaitForLocksInSqlite(DataOptions options) => options.UseAfterConnectionOpened(
        connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = BusyTimeout;
            command.ExecuteNonQuery();
        },
        async (connection, cancellation) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = BusyTimeout;
            await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        });

    /// <summary>Milliseconds SQLite waits for a lock before answering busy (then Microsoft.Data.Sqlite's own retries begin).</summary>
    private const string BusyTimeout = "PRAGMA busy_timeout = 10000;";

    /// <summary>SQLite lets readers and the journal's writer work side by side only in WAL mode (a database setting).</summary>
    public static void UseWriteAheadLog(string connectionString)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
