using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Hosting;
using Confluent.Kafka;
using Crm.Actors.Braze;
using Crm.Actors.Customers;
using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;
using Crm.Host;
using Crm.Host.Demo;
using Crm.Host.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Crm.Actors.Benchmarks;

public sealed record PipelineResult(
    string Journal,
    double RecordsPerSecond,
    double CpuMillisecondsPerRecord,
    double DatabaseCpuMillisecondsPerRecord,
    long DeadLettered,
    long Skipped,
    IReadOnlyList<StageTime> Stages,
    long BrazeRequests,
    long BrazeObjects,
    double LatencyRate,
    int LatencyEvents,
    double LatencyP50Ms,
    double LatencyP99Ms,
    long PeakWorkingSetBytes,
    Recovery Recovery,
    Recovery DeepRecovery)
{
    /// <summary>Braze objects accepted per record delivered in (b).</summary>
    public double ObjectsPerRecord => RecordsPerSecond > 0 ? (double)BrazeObjects / Records : 0;

    /// <summary>Records delivered to Braze in (b).</summary>
    public required long Records { get; init; }

    /// <summary>JIT compilation time during (b) per record, ms (inside <see cref="CpuMillisecondsPerRecord"/>).</summary>
    public double JitMillisecondsPerRecord { get; init; }
}

/// <summary>(b) over records that each meet a customer nobody has used yet: records delivered per second, CPU per record, peak working set.</summary>
public sealed record ColdResult(string Journal, int Customers, double RecordsPerSecond, double CpuMillisecondsPerRecord, long PeakWorkingSetBytes);

/// <summary>
/// Entities recovered at once after a restart, with the events they replayed, and the managed heap they added (after a
/// full collection, bytes; all of them are still live then: idle passivation is minutes away and they stay under the cap).
/// </summary>
public sealed record Recovery(int Entities, long Events, double Seconds, long HeapBytes = 0)
{
    /// <summary>Managed heap per 10,000 live entities, MiB (actor, backoff supervisor, state, ledger, shard bookkeeping).</summary>
    public double MibPer10000Entities => Entities == 0 ? 0 : HeapBytes * 10_000.0 / Entities / 1024 / 1024;

    public double EntitiesPerSecond => Entities / Seconds;
    public double EventsPerSecond => Events / Seconds;
}

/// <summary>
/// (b), (d) for one journal: the whole service in this process over the bulk records into a local Braze answering
/// 201 with no limit, then a paced producer at half that rate for latency, then customers with long histories, then
/// a restart of the service on the same journal to time the recovery of the workload's entities and of the long ones.
/// </summary>
public sealed class PipelineRun(MockKafkaCluster kafka, BenchmarkOptions options)
{
    private readonly string _bootstrap = kafka.BootstrapServers;

    private const string ApiKey = "bench-key";
    private const int DeepCustomers = 100;
    private const int DeepBookings = 90; // under Customers:SnapshotEvery (100): every event is replayed

    /// <summary>
    /// Runs the service over a workload's records, again and again on the same journal (each round a consumer group of its
    /// own, so the later rounds recover the customers the first ones wrote), until the JIT compiler is done with the hot
    /// paths: a round whose JIT time is under 5% of its CPU, at most <paramref name="maxRounds"/>. Keeps no figure but
    /// the JIT share of each round. Without it, (b) measured the tiered JIT compiler's background thread at 31% of the
    /// process's CPU (after a single round of 2,000 records), 2 to 3% once (b) was over: a short run's start-up cost,
    /// not the service's.
    /// </summary>
    public async Task<IReadOnlyList<double>> WarmUpAsync(Journal journal, Workload workload, int count, int maxRounds = 4)
    {
        var shares = new List<double>();
        for (var round = 1; round <= maxRounds; round++)
        {
            var (jit, cpu) = (System.Runtime.JitInfo.GetCompilationTime(), Cpu.Process());
            await WarmUpRoundAsync(journal, workload, count, $"bench-warm-up-{journal.Provider}-{round}");
            shares.Add((System.Runtime.JitInfo.GetCompilationTime() - jit) / (Cpu.Process() - cpu));
            if (shares[^1] < 0.05) break;
        }
        return shares;
    }

