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
}
