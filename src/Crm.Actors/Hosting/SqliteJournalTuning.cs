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
    /// Every connection the plugin opens syncs the write-ahead log to disk only at checkpoints (<c>synchronous = NORMAL</c>,
    /// SQLite's advice for WAL): a commit no longer waits for an fsync, which held the one journal writer and everything
    /// queued behind it (benchmark (b): 864 against 1,107 records/s). A committed write survives the process crashing or
    /// being killed; an operating-system crash or power loss may lose the last commits (README "Delivery guarantees";
    /// PostgreSQL keeps its own synchronous commit).
    /// <para>It also waits inside SQLite for a lock another connection holds (<c>busy_timeout</c>,
    /// retried by SQLite within milliseconds), instead of failing at once and being retried by Microsoft.Data.Sqlite,
    /// which sleeps 150 ms between tries: a journal write that met an erasure's or a snapshot's write lost 150 ms, and
    /// every write queued behind it with it. Microsoft.Data.Sqlite sets no busy timeout of its own.</para>
    /// </summary>
    public static DataOptions ConfigureConnections(DataOptions options) => options.UseAfterConnectionOpened(
        connection =>
        {
            using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            command.ExecuteNonQuery();
        },
        async (connection, cancellation) =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = ConnectionPragmas;
            await command.ExecuteNonQueryAsync(cancellation).ConfigureAwait(false);
        });

    /// <summary>The lock wait in milliseconds before SQLite answers busy (then Microsoft.Data.Sqlite's own retries begin), and the sync mode.</summary>
    private const string ConnectionPragmas = "PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;";

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
