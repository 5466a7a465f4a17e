using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Crm.Actors.Braze;
using Crm.Actors.Kafka;
using Crm.Actors.Pipeline;
using Crm.Host;
using Crm.Host.Demo;
using Crm.Host.Local;
using Microsoft.Extensions.DependencyInjection;

// Throughput of the whole pipeline against a plain Confluent.Kafka consume loop over the same records, in one
// run on the embedded mock Kafka cluster. Machines are noisy: the figure that matters is the ratio.
//   dotnet run -c Release --project tests/Crm.Actors.Benchmarks -- [records]
//   extra arguments Key=Value override the service's settings, e.g. Braze:MaxRequestsInFlight=16
var records = args.Length > 0 && int.TryParse(args[0], CultureInfo.InvariantCulture, out var n) ? n : 20_000;
var overrides = args.Where(a => a.Contains('=')).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => (string?)kv[1]);

using var kafka = new MockKafkaCluster(brokers: 3);
foreach (var prefix in new[] { "", "poison." })
    foreach (var topic in DemoEnvironment.Topics) kafka.CreateTopic(prefix + topic, partitions: 4);
kafka.CreateTopic("crm.deadletter", partitions: 4);

Console.WriteLine($"Producing {records} realistic records to the mock cluster, and the same with 10% poison…");
var produced = Produce(kafka.BootstrapServers, records, "", poisonPercent: 0);
Produce(kafka.BootstrapServers, records, "poison.", poisonPercent: 10);
var bytes = produced.Sum(r => (long)r.Value.Length);
Console.WriteLine($"  {produced.Count} records, {bytes / produced.Count} bytes on average");

var raw = RawConsume(kafka.BootstrapServers, produced.Count);
// The poisoned run goes first: the clean run then has the warm-up advantage, so their ratio is conservative.
var poisoned = await RunPipeline(kafka.BootstrapServers, "poison.", produced.Count, overrides);
var pipeline = await RunPipeline(kafka.BootstrapServers, "", produced.Count, overrides);

var ratio = pipeline.RecordsPerSecond / raw;
Console.WriteLine();
Console.WriteLine("| measurement | records/s | ratio to raw |");
Console.WriteLine("|---|---:|---:|");
Console.WriteLine($"| (a) plain Confluent.Kafka consume loop | {raw:F0} | 1.00 |");
Console.WriteLine($"| (b) whole pipeline (decode, sharded persistent actors, gateway, local Braze 201) | {pipeline.RecordsPerSecond:F0} | {ratio:F3} |");
Console.WriteLine($"| (b') whole pipeline, 10% of the records malformed | {poisoned.RecordsPerSecond:F0} | {poisoned.RecordsPerSecond / raw:F3} |");
Console.WriteLine($"  10% poison against 0%: {poisoned.RecordsPerSecond / pipeline.RecordsPerSecond:F2}");
Console.WriteLine($"  Braze: {pipeline.Requests} requests, {pipeline.Objects} objects ({(double)pipeline.Objects / Math.Max(1, pipeline.Requests):F1} per request)");
Console.WriteLine(JsonSerializer.Serialize(new
{
    records = produced.Count,
    raw_records_per_s = Math.Round(raw),
    pipeline_records_per_s = Math.Round(pipeline.RecordsPerSecond),
    pipeline_to_raw = Math.Round(ratio, 3),
    poisoned_records_per_s = Math.Round(poisoned.RecordsPerSecond),
    poisoned_to_clean = Math.Round(poisoned.RecordsPerSecond / pipeline.RecordsPerSecond, 3),
    braze_requests = pipeline.Requests,
    braze_objects = pipeline.Objects,
}));

