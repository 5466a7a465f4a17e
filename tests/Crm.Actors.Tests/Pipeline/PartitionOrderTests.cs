using System.Collections.Concurrent;
using System.IO.Hashing;
using System.Text;
using Akka.Actor;
using Akka.Hosting;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Customers;
using Crm.Actors.Hosting;
using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Actors.Tests.Pipeline;

/// <summary>
/// Per-customer order on every path (<c>braze-mapping.md</c>: "For one customer, objects reach Braze in the order the
/// domain events had on their partition"), over many random interleavings at once: the real record pipeline, the
/// customer entities under cluster sharding, a real SQLite journal whose writes and replays are slowed (and some writes
/// failed, so entities restart under their backoff supervisor), a catalog answering slowly, Braze answering some
/// requests with 500, short passivation and a short record timeout (so batches are asked again). Delays and failures
/// are functions of the seed and the operation, so a failing seed replays the same scenario with the same faults:
/// <c>CRM_ORDER_SEED=&lt;seed&gt;</c> runs that one interleaving alone, <c>CRM_ORDER_COUNT=&lt;n&gt;</c> runs n instead of 1,000.
/// </summary>
[Collection(Serial.Name)]
public sealed class PartitionOrderTests : Akka.Hosting.TestKit.TestKit
{
    private const int Interleavings = 1000;
    private const int CustomersPerInterleaving = 3;
    private const int FirstSeed = 1_000;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"crm-order-tests-{Guid.NewGuid():N}.db");
    private readonly LocalBraze _braze;
    private readonly LocalCatalog _catalog;
    private readonly CatalogClient _catalogClient;
    private readonly IReadOnlyList<OrderScenario> _scenarios;

    public PartitionOrderTests()
    {
        var seeds = Environment.GetEnvironmentVariable("CRM_ORDER_SEED") is { Length: > 0 } one
            ? [int.Parse(one, System.Globalization.CultureInfo.InvariantCulture)]
            : Enumerable.Range(FirstSeed, int.TryParse(Environment.GetEnvironmentVariable("CRM_ORDER_COUNT"), out var count) ? count : Interleavings);
        _scenarios = seeds.Select((seed, partition) => OrderScenario.Generate(seed, partition, CustomersPerInterleaving)).ToList();
        _braze = LocalBraze.StartAsync("order-test-key").GetAwaiter().GetResult();
        _catalog = LocalCatalog.StartAsync(_scenarios.SelectMany(s => s.Activities)).GetAwaiter().GetResult();
        _catalogClient = new CatalogClient(
            new CatalogSettings(_catalog.BaseUrl.ToString(), TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(10), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200)),
            NullLogger<CatalogClient>.Instance);
    }

    private static readonly CustomerSettings Customers = CustomerSettings.Default with
    {
        PassivateAfter = TimeSpan.FromSeconds(5),
        MinBackoff = TimeSpan.FromMilliseconds(50),
        MaxBackoff = TimeSpan.FromMilliseconds(500),
    };

    protected override void ConfigureAkka(AkkaConfigurationBuilder builder, IServiceProvider provider)
    {
        var braze = new BrazeSettings(_braze.BaseUrl, "order-test-key", 3000, TimeSpan.FromSeconds(3), 75, 12,
            TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(20), TimeSpan.FromMilliseconds(200));
        builder
            .AddHoconFile(Path.Combine(AppContext.BaseDirectory, "hocon", "crm.hocon"), HoconAddMode.Append)
            .WithCrmCluster(new ClusterSettings("127.0.0.1", 0, []), Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance)
            .WithCrmPersistence(new Crm.Actors.Hosting.PersistenceSettings(PersistenceProvider.Sqlite, $"Data Source={_database}"))
            .AddHocon(ChaosSqlJournal.Hocon, HoconAddMode.Prepend)
            .WithBrazeGateway(braze, new BrazeApi(braze), new NothingDeadLettered(), new BrazeCounters())
            .WithCustomerSharding(Customers, _catalogClient, new EntityLocality());
    }

    [Fact]
    public async Task Braze_sees_each_customers_events_in_partition_order_over_1000_random_interleavings()
    {
        var committer = new CheckingCommitter(_scenarios, _braze);
        _catalog.Latency = id => TimeSpan.FromMilliseconds(Roll("catalog", id) % 50);
        // A failure hits a first attempt only (a retry carries the same body, the same sequence number): faults pass.
        var attempts = new ConcurrentDictionary<string, int>();
        bool FirstAttempt(string key) => attempts.AddOrUpdate(key, 1, (_, n) => n + 1) == 1;
        _braze.Override = request => Roll("braze", request.Body) % 100 < 3 && FirstAttempt("braze|" + request.Body)
            ? new BrazeReply(500, """{"message":"internal error"}""")
            : new BrazeReply(201, """{"message":"success"}""", TimeSpan.FromMilliseconds(Roll("braze-delay", request.Body) % 10));
        ChaosSqlJournal.Chaos = new JournalChaos(
            WriteDelay: key => TimeSpan.FromMilliseconds(Roll("write", key) % 100 < 10 ? 60 : Roll("write-delay", key) % 15),
            FailWrite: key => Roll("fail", key) % 200 == 0 && FirstAttempt("write|" + key),
            ReplayDelay: key => TimeSpan.FromMilliseconds(Roll("replay", key) % 30));
        var log = new ConcurrentQueue<string>();
        Sys.EventStream.Subscribe(Sys.ActorOf(Props.Create(() => new LogCollector(log))), typeof(Akka.Event.Warning));
        Sys.EventStream.Subscribe(Sys.ActorOf(Props.Create(() => new LogCollector(log))), typeof(Akka.Event.Error));
        var stats = new PipelineStats();
        try
        {
            var region = await ActorRegistry.GetAsync<CustomerActor>();
            // The cluster has formed and sharding answers: what follows measures the pipeline, not the start-up.
            await region.Ask<CustomerView>(new GetCustomer("warm-up"), TimeSpan.FromSeconds(30));
            var pipeline = new RecordPipeline(region, Crm.Actors.EventTypes.EventCatalog.Default, new NothingDeadLettered(), new PipelineSettings(500, TimeSpan.FromSeconds(3)),
                KafkaSettings.For("unused:9092", ["unused"]), stats);
            var run = pipeline.Run(Sys, Source.From(RoundRobin(_scenarios)), committer, Sys.Materializer());

            var finished = await Task.WhenAny(run, Task.Delay(Patience));
            Assert.True(finished == run, $"not every record was done within {Patience}: {committer.Progress()}; " +
                $"{stats.RecordsIn} records in, {stats.Delivered} delivered, {stats.Retries} batches asked again\n{string.Join("\n", log.Take(40))}");
            await run;
            TestContext.Current.TestOutputHelper?.WriteLine($"{stats.RecordsIn} records, {stats.Retries} batches asked again, mean {stats.MeanDeliveryTime}, max {stats.MaxDeliveryTime}, " +
                $"{_braze.Log.Count} Braze requests; {log.Count} warnings and errors, e.g.\n{string.Join("\n", log.Take(10))}");
        }
        finally
        {
            ChaosSqlJournal.Chaos = null;
            _braze.Override = null;
        }

        var failures = _scenarios.Select(s => (s.Seed, Problem: OrderProblem(s, AcceptedIndex.Of(_braze)))).Where(f => f.Problem is not null).ToList();
        Assert.True(failures.Count == 0,
            $"{failures.Count} of {_scenarios.Count} interleavings broke per-customer order (rerun one with CRM_ORDER_SEED=<seed>):\n" +
            string.Join("\n", failures.Take(10).Select(f => $"seed {f.Seed}: {f.Problem}")));
        Assert.True(committer.Violations.IsEmpty, $"{committer.Violations.Count} commits broke the rule, e.g.\n{string.Join("\n", committer.Violations.Take(10))}");
        Assert.True(committer.AllCommitted(), committer.Progress());
    }

    /// <summary>Deterministic "random" number for an operation: a function of the seeds and the operation's key.</summary>
    private static ulong Roll(string what, string key) => XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(what + "|" + key));

    /// <summary>The records of all scenarios, one of each in turn (partitions interleave as a consumer reads them).</summary>
    private static IEnumerable<CommittableRecord> RoundRobin(IReadOnlyList<OrderScenario> scenarios)
    {
        for (var i = 0; scenarios.Any(s => i < s.Records.Count); i++)
            foreach (var scenario in scenarios)
                if (i < scenario.Records.Count) yield return scenario.Records[i].Record;
    }

    /// <summary>What is wrong with what Braze got for the scenario's customers, or null.</summary>
    private static string? OrderProblem(OrderScenario scenario, AcceptedIndex braze)
    {
        foreach (var customer in scenario.Records.Select(r => r.Customer).Distinct())
        {
            var story = scenario.Records.Where(r => r.Customer == customer && !r.IsRetry).OrderBy(r => r.Story).ToList();
            // Every event once, none lost, none twice (retries and repeats included).
            foreach (var record in story.Where(r => r.BrazeKey is not null))
            {
                var seen = braze.Events.GetValueOrDefault(record.BrazeKey!)?.Count ?? 0;
                if (seen != 1) return $"{customer}: {record.EventType} #{record.Story} reached Braze {seen} times";
            }
            // Per topic, in partition order.
            foreach (var topic in story.Select(r => r.Record.Topic).Distinct())
            {
                var expected = story.Where(r => r.Record.Topic == topic && r.BrazeKey is not null).Select(r => r.Story).ToList();
                var actual = story.Where(r => r.Record.Topic == topic && r.BrazeKey is not null)
                    .OrderBy(r => braze.Events[r.BrazeKey!][0].Position).Select(r => r.Story).ToList();
                if (!expected.SequenceEqual(actual))
                    return $"{customer} on {topic}: Braze order [{string.Join(",", actual)}], partition order [{string.Join(",", expected)}]";
            }
            // A deletion comes after everything read before it and before everything read after it. Deletions with no
            // event between them may share one /users/delete request (the gateway sends an id once per request).
            var deletions = braze.Deletions.GetValueOrDefault(customer) ?? [];
            var deletes = story.Count(r => r.BrazeKey is null);
            var runs = story.Where((r, i) => r.BrazeKey is null && (i == 0 || story[i - 1].BrazeKey is not null)).Count();
            if (deletions.Count < runs || deletions.Count > deletes)
                return $"{customer}: {deletes} deletions read ({runs} runs), {deletions.Count} /users/delete accepted";
            foreach (var record in story.Where(r => r.BrazeKey is not null))
            {
                var before = story.TakeWhile(r => r != record).ToList();
                var request = braze.Events[record.BrazeKey!][0].Request;
                var deletedBefore = deletions.Count(d => d < request);
                var fewest = before.Where((r, i) => r.BrazeKey is null && (i == 0 || before[i - 1].BrazeKey is not null)).Count();
                if (deletedBefore < fewest || deletedBefore > before.Count(r => r.BrazeKey is null))
                    return $"{customer}: {record.EventType} #{record.Story} reached Braze after {deletedBefore} deletions, read after {before.Count(r => r.BrazeKey is null)}";
            }
        }
        return null;
    }

    protected override async Task AfterAllAsync()
    {
        _catalogClient.Dispose();
        await _braze.DisposeAsync();
        await _catalog.DisposeAsync();
        await base.AfterAllAsync();
        foreach (var file in Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(_database) + "*")) File.Delete(file);
    }

    private sealed class LogCollector : ReceiveActor
    {
        public LogCollector(ConcurrentQueue<string> log) => ReceiveAny(message => log.Enqueue(message.ToString()!));
    }

    /// <summary>Every record of these scenarios is valid, and Braze refuses none of them: a dead letter is a bug.</summary>
    private sealed class NothingDeadLettered : IDeadLetters
    {
        public Task PublishAsync(DeadLetter letter, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException($"{letter.Source} dead-lettered: {letter.Reason}");
    }

    /// <summary>
    /// Takes the pipeline's commits and checks each against Braze at that moment: a committed offset's record, and every
    /// earlier one of its partition, was accepted by Braze ("an offset is committed only after everything derived from
    /// its record was accepted").
    /// </summary>
    private sealed class CheckingCommitter(IReadOnlyList<OrderScenario> scenarios, LocalBraze braze) : IOffsetCommitter
    {
        private readonly Dictionary<(string Topic, int Partition), List<ScenarioRecord>> _records = scenarios
            .SelectMany(s => s.Records).GroupBy(r => (r.Record.Topic, r.Record.Partition)).ToDictionary(g => g.Key, g => g.ToList());
        private readonly ConcurrentDictionary<(string Topic, int Partition), long> _committed = new();
        private readonly Dictionary<string, List<ScenarioRecord>> _stories = scenarios
            .SelectMany(s => s.Records).Where(r => !r.IsRetry).GroupBy(r => r.Customer).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Story).ToList());

        /// <summary>Deletions Braze must have had once <paramref name="deletion"/> is done: runs of them share a request.</summary>
        private int DeletionsNeeded(ScenarioRecord deletion)
        {
            var story = _stories[deletion.Customer].TakeWhile(r => r.Story <= deletion.Story).ToList();
            return story.Where((r, i) => r.BrazeKey is null && (i == 0 || story[i - 1].BrazeKey is not null)).Count();
        }

        public ConcurrentQueue<string> Violations { get; } = new();

        public Task CommitAsync(IReadOnlyCollection<CommittableOffset> offsets)
        {
            var accepted = AcceptedIndex.Of(braze);
            foreach (var offset in offsets)
            {
                var partition = (offset.Topic, offset.Partition);
                if (_committed.TryGetValue(partition, out var before) && offset.Offset <= before)
                    Violations.Enqueue($"{offset} committed after {before}");
                _committed[partition] = offset.Offset;
                foreach (var record in _records[partition].Where(r => r.Record.Offset <= offset.Offset))
                {
                    var done = record.BrazeKey is { } key
                        ? accepted.Events.ContainsKey(key)
                        : (accepted.Deletions.GetValueOrDefault(record.Customer)?.Count ?? 0) >= DeletionsNeeded(record);
                    if (!done) Violations.Enqueue($"{offset} committed before Braze accepted {record.EventType} of {record.Customer} at offset {record.Record.Offset}");
                }
            }
            return Task.CompletedTask;
        }

        public bool AllCommitted() => _records.All(p => _committed.TryGetValue(p.Key, out var offset) && offset == p.Value[^1].Record.Offset);

        public string Progress() =>
            $"{_records.Count(p => _committed.TryGetValue(p.Key, out var o) && o == p.Value[^1].Record.Offset)} of {_records.Count} partitions committed to their end; " +
            $"Braze accepted {braze.Accepted.Count} requests of {braze.Log.Count}";
    }
}
