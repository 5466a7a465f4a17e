using Crm.Host.Demo;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// One deployment of the service for an end-to-end test: fresh topics and group on the shared mock Kafka cluster,
/// a local Braze and catalog, a SQLite journal, and the settings that point the service at them.
/// </summary>
public sealed class PipelineDeployment : IAsyncDisposable
{
    public const string ApiKey = "deployment-secret-api-key-5f2c";

    private PipelineDeployment(KafkaTestCluster kafka, LocalBraze braze, LocalCatalog catalog)
    {
        Kafka = kafka;
        Braze = braze;
        Catalog = catalog;
        Topics = DemoEnvironment.Topics.ToDictionary(t => t, t => kafka.NewTopic(t));
        DeadLetterTopic = kafka.NewTopic("crm.deadletter");
        Group = "crm-" + Guid.NewGuid().ToString("N")[..8];
        Database = Path.Combine(Path.GetTempPath(), $"crm-test-{Guid.NewGuid():N}.db");
        Settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = kafka.BootstrapServers,
            ["Kafka:Topics"] = string.Join(',', Topics.Values),
            ["Kafka:GroupId"] = Group,
            ["Kafka:DeadLetterTopic"] = DeadLetterTopic,
            ["Kafka:Client:session.timeout.ms"] = "6000",
            ["Kafka:Client:heartbeat.interval.ms"] = "500",
            // The mock coordinator evicts a member that has not rejoined within its session (6 s) while it drains a
            // revocation; real Kafka waits up to max.poll.interval.ms.
            ["Kafka:RevokeDrainTimeout"] = "00:00:04",
            ["Braze:RestEndpoint"] = braze.BaseUrl.ToString(),
            ["Braze:ApiKey"] = ApiKey,
            ["Braze:RequestTimeout"] = "00:00:02",
            ["Braze:MinBackoff"] = "00:00:00.100",
            ["Braze:MaxBackoff"] = "00:00:01",
            ["Catalog:BaseUrl"] = catalog.BaseUrl.ToString(),
            ["Catalog:RequestTimeout"] = "00:00:01",
            ["Catalog:MaxBackoff"] = "00:00:01",
            ["Persistence:ConnectionString"] = $"Data Source={Database}",
            ["Pipeline:RecordTimeout"] = "00:00:10",
            ["Cluster:Port"] = "0",
            ["Management:Port"] = "0",
        };
    }

    public KafkaTestCluster Kafka { get; }
    public LocalBraze Braze { get; }
    public LocalCatalog Catalog { get; }
    public Dictionary<string, string> Topics { get; }
    public string DeadLetterTopic { get; }
    public string Group { get; }
    public string Database { get; }
    public Dictionary<string, string?> Settings { get; }

    public static async Task<PipelineDeployment> StartAsync(KafkaTestCluster kafka) => new(
        kafka, await LocalBraze.StartAsync(ApiKey), await LocalCatalog.StartAsync(SampleEvents.Activities));

    /// <summary>Produces the stories of <paramref name="customers"/> customers to this deployment's topics.</summary>
    public List<SampleRecord> ProduceCustomers(int customers, int seed, string prefix = "cus")
    {
        var samples = new SampleEvents(seed);
        var records = Enumerable.Range(0, customers).SelectMany(i => samples.Customer($"{prefix}_{seed}_{i}", DateTimeOffset.UtcNow)).ToList();
        Produce(records);
        return records;
    }

    public void Produce(IEnumerable<SampleRecord> records)
    {
        foreach (var record in records) Kafka.Produce(record, Topics.GetValueOrDefault(record.Topic, record.Topic));
        Kafka.Flush();
    }

    public Task<CrmTestHost> StartHostAsync() => CrmTestHost.StartAsync(Settings);

    public DeliveryCount Count(IEnumerable<SampleRecord> produced) => DeliveryAudit.Count(produced, Braze);

    public bool AllCommitted() => Topics.Values.All(topic => Kafka.IsFullyCommitted(Group, topic));

    /// <summary>Committed against end offsets of every topic, for failure messages.</summary>
    public string CommitState() => string.Join("; ", Topics.Values.Select(topic =>
        $"{topic}: committed [{string.Join(',', Kafka.CommittedOffsets(Group, topic).OrderBy(kv => kv.Key).Select(kv => kv.Value))}] " +
        $"end [{string.Join(',', Kafka.EndOffsets(topic).OrderBy(kv => kv.Key).Select(kv => kv.Value))}]"));

    /// <summary>Waits on a condition (polled), failing with <paramref name="state"/> when it does not hold in time.</summary>
    public static Task WaitUntil(Func<bool> condition, TimeSpan patience, Func<string>? state = null) =>
        Eventually.Holds(condition, patience, state);

    public async ValueTask DisposeAsync()
    {
        await Braze.DisposeAsync();
        await Catalog.DisposeAsync();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(Database)!, Path.GetFileName(Database) + "*")) File.Delete(file);
    }
}