static List<SampleRecord> Produce(string bootstrap, int count, string topicPrefix, int poisonPercent)
{
    var samples = new SampleEvents(seed: 1);
    var all = new List<SampleRecord>(count + 16);
    for (var customer = 0; all.Count < count; customer++)
        all.AddRange(samples.Customer($"cus_{topicPrefix}{customer}", DateTimeOffset.UtcNow));
    all.RemoveRange(count, all.Count - count);
    for (var i = 0; i < all.Count; i++)
        if (i % 100 < poisonPercent) all[i] = samples.Malformed(all[i].Key);
    all = all.Select(r => r with { Topic = topicPrefix + r.Topic }).ToList();
    using var producer = new ProducerBuilder<string, byte[]>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
    foreach (var record in all) producer.Produce(record.Topic, new Message<string, byte[]> { Key = record.Key, Value = record.Value });
    producer.Flush(TimeSpan.FromMinutes(1));
    return all;
}

static double RawConsume(string bootstrap, int count)
{
    using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
    {
        BootstrapServers = bootstrap,
        GroupId = "bench-raw",
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
    }).Build();
    consumer.Subscribe(DemoEnvironment.Topics);
    var seen = 0;
    Stopwatch? clock = null;
    while (seen < count)
    {
        var result = consumer.Consume(TimeSpan.FromSeconds(1));
        if (result is null) continue;
        clock ??= Stopwatch.StartNew(); // from the first record: group join is not consumption
        seen++;
    }
    consumer.Commit();
    var rate = (seen - 1) / clock!.Elapsed.TotalSeconds;
    Console.WriteLine($"(a) raw consume: {seen} records at {rate:F0}/s");
    consumer.Close();
    return rate;
}

static async Task<(double RecordsPerSecond, long Requests, long Objects)> RunPipeline(string bootstrap, string topicPrefix, int count, Dictionary<string, string?> overrides)
{
    const string apiKey = "bench-key";
    await using var braze = await LocalBraze.StartAsync(apiKey, requestsPerWindow: int.MaxValue);
    await using var catalog = await LocalCatalog.StartAsync(SampleEvents.Activities);
    var database = Path.Combine(Path.GetTempPath(), $"crm-bench-{Guid.NewGuid():N}.db");
    var settings = new Dictionary<string, string?>
    {
        ["Kafka:BootstrapServers"] = bootstrap,
        ["Kafka:GroupId"] = "bench-pipeline-" + topicPrefix,
        ["Kafka:Topics"] = string.Join(',', DemoEnvironment.Topics.Select(t => topicPrefix + t)),
        ["Braze:RestEndpoint"] = braze.BaseUrl.ToString(),
        ["Braze:ApiKey"] = apiKey,
        ["Braze:RequestsPerWindow"] = "1000000", // throttle off: measure the pipeline, not Braze's limit
        ["Catalog:BaseUrl"] = catalog.BaseUrl.ToString(),
        ["Persistence:ConnectionString"] = $"Data Source={database}",
        ["Cluster:Port"] = "0",
        ["Management:Port"] = "0",
    };
    foreach (var (key, value) in overrides) settings[key] = value;
    var app = await CrmHost.StartInProcessAsync(settings);
    var stats = app.Services.GetRequiredService<PipelineStats>();
    var counters = app.Services.GetRequiredService<BrazeCounters>();
    long Done() => stats.Delivered + stats.DeadLettered + stats.Skipped;
    while (stats.RecordsIn == 0) await Task.Delay(10);
    var clock = Stopwatch.StartNew();
    var lastReport = TimeSpan.Zero;
    while (Done() < count)
    {
        await Task.Delay(20);
        if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(5))
        {
            lastReport = clock.Elapsed;
            Console.WriteLine($"  … {Done()}/{count} records done, {counters.ObjectsAccepted} objects accepted, delivery mean {stats.MeanDeliveryTime.TotalMilliseconds:F0} ms, max {stats.MaxDeliveryTime.TotalMilliseconds:F0} ms");
        }
    }
    var rate = count / clock.Elapsed.TotalSeconds;
    Console.WriteLine($"(b) pipeline over '{topicPrefix}*': {count} records at {rate:F0}/s, {stats.DeadLettered} dead-lettered");
    var result = (rate, counters.SucceededRequests, counters.ObjectsAccepted);
    await app.StopAsync();
    await app.DisposeAsync();
    File.Delete(database);
    return result;
}
