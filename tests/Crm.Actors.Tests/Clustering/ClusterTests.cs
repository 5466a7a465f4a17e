using Crm.Actors.Kafka;
using Crm.Actors.Tests.Support;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Clustering;

/// <summary>
/// Several nodes on 127.0.0.1 in one Akka.NET cluster, sharing a PostgreSQL journal and a Kafka consumer group on
/// the mock cluster: partitions spread over the nodes, shards follow their partitions, and nodes joining, leaving
/// and dying move work without losing events or state.
/// </summary>
[Collection(Serial.Name)]
public sealed class ClusterTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private const int AllPartitions = 4 * 5; // 4 partitions of each of the 5 topics
    private static readonly BrazeReply BrazeSlowly = new(201, """{"message":"success"}""", TimeSpan.FromMilliseconds(30));

    [Fact]
    public async Task Three_nodes_share_the_partitions_and_deliver_every_event_once_through_local_entities()
    {
        await using var cluster = await ClusterDeployment.StartAsync(kafka);
        var nodes = new List<ClusterNode>();
        for (var i = 0; i < 3; i++) nodes.Add(await cluster.StartNodeAsync());
        await ClusterDeployment.WaitForMembers(nodes[0], 3);
        await ClusterDeployment.WaitForAssignment(nodes, AllPartitions);

        var produced = cluster.Pipeline.ProduceCustomers(60, seed: 41);
        await PipelineDeployment.WaitUntil(
            () => cluster.Pipeline.Count(produced).Lost == 0 && cluster.Pipeline.AllCommitted(), Patience, cluster.Pipeline.CommitState);

        var count = cluster.Pipeline.Count(produced);
        Assert.Equal(0, count.Lost);
        Assert.Equal(0, count.Duplicates);
        // Every node consumed its share and served its records from its own entities.
        Assert.All(nodes, node => Assert.True(node.Locality.Local > 0, $"{node.Address} handled no record"));
        var local = nodes.Sum(n => n.Locality.Local);
        var remote = nodes.Sum(n => n.Locality.Remote);
        FaultReport.WriteLocality("3 nodes, steady", local, remote);
        Assert.True(local >= 0.95 * (local + remote), $"only {local} of {local + remote} events reached a local entity");
    }

    [Fact]
    public async Task A_killed_node_s_partitions_and_shards_move_and_nothing_is_lost_and_trips_are_intact()
    {
        await using var cluster = await ClusterDeployment.StartAsync(kafka);
        var survivors = new List<ClusterNode> { await cluster.StartNodeAsync(), await cluster.StartNodeAsync() };
        var victim = cluster.StartProcessNode();
        await ClusterDeployment.WaitForMembers(survivors[0], 3);
        // The process node owns the rest: the survivors own some, not all, and never the same partition twice.
        await PipelineDeployment.WaitUntil(() => OwnedBy(survivors) is { Count: > 0 and < AllPartitions } owned && owned.Count == survivors.Sum(n => n.OwnedPartitions.Count),
            Patience, () => victim.Output);

        var before = cluster.Pipeline.ProduceCustomers(60, seed: 42);
        await PipelineDeployment.WaitUntil(() => cluster.Pipeline.Count(before).Lost == 0, Patience, () => victim.Output);
        var customers = before.Select(r => r.Key).Distinct().ToList();
        var views = new Dictionary<string, Crm.Actors.Customers.CustomerView>();
        foreach (var customer in customers) views[customer] = await survivors[0].Customer(customer);
        Assert.Contains(views.Values, v => v.OpenTrips.Count > 0);

        // Braze slows down so that the kill lands with records in flight.
        cluster.Pipeline.Braze.Override = _ => BrazeSlowly;
        var after = cluster.Pipeline.ProduceCustomers(60, seed: 43);
        await PipelineDeployment.WaitUntil(() => cluster.Pipeline.Count(after).Delivered >= after.Count / 20, Patience, () => victim.Output);
        var killedAt = DateTimeOffset.UtcNow;
        victim.KillHard();
        await victim.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var exitedAt = DateTimeOffset.UtcNow;
        var killed = DateTime.UtcNow;
        // The survivors go on meanwhile: what they commit and record from now on is theirs; the audit below asks only
        // whether each duplicate was re-read and missing from the ledger, which the survivors cannot cause.
        var committedAtKill = CrashAudit.Committed(cluster.Pipeline);
        var ledgerAtKill = JournalInspector.PostgresLedgerKeys(cluster.JournalConnectionString);
        cluster.Pipeline.Braze.Override = null;

        await ClusterDeployment.WaitForMembers(survivors[0], 2);
        await ClusterDeployment.WaitForAssignment(survivors, AllPartitions);
        var all = before.Concat(after).ToList();
        await PipelineDeployment.WaitUntil(
            () => cluster.Pipeline.Count(all).Lost == 0 && cluster.Pipeline.AllCommitted(), Patience, cluster.Pipeline.CommitState);
        var count = cluster.Pipeline.Count(all);
        var crash = CrashAudit.Explain(all, cluster.Pipeline.Braze, killedAt, exitedAt, ledgerAtKill, committedAtKill, CrashAudit.Offsets(cluster.Pipeline));
        FaultReport.Write("cluster node killed (SIGKILL), 3 -> 2 nodes", count, DateTime.UtcNow - killed, crash);

        Assert.Equal(0, count.Lost);
        // Sent again: only what the killed node had in flight or had not yet written to a ledger.
        Assert.True(crash.Unexplained.Count == 0, crash.ToString());
        Assert.True(count.Duplicates <= crash.Bound, crash.ToString());
        // The dead node's entities came back on the survivors from the shared journal, with the same trips.
        foreach (var customer in customers)
        {
            var now = await survivors[1].Customer(customer);
            Assert.Equal(views[customer].OpenTrips, now.OpenTrips);
            Assert.Equal(views[customer].ClosedBookings, now.ClosedBookings);
        }
    }

    [Fact]
    public async Task A_joining_node_takes_its_share_mid_stream_and_nothing_is_lost()
    {
        // A slow Braze and a small window keep records in flight while the group rebalances.
        await using var cluster = await ClusterDeployment.StartAsync(kafka, maxRecordsInFlight: 50);
        var nodes = new List<ClusterNode> { await cluster.StartNodeAsync(), await cluster.StartNodeAsync() };
        await ClusterDeployment.WaitForMembers(nodes[0], 2);
        await ClusterDeployment.WaitForAssignment(nodes, AllPartitions);
        cluster.Pipeline.Braze.Override = _ => BrazeSlowly;
        var produced = cluster.Pipeline.ProduceCustomers(80, seed: 44);
        await PipelineDeployment.WaitUntil(() => cluster.Pipeline.Count(produced).Delivered >= produced.Count / 10, Patience);

        var joined = DateTime.UtcNow;
        var joiner = await cluster.StartNodeAsync();
        nodes.Add(joiner);
        await ClusterDeployment.WaitForMembers(nodes[0], 3);
        await ClusterDeployment.WaitForAssignment(nodes, AllPartitions);
        cluster.Pipeline.Braze.Override = null;
        var later = cluster.Pipeline.ProduceCustomers(40, seed: 45, prefix: "joined");
        var all = produced.Concat(later).ToList();
        await PipelineDeployment.WaitUntil(
            () => cluster.Pipeline.Count(all).Lost == 0 && cluster.Pipeline.AllCommitted(), Patience, () => Diagnosis(cluster, nodes));
        var count = cluster.Pipeline.Count(all);
        FaultReport.Write("cluster node joined mid-stream, 2 -> 3 nodes", count, DateTime.UtcNow - joined);

        Assert.Equal(0, count.Lost);
        // Partitions and shards moved while records were in flight: the entities' ledgers answer what is read again.
        Assert.Equal(0, count.Duplicates);
        // The new node consumes its partitions into its own entities, once their shards have followed them (next
        // rebalance tick): records arriving from then on are served on the joiner.
        Assert.NotEmpty(joiner.OwnedPartitions);
        var after = cluster.Pipeline.ProduceCustomers(20, seed: 47, prefix: "settled");
        await PipelineDeployment.WaitUntil(() => joiner.Locality.Local > 0 && cluster.Pipeline.Count(after).Lost == 0, Patience,
            () => $"the joiner's entities got {joiner.Locality.Local} local and {joiner.Locality.Remote} remote events");
        FaultReport.WriteLocality("3 nodes, one joined mid-stream", nodes.Sum(n => n.Locality.Local), nodes.Sum(n => n.Locality.Remote));
    }

    [Fact]
    public async Task A_node_leaving_gracefully_mid_stream_hands_off_without_duplicates()
    {
        const int window = 50;
        await using var cluster = await ClusterDeployment.StartAsync(kafka, maxRecordsInFlight: window);
        var nodes = new List<ClusterNode>();
        for (var i = 0; i < 3; i++) nodes.Add(await cluster.StartNodeAsync());
        await ClusterDeployment.WaitForMembers(nodes[0], 3);
        await ClusterDeployment.WaitForAssignment(nodes, AllPartitions);
        cluster.Pipeline.Braze.Override = _ => BrazeSlowly;
        var produced = cluster.Pipeline.ProduceCustomers(80, seed: 46);
        await PipelineDeployment.WaitUntil(() => cluster.Pipeline.Count(produced).Delivered >= produced.Count / 10, Patience);

        var leaver = nodes[2];
        var handedOff = leaver.OwnedPartitions;
        Assert.NotEmpty(handedOff);
        var left = DateTime.UtcNow;
        await leaver.StopAsync();
        nodes.Remove(leaver);
        await ClusterDeployment.WaitForMembers(nodes[0], 2);
        cluster.Pipeline.Braze.Override = null;
        await PipelineDeployment.WaitUntil(
            () => cluster.Pipeline.Count(produced).Lost == 0 && cluster.Pipeline.AllCommitted(), Patience, () => Diagnosis(cluster, nodes));
        var count = cluster.Pipeline.Count(produced);
        FaultReport.Write("cluster node left gracefully mid-stream, 3 -> 2 nodes", count, DateTime.UtcNow - left);

        Assert.Equal(0, count.Lost);
        // The survivors take every partition; everything can be committed while their rebalance is still under way
        // (the range assignor revokes all partitions first), so this is waited for, not read at once.
        await ClusterDeployment.WaitForAssignment(nodes, AllPartitions);
        // Nothing reached Braze twice: the leaver drained, committed, then left the group; the survivors' partitions are
        // reassigned too (range) and librdkafka's mock coordinator refuses their commits during the rebalance (Kafka
        // accepts them), so they read again what they had done but not committed, and their entities' ledgers answer it.
        Assert.True(count.Duplicates == 0, $"{count.Duplicates} duplicates\n{Diagnosis(cluster, nodes.Append(leaver))}");
    }

    private static string Diagnosis(ClusterDeployment cluster, IEnumerable<ClusterNode> nodes) =>
        cluster.Pipeline.CommitState() + "\n" + string.Join("\n", nodes.Select(n => $"== {n.Address}\n{n.Log}"));

    private static HashSet<(string Topic, int Partition)> OwnedBy(IEnumerable<ClusterNode> nodes) =>
        nodes.SelectMany(n => n.OwnedPartitions).ToHashSet();
}
