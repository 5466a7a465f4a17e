using Crm.Actors.Kafka;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// A deployment of several nodes on 127.0.0.1 that form one Akka.NET cluster, share one PostgreSQL journal and one
/// Kafka consumer group. Nodes run in this process (<see cref="ClusterNode"/>) or as their own OS process
/// (<see cref="CrmProcess"/>, for kill -9).
/// </summary>
public sealed class ClusterDeployment : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly PostgresTestDatabase _database;
    private readonly int _seedPort = Eventually.FreePort();
    private readonly List<IAsyncDisposable> _nodes = [];

    private readonly int _maxRecordsInFlight;
    private readonly IReadOnlyDictionary<string, string?> _shared;

    private ClusterDeployment(PipelineDeployment pipeline, PostgresTestDatabase database, int maxRecordsInFlight, IReadOnlyDictionary<string, string?> shared)
    {
        Pipeline = pipeline;
        _database = database;
        _maxRecordsInFlight = maxRecordsInFlight;
        _shared = shared;
    }

    public PipelineDeployment Pipeline { get; }

    /// <summary>The shared PostgreSQL journal.</summary>
    public string JournalConnectionString => _database.ConnectionString;

    /// <summary>Every topic-partition the group consumes (4 partitions per topic).</summary>
    public IReadOnlySet<(string Topic, int Partition)> AllPartitions =>
        Pipeline.Topics.Values.SelectMany(t => Enumerable.Range(0, 4).Select(p => (t, p))).ToHashSet();

    /// <summary>
    /// A deployment on fresh topics, group and database; <paramref name="maxRecordsInFlight"/> per node, and
    /// <paramref name="shared"/> settings every node gets (e.g. <c>Cluster:Tls:*</c>, which makes the seed <c>akka.ssl.tcp</c>).
    /// </summary>
    public static async Task<ClusterDeployment> StartAsync(
        KafkaTestCluster kafka, int maxRecordsInFlight = 1000, IReadOnlyDictionary<string, string?>? shared = null) =>
        new(await PipelineDeployment.StartAsync(kafka), await PostgresTestDatabase.CreateAsync(), maxRecordsInFlight, shared ?? new Dictionary<string, string?>());

    /// <summary>The address scheme of the nodes: <c>akka.ssl.tcp</c> when the shared settings turn TLS on.</summary>
    public string Protocol => _shared.GetValueOrDefault("Cluster:Tls:Enabled") == "true" ? "akka.ssl.tcp" : "akka.tcp";

    /// <summary>Settings of one node: its own remoting port, the first node as seed, the shared PostgreSQL journal.</summary>
    public Dictionary<string, string?> NodeSettings(int port)
    {
        var settings = new Dictionary<string, string?>(Pipeline.Settings)
        {
            ["Cluster:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Cluster:SeedNodes"] = $"{Protocol}://crm@127.0.0.1:{_seedPort}",
            ["Cluster:DownUnreachableAfter"] = "00:00:03",
            ["Persistence:Provider"] = "PostgreSql",
            ["Persistence:ConnectionString"] = _database.ConnectionString,
            ["Pipeline:MaxRecordsInFlight"] = _maxRecordsInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kafka:BufferSize"] = _maxRecordsInFlight.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in _shared) settings[key] = value;
        return settings;
    }

    /// <summary>Starts a node in this process with <paramref name="own"/> settings on top; the first one started is the seed.</summary>
    public async Task<ClusterNode> StartNodeAsync(IReadOnlyDictionary<string, string?>? own = null)
    {
        var settings = NodeSettings(_nodes.Count == 0 ? _seedPort : Eventually.FreePort());
        foreach (var (key, value) in own ?? new Dictionary<string, string?>()) settings[key] = value;
        var node = new ClusterNode(await CrmTestHost.StartAsync(settings));
        _nodes.Add(node);
        return node;
    }

    /// <summary>Starts a node as its own OS process (never the seed: start an in-process node first).</summary>
    public CrmProcess StartProcessNode()
    {
        if (_nodes.Count == 0) throw new InvalidOperationException("start the seed node in-process first");
        var process = CrmProcess.Start(NodeSettings(Eventually.FreePort()));
        _nodes.Add(process);
        return process;
    }

    /// <summary>Waits until <paramref name="observer"/> sees exactly <paramref name="members"/> members, all Up.</summary>
    public static Task WaitForMembers(ClusterNode observer, int members) => PipelineDeployment.WaitUntil(
        () => observer.UpMembers == members && observer.Members == members, Patience, () => observer.MembershipText);

    /// <summary>
    /// Waits until <paramref name="nodes"/> together own exactly <paramref name="partitions"/> topic-partitions, none
    /// twice, each node at least one: the group's rebalance is over.
    /// </summary>
    public static Task WaitForAssignment(IReadOnlyList<ClusterNode> nodes, int partitions) => PipelineDeployment.WaitUntil(
        () =>
        {
            var owned = nodes.Select(n => n.OwnedPartitions).ToList();
            return owned.All(o => o.Count > 0) && owned.Sum(o => o.Count) == partitions && owned.SelectMany(o => o).Distinct().Count() == partitions;
        },
        Patience,
        () => string.Join("; ", nodes.Select(n => $"{n.Address}: {string.Join(',', n.OwnedPartitions.Order())}")));

    public async ValueTask DisposeAsync()
    {
        for (var i = _nodes.Count - 1; i >= 0; i--) await _nodes[i].DisposeAsync();
        await Pipeline.DisposeAsync();
        await _database.DisposeAsync();
    }
}