    private async Task WarmUpRoundAsync(Journal journal, Workload workload, int count, string group)
    {
        await using var braze = await LocalBraze.StartAsync(ApiKey, requestsPerWindow: int.MaxValue);
        await using var catalog = await LocalCatalog.StartAsync(SampleEvents.Activities);
        // A group of its own: the measured run's consumer then joins at once instead of waiting out this one's session.
        await WithServiceAsync(Settings(journal, [workload.TopicPrefix], braze.BaseUrl, catalog.BaseUrl, group: group), async app =>
        {
            var stats = app.Services.GetRequiredService<PipelineStats>();
            await Waiting.Until(() => stats.Delivered + stats.DeadLettered + stats.Skipped >= count, TimeSpan.FromMinutes(2));
        });
    }

    /// <summary>
    /// (b) over records that each meet a new customer (<see cref="Workload.ColdRecords"/>), on a fresh journal and consumer
    /// group: what a burst of distinct customers costs (every record waits for a recovery), under the live-entity cap.
    /// </summary>
    public async Task<ColdResult> RunColdAsync(Journal journal, int count)
    {
        await using var braze = await LocalBraze.StartAsync(ApiKey, requestsPerWindow: int.MaxValue);
        await using var catalog = await LocalCatalog.StartAsync(SampleEvents.Activities);
        braze.KeepRequests = false;
        var workload = new Workload($"cold-{journal.Provider.ToLowerInvariant()}.", seed: 4);
        foreach (var topic in DemoEnvironment.Topics) kafka.CreateTopic(workload.TopicPrefix + topic, partitions: 4);
        Workload.ProduceAll(_bootstrap, workload.ColdRecords(count));
        PeakMemory.Reset();
        return await WithServiceAsync(Settings(journal, [workload.TopicPrefix], braze.BaseUrl, catalog.BaseUrl, group: $"bench-cold-{journal.Provider}"), async app =>
        {
            var stats = app.Services.GetRequiredService<PipelineStats>();
            long Done() => stats.Delivered + stats.DeadLettered + stats.Skipped;
            await Waiting.Until(() => stats.RecordsIn > 0, TimeSpan.FromMinutes(1));
            var clock = Stopwatch.StartNew();
            var cpu = Cpu.Process();
            await Waiting.Until(() => Done() >= count, TimeSpan.FromMinutes(3), () => $"{Done()} cold records done");
            var result = new ColdResult(journal.Name, workload.Customers.Count, (count - stats.DeadLettered - stats.Skipped) / clock.Elapsed.TotalSeconds,
                (Cpu.Process() - cpu).TotalMilliseconds / count, PeakMemory.Bytes());
            Terminal.WriteLine($"  (b) cold, {journal.Name}: {count} records of {result.Customers} customers at {result.RecordsPerSecond:F0}/s");
            return result;
        });
    }

