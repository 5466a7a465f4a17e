using Akka.Actor;
using Akka.Cluster;
using Crm.Actors.Braze;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.Operating;

/// <summary>
/// Two real nodes of one cluster in this process (distinct remoting and management ports, the second seeded by the
/// first), sharing one mock Kafka, journal, local Braze and catalog, after they consumed a known set of records.
/// </summary>
public sealed class TwoNodeCluster : IAsyncLifetime
{
    public const int Customers = 20;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    public KafkaTestCluster Kafka { get; } = new();
    public PipelineDeployment Deployment { get; private set; } = null!;
    public CrmTestHost First { get; private set; } = null!;
    public CrmTestHost Second { get; private set; } = null!;
    public List<SampleRecord> Records { get; private set; } = [];
    public SampleRecord[] Malformed { get; private set; } = [];

    public IEnumerable<CrmTestHost> Nodes => [First, Second];

    public static string AddressOf(CrmTestHost node) => Cluster.Get(node.Service<ActorSystem>()).SelfAddress.ToString();

    public static Dictionary<string, string?> SecondNodeSettings(PipelineDeployment deployment, CrmTestHost first) =>
        new(deployment.Settings) { ["Cluster:SeedNodes"] = AddressOf(first) };

    public async ValueTask InitializeAsync()
    {
        Deployment = await PipelineDeployment.StartAsync(Kafka);
        First = await Deployment.StartHostAsync();
        Second = await CrmTestHost.StartAsync(SecondNodeSettings(Deployment, First));

        // Both Up, and the consumer group split the 20 partitions between them, before any record is produced.
        var partitions = Deployment.Topics.Count * 4;
        await PipelineDeployment.WaitUntil(() =>
                Cluster.Get(First.Service<ActorSystem>()).State.Members.Count(m => m.Status == MemberStatus.Up) == 2 &&
                Nodes.All(n => n.Service<KafkaPipeline>().Progress.Count > 0) &&
                Nodes.Sum(n => n.Service<KafkaPipeline>().Progress.Count) == partitions,
            Patience, () => $"partitions owned: {string.Join(", ", Nodes.Select(n => n.Service<KafkaPipeline>().Progress.Count))}");

        Records = Deployment.ProduceCustomers(Customers, seed: 31);
        var samples = new SampleEvents(seed: 32);
        Malformed = [samples.Malformed("cus_bad_1"), samples.Malformed("cus_bad_2"), samples.Malformed("cus_bad_3")];
        Deployment.Produce(Malformed);
        await PipelineDeployment.WaitUntil(() =>
                Nodes.Sum(n => n.Service<PipelineStats>().Delivered) >= Records.Count &&
                Nodes.Sum(n => n.Service<PipelineStats>().DeadLettered) == Malformed.Length &&
                Deployment.AllCommitted(),
            Patience, () => $"delivered {Nodes.Sum(n => n.Service<PipelineStats>().Delivered)}/{Records.Count}; {Deployment.CommitState()}");
        await PipelineDeployment.WaitUntil(() => Nodes.All(n => n.Service<BrazeCounters>().Requests == n.Service<BrazeCounters>().SucceededRequests),
            Patience, () => "Braze requests still in flight");
    }

    public async ValueTask DisposeAsync()
    {
        // Also after a failed start: dispose whatever was started.
        if (Second is not null) await Second.DisposeAsync();
        if (First is not null) await First.DisposeAsync();
        if (Deployment is not null) await Deployment.DisposeAsync();
        Kafka.Dispose();
    }
}
