using System.Diagnostics;
using Crm.Actors.Benchmarks;
using Crm.Actors.Kafka;
using Crm.Host.Demo;

// The service against its limits, in one run on the embedded mock Kafka cluster. Machines are noisy, so every
// figure is read against a baseline of the same run: (a) the raw consume loop, and Braze's configured rate limit.
//   dotnet run -c Release --project tests/Crm.Actors.Benchmarks -- [records] [Key=Value ...]
// See README "Performance" for what each row means.
var options = BenchmarkOptions.Parse(args);
// The service hosts are built with the current folder as content root; watching it for appsettings changes cost about
// 5% of the CPU in a profile (a checkout with bin/obj folders being built), which is not the service's work.
Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
var total = Stopwatch.StartNew();
// The services' logs and librdkafka's warnings go to a file; the terminal shows progress and the final table.
var serviceLog = Path.Combine(Path.GetTempPath(), $"crm-bench-{DateTime.UtcNow:yyyyMMdd-HHmmss}.log");
Terminal.SendEverythingElseTo(serviceLog);
Terminal.WriteLine($"Service logs: {serviceLog}");

if (options.PluginAloneOnly)
{
    foreach (var name in options.Journals)
    {
        var (journal, _) = await Journal.FreshAsync(name);
        if (journal is null) continue;
        await using (journal)
        {
            // Akka settings to try (akka.x.y=value) are put before the service's HOCON.
            var hocon = string.Join('\n', options.ServiceSettings.Where(kv => kv.Key.StartsWith("akka.", StringComparison.Ordinal)).Select(kv => $"{kv.Key} = {kv.Value}"));
            var plugin = await PluginAlone.RunAsync(journal, hocon);
            Terminal.WriteLine($"(e) plugin alone, {journal.Name}: {plugin}");
        }
    }
    return;
}

using var kafka = new MockKafkaCluster(brokers: 3);
const string prefix = "bench.";
foreach (var topic in DemoEnvironment.Topics) kafka.CreateTopic(prefix + topic, partitions: 4);
kafka.CreateTopic("crm.deadletter", partitions: 4);

var workload = new Workload(prefix, seed: 1);
var records = workload.Records(options.Records);
Workload.ProduceAll(kafka.BootstrapServers, records);
var averageBytes = records.Average(r => r.Value.Length);
var stateShare = Workload.StateChangingShare(records);
Terminal.WriteLine($"Produced {records.Count} records for {workload.Customers.Count} customers, {averageBytes:F0} bytes on average, {stateShare:P0} changing customer state");

var raw = RawConsume.RecordsPerSecond(kafka.BootstrapServers, DemoEnvironment.Topics.Select(t => prefix + t).ToList(), records.Count, passes: 3);
Terminal.WriteLine($"  (a) raw consume, best of 3: {raw:F0} records/s");

const string warmUpPrefix = "warm.";
foreach (var topic in DemoEnvironment.Topics) kafka.CreateTopic(warmUpPrefix + topic, partitions: 4);
var warmUp = new Workload(warmUpPrefix, seed: 3);
var warmUpRecords = warmUp.Records(Math.Min(4000, records.Count));
Workload.ProduceAll(kafka.BootstrapServers, warmUpRecords);

var pipelines = new List<PipelineResult>();
var colds = new List<ColdResult>();
var plugins = new List<PluginResult>();
var skipped = new List<string>();
foreach (var name in options.Journals)
{
    var (journal, whyNot) = await Journal.FreshAsync(name);
    if (journal is null)
    {
        skipped.Add(whyNot!);
        Terminal.WriteLine($"  PostgreSQL rows skipped: {whyNot}");
        continue;
    }
    // Each journal's own code (SQLite or Npgsql, and linq2db's provider) is compiled before it is measured.
    await using (var warmUpJournal = await journal.AnotherAsync())
    {
        var shares = await new PipelineRun(kafka, options).WarmUpAsync(warmUpJournal, warmUp, warmUpRecords.Count);
        Terminal.WriteLine($"  warm-up, {journal.Name}: {shares.Count} rounds of {warmUpRecords.Count} other records; JIT compilation {string.Join(", ", shares.Select(s => s.ToString("P0")))} of each round's CPU");
    }
    await using (journal)
    {
        // Each journal reads the records as its own consumer group: the same records, from the start.
        pipelines.Add(await new PipelineRun(kafka, options).RunAsync(journal, workload, records.Count));
        // Then as many records again, each of a customer the journal has never seen (as new customers arrive in production).
        colds.Add(await new PipelineRun(kafka, options).RunColdAsync(journal, records.Count));
    }
    // The journal plugin alone, on a fresh journal of the same kind: the ceiling of anything built on it here.
    await using (var alone = await journal.AnotherAsync())
    {
        var plugin = await PluginAlone.RunAsync(alone);
        plugins.Add(plugin);
        Terminal.WriteLine($"  (e) plugin alone, {journal.Name}: {plugin.WritesPerSecond:F0} events persisted/s, {plugin.EntitiesRecoveredPerSecond:F0} entities recovered/s");
    }
}

var gateway = await new GatewayRun(kafka.BootstrapServers, options).RunAsync(records);
Terminal.WriteLine($"  (c) gateway: {gateway.ObjectsPerSecond:F0} objects/s over {gateway.FullWindows} full windows, {gateway.TooManyRequests} answered 429");

Report.Print(options, records.Count, averageBytes, stateShare, raw, pipelines, colds, plugins, gateway, skipped, total.Elapsed);
