using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Cluster.Sharding;
using Akka.Event;
using Akka.Hosting;
using Crm.Actors.Braze;
using Crm.Actors.Customers;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Management;
using Serilog.Core;
using Serilog.Events;

namespace Crm.Actors.Tests.Operating;

/// <summary>
/// Every read command of <c>crm-cmd</c> against a real two-node cluster, checked against what the nodes really hold:
/// Akka's own answers, the pipeline's and gateway's counters, Kafka's committed and end offsets.
/// </summary>
public sealed class ClusterCommandTests(TwoNodeCluster cluster) : IClassFixture<TwoNodeCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private string First => TwoNodeCluster.AddressOf(cluster.First);
    private string Second => TwoNodeCluster.AddressOf(cluster.Second);

    [Fact]
    public async Task Cluster_show_lists_both_members_up_with_leader_and_oldest()
    {
        var run = await CliRun.Against(cluster.First.ManagementUri(), "cluster", "show");

        Assert.Equal(0, run.ExitCode);
        var leader = Akka.Cluster.Cluster.Get(cluster.First.Service<ActorSystem>()).State.Leader!.ToString();
        Assert.Contains($"Self:   {First}", run.Output);
        Assert.Contains($"Leader: {leader}", run.Output);
        Assert.Contains($"Oldest: {First}", run.Output); // the first node formed the cluster
        foreach (var member in new[] { First, Second })
            Assert.Contains(run.Rows, row => row is [var address, "Up", "yes", "-"] && address == member);
    }

    [Fact]
    public async Task Sharding_regions_lists_both_nodes()
    {
        await Eventually.Passes(async () =>
        {
            var run = await CliRun.Against(cluster.Second.ManagementUri(), "cluster-sharding", "regions", "-r", "customer");
            Assert.Equal(0, run.ExitCode);
            Assert.Contains("Region customer: 2 node(s)", run.Output);
            Assert.Contains(run.Rows, row => row is [var node] && node == First);
            Assert.Contains(run.Rows, row => row is [var node] && node == Second);
        }, Patience);
    }

    [Fact]
    public async Task Region_stats_are_the_local_regions_own_statistics()
    {
        var region = cluster.First.Service<ActorRegistry>().Get<CustomerActor>();
        var truth = await region.Ask<ShardRegionStats>(GetShardRegionStats.Instance, Patience);

        var run = await CliRun.Against(cluster.First.ManagementUri(), "cluster-sharding", "region-stats", "-r", "customer");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Region customer on {First}: {truth.Stats.Count} shard(s), {truth.Stats.Values.Sum()} entities", run.Output);
        foreach (var (shard, entities) in truth.Stats)
            Assert.Contains(run.Rows, row => row is [var s, var e] && s == shard && e == entities.ToString());
    }

    [Fact]
    public async Task Shard_stats_cover_every_shard_and_every_customer_once()
    {
        var region = cluster.First.Service<ActorRegistry>().Get<CustomerActor>();
        var truth = await region.Ask<ClusterShardingStats>(new GetClusterShardingStats(Patience), Patience);

        var run = await CliRun.Against(cluster.Second.ManagementUri(), "--json", "cluster-sharding", "shard-stats", "--region=customer");
        var table = await CliRun.Against(cluster.Second.ManagementUri(), "cluster-sharding", "shard-stats");

        Assert.Equal(0, run.ExitCode);
        var view = run.Json<ShardStatsView>();
        Assert.Equal(["0", "1", "2", "3"], view.Nodes.SelectMany(n => n.Shards).Select(s => s.Shard).Order());
        Assert.Equal(TwoNodeCluster.Customers, view.Nodes.Sum(n => n.Shards.Sum(s => s.Entities)));
        Assert.Equal(truth.Regions.Values.Sum(r => r.Stats.Values.Sum()), view.Nodes.Sum(n => n.Shards.Sum(s => s.Entities)));
        Assert.Contains($"Region customer: 4 shard(s) on {view.Nodes.Count} node(s), {TwoNodeCluster.Customers} entities", table.Output);
        foreach (var node in view.Nodes)
            foreach (var shard in node.Shards)
                Assert.Contains(table.Rows, row => row is [var n, var s, var e] && n == node.Node && s == shard.Shard && e == shard.Entities.ToString());
    }

    [Fact]
    public async Task Actor_hierarchy_shows_the_nodes_actors_as_a_tree()
    {
        var top = await CliRun.Against(cluster.First.ManagementUri(), "actor", "hierarchy", "-s", "/user", "-d", "1");
        var gateway = await CliRun.Against(cluster.First.ManagementUri(), "actor", "hierarchy", "--start", "/user/braze-gateway", "--depth", "1");

        var workers = cluster.First.Service<Crm.Host.Configuration.CrmConfiguration>().Braze.MaxRequestsInFlight;
        Assert.Equal(0, top.ExitCode);
        Assert.Contains($"/user on {First}", top.Output);
        Assert.Contains($"\n  braze-gateway ({workers} children)", top.Output); // one worker per request in flight
        Assert.Contains("\n  crm-management", top.Output);
        Assert.Equal(0, gateway.ExitCode);
        for (var i = 0; i < workers; i++) Assert.Contains($"\n  worker-{i}-supervisor (1 child)", gateway.Output);
    }

    [Fact]
    public async Task Pipeline_status_shows_every_partition_once_with_its_owner_committed_to_the_end()
    {
        var owners = new[] { First, Second };
        await Eventually.Passes(async () =>
        {
            var run = await CliRun.Against(cluster.First.ManagementUri(), "pipeline", "status");
            Assert.Equal(0, run.ExitCode);
            foreach (var topic in cluster.Deployment.Topics.Values)
            {
                var ends = cluster.Kafka.EndOffsets(topic);
                var committed = cluster.Kafka.CommittedOffsets(cluster.Deployment.Group, topic);
                for (var p = 0; p < 4; p++)
                {
                    var rows = run.Rows.Where(r => r.Length >= 9 && r[0] == topic && r[1] == p.ToString()).ToList();
                    var row = Assert.Single(rows);
                    Assert.Contains(row[2], owners);
                    Assert.Equal(Math.Max(committed[p], 0).ToString(), row[3]);
                    Assert.Equal(ends[p].ToString(), row[4]);
                    Assert.Equal("0", row[5]);
                    Assert.Equal("ok", row[7]);
                }
            }
            // Both nodes own partitions, and their totals are the nodes' own counters.
            Assert.All(owners, owner => Assert.Contains(run.Rows, r => r.Length >= 9 && r[2] == owner));
            foreach (var node in cluster.Nodes)
            {
                var stats = node.Service<PipelineStats>();
                Assert.Contains(run.Rows, r => r is [var n, var recordsIn, var delivered, var dead, _, _] && n == TwoNodeCluster.AddressOf(node) &&
                                               recordsIn == stats.RecordsIn.ToString() && delivered == stats.Delivered.ToString() && dead == stats.DeadLettered.ToString());
            }
            Assert.DoesNotContain("consumed by no node", run.Output);
            Assert.Matches(@"Lag SLO: not lagging \d+\.\d{3}% of the time \(target 99\.950%\); 0 partition\(s\) lagging or stalled now", run.Output);
            var reasons = cluster.Nodes.SelectMany(n => n.Service<PipelineStats>().DeadLettersByReason)
                .GroupBy(kv => kv.Key, kv => kv.Value).ToDictionary(g => g.Key, g => g.Sum());
            Assert.Equal(cluster.Malformed.Length, reasons.Values.Sum());
            foreach (var (reason, count) in reasons) Assert.Matches(new Regex($@"\n\s*{count}  {Regex.Escape(reason)}\n"), run.Output);
        }, Patience);
    }

    [Fact]
    public async Task Braze_status_shows_each_nodes_gateway()
    {
        var run = await CliRun.Against(cluster.Second.ManagementUri(), "braze", "status");
        var json = (await CliRun.Against(cluster.Second.ManagementUri(), "braze", "status", "--json")).Json<BrazeView>();

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(json.Unanswered);
        foreach (var node in cluster.Nodes)
        {
            var counters = node.Service<BrazeCounters>();
            var address = TwoNodeCluster.AddressOf(node);
            var row = Assert.Single(run.Rows, r => r.Length == 10 && r[0] == address);
            // NODE REQ/S OBJ/S IN-FLIGHT QUEUED REQUESTS FAILED ACCEPTED REJECTED STATE
            Assert.Equal(["0", "0", counters.Requests.ToString(), "0", counters.ObjectsAccepted.ToString(), "0", "sending"], row[3..]);
            Assert.Contains($"{address} rate limit: ", run.Output);
            var status = Assert.Single(json.Nodes, n => n.Node == address);
            Assert.Equal(3000, status.RateLimit?.Limit); // the local Braze's X-RateLimit-Limit, as last seen
        }
        Assert.Equal(cluster.Nodes.Sum(n => n.Service<BrazeCounters>().ObjectsAccepted), json.Nodes.Sum(n => n.ObjectsAccepted));
    }

    [Fact]
    public async Task Customer_show_shows_the_entitys_upcoming_trips()
    {
        var region = cluster.First.Service<ActorRegistry>().Get<CustomerActor>();
        var customers = cluster.Records.Select(r => r.Key).Distinct();
        CustomerView? withTrips = null;
        foreach (var id in customers)
        {
            var view = await region.Ask<CustomerView>(new GetCustomer(id), Patience);
            if (view.OpenTrips.Count > 0 && view.ClosedBookings.Count > 0)
            {
                withTrips = view;
                break;
            }
        }
        Assert.NotNull(withTrips);

        var run = await CliRun.Against(cluster.Second.ManagementUri(), "customer", "show", withTrips.CustomerId);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Customer {withTrips.CustomerId}: {withTrips.OpenTrips.Count} upcoming trip(s), {withTrips.ClosedBookings.Count} closed booking(s), journal at {withTrips.SequenceNr}", run.Output);
        foreach (var trip in withTrips.OpenTrips)
            Assert.Contains(run.Rows, r => r.Length > 3 && r[0] == trip.BookingId && r[1] == trip.ActivityId && r.Contains(trip.City));
        Assert.Contains($"Closed: {string.Join(", ", withTrips.ClosedBookings)}", run.Output);
    }

    [Fact]
    public async Task Log_level_sets_serilog_and_akka_on_the_node_asked_only()
    {
        var run = await CliRun.Against(cluster.Second.ManagementUri(), "log", "level", "warning");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"Log level of {Second} is now Warning (Akka: WarningLevel).", run.Output.Trim());
        Assert.Equal(LogEventLevel.Warning, cluster.Second.Service<LoggingLevelSwitch>().MinimumLevel);
        Assert.Equal(LogLevel.WarningLevel, cluster.Second.Service<ActorSystem>().EventStream.LogLevel);
        Assert.Equal(LogEventLevel.Information, cluster.First.Service<LoggingLevelSwitch>().MinimumLevel);

        var back = await CliRun.Against(cluster.Second.ManagementUri(), "log", "level", "Information");
        Assert.Equal(0, back.ExitCode);
        Assert.Equal(LogLevel.InfoLevel, cluster.Second.Service<ActorSystem>().EventStream.LogLevel);
    }

    [Fact]
    public async Task Mistakes_and_failures_have_their_exit_codes_and_one_line()
    {
        var endpoint = cluster.First.ManagementUri();

        var missing = await CliRun.Against(endpoint, "cluster", "leave");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("'cluster leave' takes <address>", missing.Error);
        Assert.Contains("usage: crm-cmd cluster leave <address>", missing.Error);

        var unknown = await CliRun.Against(endpoint, "cluster", "explode");
        Assert.Equal(2, unknown.ExitCode);
        Assert.Contains("unknown command 'cluster explode'", unknown.Error);

        var depth = await CliRun.Against(endpoint, "actor", "hierarchy", "-d", "zero");
        Assert.Equal(2, depth.ExitCode);
        Assert.Contains("--depth 'zero' is not a whole number", depth.Error);

        var level = await CliRun.Against(endpoint, "log", "level", "loud");
        Assert.Equal(2, level.ExitCode);

        var region = await CliRun.Against(endpoint, "cluster-sharding", "regions", "-r", "orders");
        Assert.Equal(1, region.ExitCode);
        Assert.Equal("crm-cmd: 404 Not Found: no shard region 'orders' (known: customer)", region.Error.Trim());

        var noActor = await CliRun.Against(endpoint, "actor", "hierarchy", "-s", "/user/nobody-here");
        Assert.Equal(1, noActor.ExitCode);
        Assert.Contains("no actor at /user/nobody-here", noActor.Error);

        var closedPort = new UriBuilder(endpoint) { Port = Eventually.FreePort() }.Uri;
        var unreachable = await CliRun.Against(closedPort, "cluster", "show");
        Assert.Equal(3, unreachable.ExitCode);
        Assert.StartsWith($"crm-cmd: cannot reach the node's management endpoint at {closedPort}", unreachable.Error);
        Assert.Single(unreachable.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Without_a_command_it_is_an_interactive_session()
    {
        var output = new StringWriter();
        var endpoint = cluster.First.ManagementUri();
        var exit = await Crm.Cli.CrmCli.RunAsync(["--port", endpoint.Port.ToString()], output, new StringWriter(),
            new StringReader("cluster show\nlog level\nexit\ncluster show\n"), _ => null);

        Assert.Equal(0, exit);
        Assert.Contains($"crm-cmd on {endpoint}", output.ToString());
        Assert.Single(Regex.Matches(output.ToString(), Regex.Escape($"Self:   {First}"))); // nothing after exit
        Assert.Equal(3, Regex.Matches(output.ToString(), Regex.Escape(Crm.Cli.CrmCli.Prompt)).Count);
    }
}