    public async Task<PipelineResult> RunAsync(Journal journal, Workload bulk, int bulkCount)
    {
        await using var braze = await LocalBraze.StartAsync(ApiKey, requestsPerWindow: int.MaxValue);
        await using var catalog = await LocalCatalog.StartAsync(SampleEvents.Activities);
        // Paced records go to topics of their own, so that each journal's run reads the same bulk records.
        var latencyWorkload = new Workload($"{bulk.TopicPrefix}paced-{journal.Provider.ToLowerInvariant()}.", seed: 2);
        foreach (var topic in DemoEnvironment.Topics) kafka.CreateTopic(latencyWorkload.TopicPrefix + topic, partitions: 4);
        var settings = Settings(journal, [bulk.TopicPrefix, latencyWorkload.TopicPrefix], braze.BaseUrl, catalog.BaseUrl);

        PeakMemory.Reset();
        using var stageTimes = new StageTimes();
        var app = await CrmHost.StartInProcessAsync(settings);
        double rate, cpuPerRecord, jitPerRecord, databaseCpuPerRecord;
        long deadLettered, skipped;
        IReadOnlyList<StageTime> stages;
        long requests, objects;
        double latencyRate;
        IReadOnlyList<double> latencies;
        long peak;
        try
        {
            var stats = app.Services.GetRequiredService<PipelineStats>();
            var counters = app.Services.GetRequiredService<BrazeCounters>();
            long Done() => stats.Delivered + stats.DeadLettered + stats.Skipped;
            string Progress() => $"{Done()} records done, {counters.ObjectsAccepted} objects accepted in {counters.SucceededRequests} requests";

            await Waiting.Until(() => stats.RecordsIn > 0, TimeSpan.FromMinutes(1));
            var clock = Stopwatch.StartNew(); // from the first record: start-up and group join are not throughput
            var cpu = Cpu.Process();
            var jit = System.Runtime.JitInfo.GetCompilationTime();
            var databaseCpu = Cpu.PostgresServer();
            var stagesBefore = stageTimes.Snapshot();
            var misses = QueryCacheMisses.Total();
            await Waiting.Until(() => Done() >= bulkCount, TimeSpan.FromMinutes(3), Progress);
            Terminal.WriteLine($"  linq2db query-cache misses during (b): {QueryCacheMisses.Total() - misses} ({QueryCacheMisses.Describe()} since start)");
            // Records delivered to Braze; dead-lettered and skipped ones are counted apart (none in this workload).
            (deadLettered, skipped) = (stats.DeadLettered, stats.Skipped);
            rate = (bulkCount - deadLettered - skipped) / clock.Elapsed.TotalSeconds;
            cpuPerRecord = (Cpu.Process() - cpu).TotalMilliseconds / bulkCount;
            jitPerRecord = (System.Runtime.JitInfo.GetCompilationTime() - jit).TotalMilliseconds / bulkCount;
            databaseCpuPerRecord = (Cpu.PostgresServer() - databaseCpu).TotalMilliseconds / bulkCount;
            stages = StageTimes.Between(stagesBefore, stageTimes.Snapshot());
            (requests, objects) = (counters.SucceededRequests, counters.ObjectsAccepted);
            Terminal.WriteLine($"  (b) {journal.Name}: {bulkCount} records at {rate:F0}/s; Braze {requests} requests, {objects} objects");

            braze.Accepted.Clear();
            latencyRate = rate / 2;
            var latencyRecords = latencyWorkload.Records((int)Math.Max(100, latencyRate * options.LatencySeconds));
            await ProducePacedAsync(latencyWorkload, latencyRecords, latencyRate);
            await Waiting.Until(() => Done() >= bulkCount + latencyRecords.Count, TimeSpan.FromMinutes(2), Progress);
            latencies = EventLatenciesMs(braze.Accepted);
            peak = PeakMemory.Bytes();
            Terminal.WriteLine($"  (d) {journal.Name}: {latencyRecords.Count} records paced at {latencyRate:F0}/s, {latencies.Count} events timed");

            braze.KeepRequests = false;
            var deep = latencyWorkload.DeepHistories(DeepCustomers, DeepBookings);
            Workload.ProduceAll(_bootstrap, deep);
            await Waiting.Until(() => Done() >= bulkCount + latencyRecords.Count + deep.Count, TimeSpan.FromMinutes(2), Progress);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        var (recovery, deepRecovery) = await RecoverAsync(settings, bulk.Customers.Concat(latencyWorkload.Customers).ToList(), latencyWorkload.DeepCustomers);
        foreach (var r in new[] { recovery, deepRecovery })
            Terminal.WriteLine($"  (d) {journal.Name}: recovered {r.Entities} entities ({r.Events} events) in {r.Seconds:F2} s");
        return new PipelineResult(
            journal.Name, rate, cpuPerRecord, databaseCpuPerRecord, deadLettered, skipped, stages, requests, objects, latencyRate, latencies.Count, Percentile(latencies, 0.50), Percentile(latencies, 0.99), peak,
            recovery, deepRecovery) { Records = bulkCount - deadLettered - skipped, JitMillisecondsPerRecord = jitPerRecord };
    }

    private Dictionary<string, string?> Settings(Journal journal, IReadOnlyList<string> topicPrefixes, Uri braze, Uri catalog, string? group = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = _bootstrap,
            ["Kafka:GroupId"] = group ?? $"bench-{journal.Provider}",
            ["Kafka:Topics"] = string.Join(',', topicPrefixes.SelectMany(prefix => DemoEnvironment.Topics.Select(t => prefix + t))),
            ["Braze:RestEndpoint"] = braze.ToString(),
            ["Braze:ApiKey"] = ApiKey,
            ["Braze:RequestsPerWindow"] = "1000000", // throttle off: measure the pipeline, not Braze's limit
            ["Catalog:BaseUrl"] = catalog.ToString(),
            ["Persistence:Provider"] = journal.Provider,
            ["Persistence:ConnectionString"] = journal.ConnectionString,
            ["Cluster:Port"] = "0",
            ["Management:Port"] = "0",
            ["Logging:Level"] = "Warning",
            // A broker answers a fetch as soon as it has a byte for it; librdkafka's mock broker answers an empty fetch
            // only after fetch.wait.max.ms (500 ms by default), which measured as most of the latency (p50 381 ms
            // against 19 ms at 10 ms). The benchmark measures the service, so the mock is asked to answer quickly.
            ["Kafka:Client:fetch.wait.max.ms"] = MockBroker.FetchWaitMs,
        };
        foreach (var (key, value) in options.ServiceSettings) settings[key] = value;
        return settings;
    }

