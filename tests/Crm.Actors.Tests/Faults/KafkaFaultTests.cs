using System.Diagnostics;
using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.Faults;

/// <summary>
/// Kafka misbehaves while the whole service runs: a broker goes down and comes back, requests fail with the errors
/// brokers really send, partition leaders move. Consumption resumes, commits are retried, nothing is skipped.
/// </summary>
public sealed class KafkaFaultTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = FaultRecovery.Patience;

    // Kafka protocol API keys and error codes.
    private const short Fetch = 1, OffsetCommit = 8, FindCoordinator = 10, JoinGroup = 11, Heartbeat = 12, SyncGroup = 14;
    private const int NotLeaderOrFollower = 6, RequestTimedOut = 7, CoordinatorNotAvailable = 15, NotCoordinator = 16, RebalanceInProgress = 27;

    [Fact]
    public async Task A_partition_leaders_broker_down_and_back_loses_and_skips_nothing()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var coordinator = KafkaCoordinator.Of(kafka, deployment.Group, deployment.Topics["accounts"]);
        var leaders = deployment.Topics.Values.ToDictionary(t => t, t => KafkaCoordinator.Leaders(kafka, t));
        // Broker 2, unless it coordinates the group (that is the next test): a broker leading some of the partitions.
        var down = new[] { 2, 1, 3 }.First(b => b != coordinator && leaders.Values.Any(l => l.ContainsValue(b)));
        await BrokerDownAndBack(deployment, down, leaders, seed: 301, $"Kafka broker {down} of 3 (partition leader) down while records flow, then up");
    }

    [Fact]
    public async Task The_group_coordinators_broker_down_and_back_delays_commits_not_consumption()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        // The group session outlasts the outage: the consumer keeps its partitions, only commits have to wait.
        deployment.Settings["Kafka:Client:session.timeout.ms"] = "45000";
        var coordinator = KafkaCoordinator.Of(kafka, deployment.Group, deployment.Topics["accounts"]);
        var leaders = deployment.Topics.Values.ToDictionary(t => t, t => KafkaCoordinator.Leaders(kafka, t));
        await BrokerDownAndBack(deployment, coordinator, leaders, seed: 303, $"Kafka broker {coordinator} of 3 (group coordinator) down while records flow, then up");
    }

    /// <summary>
    /// Records flow; broker <paramref name="down"/> goes down and more customers' records keep coming, a few customers
    /// at a time: those on partitions it does not lead must reach Braze during the outage, chunk after chunk (so the
    /// service also has to commit while the broker is away). Then it comes back and everything is delivered and committed.
    /// </summary>
    private async Task BrokerDownAndBack(PipelineDeployment deployment, int down, Dictionary<string, Dictionary<int, int>> leaders, int seed, string fault)
    {
        var early = deployment.ProduceCustomers(15, seed, prefix: "early");
        await using var host = await deployment.StartHostAsync();
        var log = ServiceLog.Attach(host);
        var stats = host.Service<PipelineStats>();
        var state = FaultRecovery.State(deployment, host, log.ToString);
        await PipelineDeployment.WaitUntil(() => ConsumerAlive(log) && stats.Delivered > 0, Patience, state);

        var late = Customers(16, seed + 1, prefix: "late")
            .Select(r => (Record: r, Topic: deployment.Topics[r.Topic], Partition: KafkaPartitioner.ConsistentRandom(r.Key, 4)))
            .ToList();
        bool Reachable(string topic, int partition) => leaders[topic][partition] != down;
        Assert.Contains(late, l => Reachable(l.Topic, l.Partition));
        Assert.Contains(late, l => !Reachable(l.Topic, l.Partition));
        var chunks = late.GroupBy(l => l.Record.Key).Chunk(2).Select(customers => customers.SelectMany(c => c).ToList()).ToList();
        var produced = early.Concat(late.Select(l => l.Record)).ToList();
        long upAt;
        kafka.Cluster.SetBrokerDown(down);
        try
        {
            // Records for the partitions of the broker that is down wait in the producer; the others go out, and
            // the service goes on consuming and delivering them.
            for (var n = 0; n < chunks.Count; n++)
            {
                foreach (var (record, topic, partition) in chunks[n]) kafka.Produce(topic, record.Key, record.Value, partition);
                var reachable = chunks[n].Where(l => Reachable(l.Topic, l.Partition)).Select(l => l.Record).ToList();
                var chunk = n + 1;
                await PipelineDeployment.WaitUntil(() => ConsumerAlive(log) && deployment.Count(reachable) is var c && c.Delivered == c.Sent, OutagePatience,
                    () => $"customers {2 * chunk - 1}-{2 * chunk} of {chunks.Count * 2} produced while broker {down} is down: of their events on partitions " +
                          $"led by other brokers {deployment.Count(reachable)}; {state()}");
            }
        }
        finally
        {
            kafka.Cluster.SetBrokerUp(down);
            upAt = Stopwatch.GetTimestamp();
        }
        kafka.Flush();

        await FaultRecovery.Recovered(deployment, host, produced, fault, faultEndedAt: upAt, detail: log.ToString, invariant: () => ConsumerAlive(log));
    }

    /// <summary>How long the records of the brokers still up may take during an outage (they take about a second).</summary>
    private static readonly TimeSpan OutagePatience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Fetch_errors_are_retried_and_nothing_is_skipped()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var early = deployment.ProduceCustomers(15, seed: 311, prefix: "early");
        kafka.Cluster.PushRequestErrors(Fetch, NotLeaderOrFollower, RequestTimedOut, NotLeaderOrFollower, RequestTimedOut);

        await using var host = await deployment.StartHostAsync();
        var log = ServiceLog.Attach(host);
        var stats = host.Service<PipelineStats>();
        var state = FaultRecovery.State(deployment, host, log.ToString);
        await PipelineDeployment.WaitUntil(() => ConsumerAlive(log) && stats.Delivered > 0, Patience, state);

        // Again while records flow: the next fetches fail while more records arrive.
        kafka.Cluster.PushRequestErrors(Fetch, RequestTimedOut, NotLeaderOrFollower, RequestTimedOut, NotLeaderOrFollower);
        var pushedAt = Stopwatch.GetTimestamp();
        var produced = early.Concat(deployment.ProduceCustomers(15, seed: 312, prefix: "late")).ToList();

        await FaultRecovery.Recovered(deployment, host, produced, "Kafka Fetch errors 6/7 (4 at start, 4 while records flow)", faultEndedAt: pushedAt, detail: log.ToString, invariant: () => ConsumerAlive(log));
    }

    [Fact]
    public async Task Offset_commit_errors_are_retried_until_everything_is_committed()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var early = deployment.ProduceCustomers(15, seed: 321, prefix: "early");
        kafka.Cluster.PushRequestErrors(OffsetCommit, CoordinatorNotAvailable, NotCoordinator, RebalanceInProgress);

        await using var host = await deployment.StartHostAsync();
        var log = ServiceLog.Attach(host);
        var stats = host.Service<PipelineStats>();
        var state = FaultRecovery.State(deployment, host, log.ToString);
        // Once a first commit went through (the errors above are spent), commits fail again while more records flow.
        await PipelineDeployment.WaitUntil(() => ConsumerAlive(log) && stats.Delivered > 0 &&
            deployment.Topics.Values.Any(t => deployment.Kafka.CommittedOffsets(deployment.Group, t).Values.Any(o => o >= 0)), Patience, state);
        kafka.Cluster.PushRequestErrors(OffsetCommit, RebalanceInProgress, NotCoordinator, CoordinatorNotAvailable);
        var pushedAt = Stopwatch.GetTimestamp();
        var produced = early.Concat(deployment.ProduceCustomers(15, seed: 322, prefix: "late")).ToList();

        await FaultRecovery.Recovered(deployment, host, produced, "Kafka OffsetCommit errors 15/16/27 (3 at start, 3 while records flow)", faultEndedAt: pushedAt, detail: log.ToString, invariant: () => ConsumerAlive(log));
    }

    [Fact]
    public async Task Group_coordination_errors_delay_but_do_not_break_consumption()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var early = deployment.ProduceCustomers(15, seed: 331, prefix: "early");
        // Finding the coordinator, joining and syncing fail first (each costs the client a join backoff); then a heartbeat.
        kafka.Cluster.PushRequestErrors(FindCoordinator, CoordinatorNotAvailable);
        kafka.Cluster.PushRequestErrors(JoinGroup, NotCoordinator);
        kafka.Cluster.PushRequestErrors(SyncGroup, NotCoordinator);
        kafka.Cluster.PushRequestErrors(Heartbeat, CoordinatorNotAvailable);

        await using var host = await deployment.StartHostAsync();
        var log = ServiceLog.Attach(host);
        var stats = host.Service<PipelineStats>();
        var state = FaultRecovery.State(deployment, host, log.ToString);
        await PipelineDeployment.WaitUntil(() => ConsumerAlive(log) && stats.Delivered > 0, Patience, state);

        // While records flow: the coordinator goes away once more (a heartbeat answers "not coordinator", looking it
        // up fails) and a rebalance is forced.
        kafka.Cluster.PushRequestErrors(Heartbeat, NotCoordinator, RebalanceInProgress);
        kafka.Cluster.PushRequestErrors(FindCoordinator, CoordinatorNotAvailable);
        var pushedAt = Stopwatch.GetTimestamp();
        var produced = early.Concat(deployment.ProduceCustomers(15, seed: 332, prefix: "late")).ToList();

        await FaultRecovery.Recovered(deployment, host, produced, "Kafka FindCoordinator/JoinGroup/SyncGroup/Heartbeat errors 15/16/27", faultEndedAt: pushedAt, detail: log.ToString, invariant: () => ConsumerAlive(log));
    }

    [Fact]
    public async Task Partition_leaders_moving_while_records_flow_lose_and_skip_nothing()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var early = deployment.ProduceCustomers(15, seed: 341, prefix: "early");

        await using var host = await deployment.StartHostAsync();
        var log = ServiceLog.Attach(host);
        var stats = host.Service<PipelineStats>();
        var state = FaultRecovery.State(deployment, host, log.ToString);
        await PipelineDeployment.WaitUntil(() => ConsumerAlive(log) && stats.Delivered > 0, Patience, state);

        // Every partition of three topics moves to another broker.
        var moved = 0;
        foreach (var topic in new[] { "bookings", "activities", "carts" }.Select(t => deployment.Topics[t]))
            foreach (var (partition, leader) in KafkaCoordinator.Leaders(kafka, topic))
            {
                kafka.Cluster.SetPartitionLeader(topic, partition, leader % kafka.Cluster.Brokers + 1);
                moved++;
            }
        var movedAt = Stopwatch.GetTimestamp();
        var produced = early.Concat(deployment.ProduceCustomers(15, seed: 342, prefix: "late")).ToList();

        await FaultRecovery.Recovered(deployment, host, produced, $"Kafka partition leaders moved ({moved} partitions) while records flow", faultEndedAt: movedAt, detail: log.ToString, invariant: () => ConsumerAlive(log));
        Assert.Equal(12, moved);
    }

    /// <summary>
    /// A retriable Kafka error is retried by the client (at most a warning): the consumer never stops, the stream is
    /// never torn down and restarted (which would pause every partition and read in-flight records again).
    /// </summary>
    private static bool ConsumerAlive(ServiceLog log)
    {
        var errors = log.Errors;
        Assert.True(errors.Count == 0, $"the service failed on a retriable Kafka error:\n{string.Join('\n', errors)}\n--- service log ---\n{log}");
        return true;
    }

    /// <summary>The stories of some customers, not produced yet (as <see cref="PipelineDeployment.ProduceCustomers"/> builds them).</summary>
    private static List<SampleRecord> Customers(int customers, int seed, string prefix)
    {
        var samples = new SampleEvents(seed);
        return Enumerable.Range(0, customers).SelectMany(i => samples.Customer($"{prefix}_{seed}_{i}", DateTimeOffset.UtcNow)).ToList();
    }
}
