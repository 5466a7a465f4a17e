namespace Crm.Actors.Hosting;

/// <summary>
/// This node in the Akka.NET cluster: the address it advertises (<see cref="Hostname"/>:<see cref="Port"/>, port 0 =
/// any free one), the seed nodes it joins (none: it forms a cluster by itself), where remoting listens and whether
/// nodes talk mutual TLS.
/// </summary>
public sealed record ClusterSettings(string Hostname, int Port, IReadOnlyList<string> SeedNodes)
{
    public const string SystemName = "crm";

    /// <summary>
    /// The interface remoting listens on (a host name or IP address; <c>0.0.0.0</c> = every interface). Null: the
    /// advertised <see cref="Hostname"/>, so that a node is reachable only where it says it is.
    /// </summary>
    public string? BindHostname { get; init; }

    /// <summary>Mutual TLS between nodes; null: plain TCP (then only the network keeps strangers out).</summary>
    public ClusterTlsSettings? Tls { get; init; }

    /// <summary>The scheme of every node address: <c>akka.ssl.tcp</c> with TLS (Akka.Remote's DotNetty transport names it so), else <c>akka.tcp</c>.</summary>
    public string Protocol => Tls is null ? "akka.tcp" : "akka.ssl.tcp";

    /// <summary>How long the split-brain resolver waits for a stable view before downing unreachable members.</summary>
    public TimeSpan DownUnreachableAfter { get; init; } = TimeSpan.FromSeconds(20);
}

public enum PersistenceProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>The journal and snapshot store. A PostgreSQL pool is bounded when configuration loads (Persistence:MaxConnections).</summary>
public sealed record PersistenceSettings(PersistenceProvider Provider, string ConnectionString)
{
    /// <summary>The connection string may carry a password: records print their members, so this one leaves it out.</summary>
    public override string ToString()
    {
        var shown = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = ConnectionString };
        foreach (var key in new[] { "Password", "Pwd" })
            if (shown.ContainsKey(key)) shown[key] = "***";
        return $"PersistenceSettings {{ Provider = {Provider}, ConnectionString = {shown.ConnectionString} }}";
    }
}

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

    /// <summary>
    /// True: an attribute is sent only when its value differs from the one last sent to Braze for that customer
    /// (<c>Customers:SkipUnchangedAttributes</c>, <see cref="Domain.AttributeMemory"/>); the memory is kept with the
    /// delivery ledger (so with <see cref="DeliveryLedgerSize"/> 0 it lasts only while the entity is alive) and erased
    /// with the customer. False sends every attribute of every event, as before.
    /// </summary>
    public bool SkipUnchangedAttributes { get; init; } = true;

    /// <summary>
    /// Most customer entities live on one node (<c>Customers:MaxLiveEntities</c>); past it the least recently used one is
    /// passivated (<see cref="Customers.LiveEntities{TEntity}"/>). 10,000 keeps them to about 90 MiB of managed heap (the benchmark measures 85 to 88 MiB per 10,000).
    /// </summary>
    public int MaxLiveEntities { get; init; } = 10_000;

    public static readonly CustomerSettings Default = new(4, 100, TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10));
}
