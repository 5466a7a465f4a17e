using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Crm.Actors.Customers;
using Crm.Actors.Pipeline;

namespace Crm.Actors.Tests.Support;

/// <summary>One in-process node of a <see cref="ClusterDeployment"/>: the real service, with views into it for assertions.</summary>
public sealed class ClusterNode(CrmTestHost host) : IAsyncDisposable
{
    private bool _stopped;

    /// <summary>What the node logged (Information and above) since it started.</summary>
    public ServiceLog Log { get; } = ServiceLog.Attach(host);

    public ActorSystem System => host.Service<ActorSystem>();

    public Address Address { get; } = Cluster.Get(host.Service<ActorSystem>()).SelfAddress;

    public EntityLocality Locality => host.Service<EntityLocality>();

    public int Members => Cluster.Get(System).State.Members.Count;

    public int UpMembers => Cluster.Get(System).State.Members.Count(m => m.Status == MemberStatus.Up);

    public string MembershipText => string.Join(", ", Cluster.Get(System).State.Members.Select(m => $"{m.Address}={m.Status}"))
        + $"; unreachable: {string.Join(", ", Cluster.Get(System).State.Unreachable.Select(m => m.Address))}";

    /// <summary>Topic-partitions this node's consumer owns now (refreshed about every second).</summary>
    public IReadOnlySet<(string Topic, int Partition)> OwnedPartitions =>
        host.Service<KafkaPipeline>().Progress.Select(p => (p.Topic, p.Partition)).ToHashSet();

    /// <summary>The customer's state, asked through this node's shard region wherever the entity lives.</summary>
    public Task<CustomerView> Customer(string customerId) =>
        host.Service<ActorRegistry>().Get<CustomerActor>().Ask<CustomerView>(new GetCustomer(customerId), TimeSpan.FromSeconds(20));

    /// <summary>Leaves the cluster gracefully (CoordinatedShutdown: stop fetching, drain, commit, leave, hand off).</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await host.DisposeAsync();
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
