using Akka.Actor;
using Akka.Cluster;
using Crm.Actors.Tests.Support;

namespace Crm.Actors.Tests.Operating;

/// <summary><c>cluster leave</c>, <c>down</c> and <c>down-unreachable</c> change a real two-node cluster (or refuse to).</summary>
public sealed class ClusterMembershipCommandTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Leave_takes_the_second_node_out_and_down_refuses_what_is_not_a_member()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        await using var first = await deployment.StartHostAsync();
        await using var second = await JoinSecondNodeAsync(deployment, first);
        var cluster = Cluster.Get(first.Service<ActorSystem>());
        var endpoint = first.ManagementUri();
        var secondAddress = TwoNodeCluster.AddressOf(second);

        var none = await CliRun.Against(endpoint, "cluster", "down-unreachable");
        Assert.Equal(0, none.ExitCode);
        Assert.Equal("No unreachable member: nothing downed.", none.Output.Trim());

        var stranger = await CliRun.Against(endpoint, "cluster", "down", "akka.tcp://crm@127.0.0.1:1");
        Assert.Equal(1, stranger.ExitCode);
        Assert.Equal("crm-cmd: 404 Not Found: no cluster member at akka.tcp://crm@127.0.0.1:1", stranger.Error.Trim());
        var garbage = await CliRun.Against(endpoint, "cluster", "down", "not-an-address");
        Assert.Equal(1, garbage.ExitCode);
        Assert.Contains("'not-an-address' is not an Akka address like akka.tcp://crm@host:4053", garbage.Error);
        Assert.Equal(2, cluster.State.Members.Count);

        var leave = await CliRun.Against(endpoint, "cluster", "leave", secondAddress);
        Assert.Equal(0, leave.ExitCode);
        Assert.Equal($"Asked {secondAddress} to leave the cluster.", leave.Output.Trim());
        await PipelineDeployment.WaitUntil(() => cluster.State.Members.All(m => m.Address.ToString() != secondAddress), Patience,
            () => string.Join(", ", cluster.State.Members));
        var show = await CliRun.Against(endpoint, "cluster", "show");
        Assert.DoesNotContain(secondAddress, show.Output);
        await second.Service<ActorSystem>().WhenTerminated.WaitAsync(Patience); // a node that left shuts itself down
    }

    [Fact]
    public async Task Down_removes_a_member_at_once()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        await using var first = await deployment.StartHostAsync();
        await using var second = await JoinSecondNodeAsync(deployment, first);
        var cluster = Cluster.Get(first.Service<ActorSystem>());
        var secondAddress = TwoNodeCluster.AddressOf(second);

        var down = await CliRun.Against(first.ManagementUri(), "cluster", "down", secondAddress);

        Assert.Equal(0, down.ExitCode);
        Assert.Equal($"Marked {secondAddress} down.", down.Output.Trim());
        await PipelineDeployment.WaitUntil(() => cluster.State.Members.All(m => m.Address.ToString() != secondAddress), Patience,
            () => string.Join(", ", cluster.State.Members));
    }

    /// <summary>Starts a node seeded by <paramref name="first"/> and waits until both are Up.</summary>
    private static async Task<CrmTestHost> JoinSecondNodeAsync(PipelineDeployment deployment, CrmTestHost first)
    {
        var second = await CrmTestHost.StartAsync(TwoNodeCluster.SecondNodeSettings(deployment, first));
        var cluster = Cluster.Get(first.Service<ActorSystem>());
        try
        {
            await PipelineDeployment.WaitUntil(() => cluster.State.Members.Count(m => m.Status == MemberStatus.Up) == 2, Patience);
            return second;
        }
        catch
        {
            await second.DisposeAsync();
            throw;
        }
    }
}
