using Akka.Actor;
using Akka.Cluster.Sharding;
using Crm.Actors.Braze;
using Crm.Actors.Pipeline;
using Crm.Management;

namespace Crm.Actors.Operating;

/// <summary>
/// The node's operator agent, at <c>/user/crm-management</c> on every node so that whichever node serves the
/// management endpoint can ask all of them: it answers <see cref="GetNodeReport"/> with this node's partitions,
/// pipeline totals and Braze gateway, samples the gateway's rates, state and the cluster's membership every second and
/// counts the node's customer shards and entities for <see cref="CrmMetrics"/>.
/// </summary>
public sealed class ManagementActor : ReceiveActor, IWithTimers
{
    public const string Name = "crm-management";
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RateSpan = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(3);

    private readonly Dependencies _dependencies;
    private readonly string _node;
    private readonly RateWindow _requests = new(RateSpan);
    private readonly RateWindow _objects = new(RateSpan);
    private int _ticks;

    public ManagementActor(Dependencies dependencies)
    {
        _dependencies = dependencies;
        _node = Akka.Cluster.Cluster.Get(Context.System).SelfAddress.ToString();

        Receive<SampleTick>(_ => Sample());
        Receive<ShardRegionStats>(stats => dependencies.Metrics.Sharding(stats.Stats.Count, stats.Stats.Values.Sum()));
        Receive<BrazeGateway.GatewayStatus>(status =>
            dependencies.Metrics.BrazeGateway(status.Halted, status.LastRateLimit?.Limit, status.LastRateLimit?.Remaining));
        Receive<Status.Failure>(_ => { }); // a region busy handing off answers late; the next count will do
        Receive<GetNodeReport>(_ =>
        {
            var replyTo = Sender;
            dependencies.Gateway.Ask<BrazeGateway.GatewayStatus>(BrazeGateway.GetStatus.Instance, AskTimeout)
                .PipeTo(replyTo, success: Report, failure: e => new Status.Failure(e));
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(Dependencies dependencies) => Akka.Actor.Props.Create(() => new ManagementActor(dependencies));

    protected override void PreStart() => Timers.StartPeriodicTimer("sample", SampleTick.Instance, Tick);

    private void Sample()
    {
        var now = DateTimeOffset.UtcNow;
        _requests.Add(now, _dependencies.Braze.SucceededRequests);
        _objects.Add(now, _dependencies.Braze.ObjectsAccepted);
        _dependencies.Gateway.Tell(BrazeGateway.GetStatus.Instance);
        var cluster = Akka.Cluster.Cluster.Get(Context.System).State;
        _dependencies.Metrics.Cluster(
            cluster.Members.GroupBy(m => m.Status.ToString().ToLowerInvariant()).ToDictionary(g => g.Key, g => g.Count()), cluster.Unreachable.Count);
        if (_ticks++ % 5 == 0) _dependencies.Customers.Tell(GetShardRegionStats.Instance);
    }

    private NodeReport Report(BrazeGateway.GatewayStatus gateway)
    {
        var stats = _dependencies.Pipeline;
        var braze = _dependencies.Braze;
        var partitions = _dependencies.Lag.Snapshot()
            .Select(p => new PartitionStatus(p.Topic, p.Partition, _node, p.Committed, p.EndOffset, p.Lag,
                Math.Round(p.CommittedPerSecond, 1), p.State.ToString().ToLowerInvariant(), p.NotLaggingRatio))
            .ToList();
        var totals = new NodePipelineTotals(_node, stats.RecordsIn, stats.Delivered, stats.DeadLettered, stats.Skipped, stats.Retries,
            stats.DeadLettersByReason.ToDictionary(kv => kv.Key, kv => kv.Value));
        var rateLimit = gateway.LastRateLimit is { } seen ? new RateLimitView(seen.Limit, seen.Remaining, seen.Reset) : null;
        var status = new BrazeNodeStatus(_node, Math.Round(_requests.PerSecond, 1), Math.Round(_objects.PerSecond, 1), braze.Requests,
            braze.FailedRequests, braze.ObjectsAccepted, braze.ObjectsRejected, gateway.RequestsInFlight, gateway.QueuedObjects, rateLimit,
            gateway.Halted, gateway.HaltReason, braze.FailuresInARow, braze.LastErrors.Select(e => new BrazeErrorView(e.At, e.Reason)).ToList());
        return new NodeReport(_node, partitions, totals, status);
    }

    /// <summary>What the agent reads; all of it lives as long as the node.</summary>
    public sealed record Dependencies(
        LagMonitor Lag, PipelineStats Pipeline, BrazeCounters Braze, CrmMetrics Metrics, IActorRef Gateway, IActorRef Customers);

    /// <summary>Asks a node's agent for its <see cref="NodeReport"/>.</summary>
    public sealed record GetNodeReport
    {
        public static readonly GetNodeReport Instance = new();
    }

    /// <summary>One node's part of <c>pipeline status</c> and <c>braze status</c>.</summary>
    public sealed record NodeReport(string Node, IReadOnlyList<PartitionStatus> Partitions, NodePipelineTotals Pipeline, BrazeNodeStatus Braze);

    private sealed record SampleTick
    {
        public static readonly SampleTick Instance = new();
    }
}
