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

    /// <summary>
    /// How many accepted event ids each customer remembers (<c>Customers:DeliveryLedgerSize</c>, 8 bytes each); a record
    /// read again whose id is among them is not sent again. 0 remembers none.
    /// </summary>
    public int DeliveryLedgerSize { get; init; } = 64;

    /// <summary>
    /// True: a record whose event Braze already accepted is acknowledged without sending (<c>Customers:SkipDelivered</c>).
    /// False is for an operator who replays a topic on purpose to send it again.
    /// </summary>
    public bool SkipDelivered { get; init; } = true;

    public static readonly CustomerSettings Default = new(4, 100, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
}
