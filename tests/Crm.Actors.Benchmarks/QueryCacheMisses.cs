using Akka.Persistence.Sql.Journal.Types;
using Akka.Persistence.Sql.Snapshot;
using LinqToDB.Internal.Linq;

namespace Crm.Actors.Benchmarks;

/// <summary>
/// linq2db's query-cache misses for the result types the Akka.Persistence.Sql journal and snapshot store query
/// (<c>Query&lt;T&gt;.CacheMissCount</c>, process-wide and cumulative): a miss translates the LINQ expression to SQL
/// and compiles its mapper again, so after warm-up the count should stay flat.
/// </summary>
public static class QueryCacheMisses
{
    public static long Total() =>
        Query<JournalRow>.CacheMissCount + Query<long?>.CacheMissCount + Query<long>.CacheMissCount +
        Query<LongSnapshotRow>.CacheMissCount + Query<int>.CacheMissCount;

    public static string Describe() =>
        $"JournalRow {Query<JournalRow>.CacheMissCount}, long? {Query<long?>.CacheMissCount}, long {Query<long>.CacheMissCount}, " +
        $"LongSnapshotRow {Query<LongSnapshotRow>.CacheMissCount}, int {Query<int>.CacheMissCount}";
}