    /// <summary>Produces at <paramref name="rate"/> records/s, each stamped with the time it is produced as its event time.</summary>
    private async Task ProducePacedAsync(Workload workload, IReadOnlyList<SampleRecord> records, double rate)
    {
        using var producer = Workload.Producer(_bootstrap);
        var clock = Stopwatch.StartNew();
        var sent = 0;
        while (sent < records.Count)
        {
            var due = Math.Min(records.Count, (int)(clock.Elapsed.TotalSeconds * rate) + 1);
            for (; sent < due; sent++)
            {
                var record = workload.StampedNow(records[sent]);
                producer.Produce(record.Topic, new Message<string, byte[]> { Key = record.Key, Value = record.Value });
            }
            await Task.Delay(2);
        }
        producer.Flush(TimeSpan.FromMinutes(1));
    }

    /// <summary>For every event object Braze accepted: its arrival at Braze minus its <c>time</c> (the event's occurred_at).</summary>
    private static List<double> EventLatenciesMs(IEnumerable<BrazeRequest> accepted)
    {
        var latencies = new List<double>();
        foreach (var request in accepted.Where(r => r.Path == "/users/track"))
        {
            if (!request.Json.TryGetProperty("events", out var events)) continue;
            foreach (var brazeEvent in events.EnumerateArray())
            {
                var time = DateTimeOffset.Parse(brazeEvent.GetProperty("time").GetString()!, CultureInfo.InvariantCulture);
                latencies.Add((request.At - time).TotalMilliseconds);
            }
        }
        latencies.Sort();
        return latencies;
    }

    private static async Task<Recovery> RecoverAsync(IActorRef region, IReadOnlyList<string> customers)
    {
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var misses = QueryCacheMisses.Total();
        try
        {
            var views = await Task.WhenAll(customers.Select(c => region.Ask<CustomerView>(new GetCustomer(c), TimeSpan.FromMinutes(2))));
            var seconds = clock.Elapsed.TotalSeconds;
            return new Recovery(views.Length, views.Sum(v => v.SequenceNr), seconds, GC.GetTotalMemory(forceFullCollection: true) - heap);
        }
        finally { Terminal.WriteLine($"  linq2db query-cache misses during recovery: {QueryCacheMisses.Total() - misses}"); }
    }


    private static double Percentile(IReadOnlyList<double> sorted, double quantile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(quantile * sorted.Count) - 1)];

    /// <summary>
    /// Starts the service again on the same journal and asks every customer for its state at once: each entity
    /// recovers (snapshot, then events) before it answers. Akka bounds concurrent recoveries (hocon).
    /// </summary>
    private static async Task<(Recovery Workload, Recovery Deep)> RecoverAsync(
        Dictionary<string, string?> settings, IReadOnlyList<string> customers, IReadOnlyList<string> deepCustomers)
    {
        return await WithServiceAsync(settings, async app =>
        {
            var region = app.Services.GetRequiredService<ActorRegistry>().Get<CustomerActor>();
            await region.Ask<CustomerView>(new GetCustomer("cus_bench_warm_up"), TimeSpan.FromMinutes(2)); // the cluster and shards are up
            return (await RecoverAsync(region, customers), await RecoverAsync(region, deepCustomers));
        });
    }

    private static Task WithServiceAsync(Dictionary<string, string?> settings, Func<WebApplication, Task> run) =>
        WithServiceAsync(settings, async app =>
        {
            await run(app);
            return true;
        });

    /// <summary>Starts the service in this process over <paramref name="settings"/>, runs <paramref name="run"/> on it, and stops it.</summary>
    private static async Task<T> WithServiceAsync<T>(Dictionary<string, string?> settings, Func<WebApplication, Task<T>> run)
    {
        var app = await CrmHost.StartInProcessAsync(settings);
        try
        {
            return await run(app);
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
