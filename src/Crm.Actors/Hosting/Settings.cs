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

/// <summary>The journal and snapshot store. A PostgreSQL pool is bounded when configuration loads (Persistence:MaxConnections).</summary>
public sealed record PersistenceSettings(PersistenceProvider Provider, string ConnectionString);

public sealed record CustomerSettings(int Partitions, int SnapshotEvery, TimeSpan PassivateAfter, TimeSpan MinBackoff, TimeSpan MaxBackoff)
{
    /// <summary>The partitioner the producers use (librdkafka's name): shard id = the partition it gives a customer id.</summary>
    public string Partitioner { get; init; } = Kafka.KafkaPartitioner.ConsistentRandomName;

    public static readonly CustomerSettings Default = new(4, 100, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
}
