using Confluent.Kafka;
using Crm.Actors.Kafka;
using Crm.Host.Local;

namespace Crm.Host.Demo;

/// <summary>
/// Everything <c>--demo</c> needs on one machine: librdkafka's mock Kafka cluster with the default topics, a local
/// Braze and Activity Catalog, and a generator of realistic traffic (with about 1% malformed records).
/// </summary>
public sealed class DemoEnvironment : IAsyncDisposable
{
    public const string ApiKey = "demo-local-braze-key";
    /// <summary>The topics of the contract's event types (the demo creates them on its embedded Kafka).</summary>
    public static readonly IReadOnlyList<string> Topics = Crm.Actors.EventTypes.EventCatalog.Default.DefaultTopics;

    private readonly CancellationTokenSource _stop = new();
    private Task _generator = Task.CompletedTask;
    private long _produced;

    private DemoEnvironment(MockKafkaCluster kafka, LocalBraze braze, LocalCatalog catalog)
    {
        Kafka = kafka;
        Braze = braze;
        Catalog = catalog;
    }

    public MockKafkaCluster Kafka { get; }
    public LocalBraze Braze { get; }
    public LocalCatalog Catalog { get; }
    public long Produced => Interlocked.Read(ref _produced);

    /// <summary>Settings that point the service at the embedded parts.</summary>
    public Dictionary<string, string?> Configuration => new()
    {
        ["Kafka:BootstrapServers"] = Kafka.BootstrapServers,
        ["Braze:RestEndpoint"] = Braze.BaseUrl.ToString(),
        ["Braze:ApiKey"] = ApiKey,
        ["Catalog:BaseUrl"] = Catalog.BaseUrl.ToString(),
        ["Persistence:ConnectionString"] = "Data Source=" + Path.Combine(Path.GetTempPath(), $"crm-demo-{Environment.ProcessId}.db"),
        ["Cluster:Port"] = "0",
    };

    public static async Task<DemoEnvironment> StartAsync()
    {
        var kafka = new MockKafkaCluster(brokers: 3);
        foreach (var topic in Topics) kafka.CreateTopic(topic, partitions: 4);
        kafka.CreateTopic("crm.deadletter", partitions: 4);
        var braze = await LocalBraze.StartAsync(ApiKey).ConfigureAwait(false);
        var catalog = await LocalCatalog.StartAsync(SampleEvents.Activities).ConfigureAwait(false);
        return new DemoEnvironment(kafka, braze, catalog);
    }

    /// <summary>Produces about <paramref name="customersPerSecond"/> customer stories a second until disposed.</summary>
    public void StartTraffic(int customersPerSecond = 10)
    {
        _generator = Task.Run(async () =>
        {
            using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = Kafka.BootstrapServers, LingerMs = 10 }).Build();
            var samples = new SampleEvents(seed: Environment.ProcessId);
            var customer = 0;
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                for (var i = 0; i < Math.Max(1, customersPerSecond / 10); i++)
                {
                    var id = $"cus_{1000 + customer++}";
                    var records = samples.Customer(id, DateTimeOffset.UtcNow).ToList();
                    if (customer % 10 == 0) records.Add(samples.Malformed(id));
                    foreach (var record in records)
                    {
                        producer.Produce(record.Topic, new Message<string, byte[]> { Key = record.Key, Value = record.Value });
                        Interlocked.Increment(ref _produced);
                    }
                }
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _generator.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await Braze.DisposeAsync().ConfigureAwait(false);
        await Catalog.DisposeAsync().ConfigureAwait(false);
        Kafka.Dispose();
    }
}
