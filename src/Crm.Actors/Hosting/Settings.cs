namespace Crm.Actors.Hosting;

public sealed record ClusterSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes)
{
    public const string SystemName = "crm";

    /// <summary>How long the split-brain resolver waits for a stable view before downing unreachable members.</summary>
    public TimeSpan DownUnreachableAfter { get; init; } = TimeSpan.FromSeconds(20);
}

public enum PersistenceProvider
{
    Sqlite,
    PostgreSql,
}

public sealed record PersistenceSettings(PersistenceProvider Provider, string ConnectionString)
{
    /// <summary>Connections to PostgreSQL a node opens at most, unless its connection string says otherwise.</summary>
    public const int DefaultPostgresPoolSize = 16;

    /// <summary>
    /// A burst of entity recoveries (hundreds at once, see max-concurrent-recoveries in crm.hocon) would otherwise
    /// open up to Npgsql's default of 100 connections, which is PostgreSQL's whole default max_connections: the
    /// server then refuses connections, recoveries fail and records wait for their retry. With a bounded pool the
    /// queries queue in the client instead. A Maximum Pool Size in the connection string wins.
    /// </summary>
    public static string BoundedPostgresPool(string connectionString)
    {
        // The plain builder holds only the keys the string has (Npgsql's own reports every key it knows).
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys.Cast<string>()
            .Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant());
        if (given.Any(key => key is "maximumpoolsize" or "maxpoolsize")) return connectionString;
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = DefaultPostgresPoolSize }.ConnectionString;
    }
}

public sealed record CustomerSettings(int Partitions, int SnapshotEvery, TimeSpan PassivateAfter, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    /// <summary>The partitioner the producers use (librdkafka's name): shard id = the partition it gives a customer id.</summary>
    public string Partitioner { get; init; } = Kafka.KafkaPartitioner.ConsistentRandomName;

    public static readonly CustomerSettings Default = new(4, 100, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
}
