using System.Net;
using System.Text.Json;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Operating;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;
using Crm.Host.Local;
using Crm.Management;

namespace Crm.Actors.Tests.Operating;

/// <summary>The Prometheus scrape carries the listed series with the node's real counts; the probes tell alive from ready.</summary>
[Collection(Serial.Name)]
public sealed class MetricsAndHealthTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_scrape_has_every_series_with_the_nodes_counts()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var records = deployment.ProduceCustomers(10, seed: 41);
        var samples = new SampleEvents(seed: 42);
        SampleRecord[] malformed = [samples.Malformed("cus_bad_1"), samples.Malformed("cus_bad_2")];
        deployment.Produce(malformed);
        await using var node = await deployment.StartHostAsync();
        var stats = node.Service<PipelineStats>();
        var braze = node.Service<BrazeCounters>();
        await PipelineDeployment.WaitUntil(() => stats.Delivered == records.Count && stats.DeadLettered == malformed.Length && deployment.AllCommitted(),
            Patience, () => $"delivered {stats.Delivered}/{records.Count}, dead letters {stats.DeadLettered}");
        using var http = new HttpClient { BaseAddress = node.ManagementUri() };
        var partitions = deployment.Topics.Count * 4;

        // Lag comes from librdkafka's statistics (every second) and shard counts every 5 s: wait for them to settle. Each
        // record's commit wait is recorded once the commit carrying it returns, a moment after Kafka has it.
        PrometheusScrape scrape = null!;
        await PipelineDeployment.WaitUntil(() =>
        {
            scrape = PrometheusScrape.Parse(http.GetStringAsync("metrics").GetAwaiter().GetResult());
            return scrape.Of("crm_kafka_consumer_lag").Count == partitions && scrape.Sum("crm_kafka_consumer_lag") == 0 &&
                   scrape.Sum("crm_stage_duration_seconds_count", "stage=\"commit_wait\"") == records.Count + malformed.Length &&
                   scrape.Of("crm_kafka_partition_state", "state=\"ok\"").All(s => s.Value == 1) &&
                   scrape.Sum("crm_sharding_entities") == 10 && scrape.Sum("crm_node_ready") == 1;
        }, Patience, () => scrape?.ToString() ?? "no scrape yet");

        var produced = records.Select(r => (Record: r, Type: EventType(r))).Concat(malformed.Select(r => (Record: r, Type: "malformed"))).ToList();
        foreach (var byTopic in produced.GroupBy(p => deployment.Topics.GetValueOrDefault(p.Record.Topic, p.Record.Topic)))
        {
            Assert.Equal(byTopic.Count(), scrape.Sum("crm_records_in_total", $"topic=\"{byTopic.Key}\""));
            foreach (var type in byTopic.GroupBy(p => p.Type))
                Assert.Equal(type.Count(), scrape.Sum("crm_records_in_total", $"topic=\"{byTopic.Key}\"", $"type=\"{type.Key}\""));
        }
        Assert.Equal(malformed.Length, scrape.Sum("crm_dead_letters_total"));
        foreach (var (reason, count) in stats.DeadLettersByReason)
            Assert.Equal(count, scrape.Of("crm_dead_letters_total").Where(s => s.Key.Contains($"reason=\"{reason.Split('\'')[0]}", StringComparison.Ordinal)).Sum(s => s.Value));
        Assert.Equal(braze.ObjectsAccepted, scrape.Sum("crm_braze_objects_total", "outcome=\"accepted\""));
        Assert.Equal(braze.SucceededRequests, scrape.Sum("crm_braze_requests_total", "status=\"accepted\""));
        Assert.Equal(braze.SucceededRequests, scrape.Sum("crm_braze_request_duration_seconds_count", "status=\"accepted\""));
        Assert.Equal(0, scrape.Sum("crm_braze_requests_total", "status=\"rate_limited\""));
        Assert.Equal(0, scrape.Sum("crm_braze_halted"));
        Assert.Equal(3000, scrape.Sum("crm_braze_rate_limit_limit")); // the local Braze's X-RateLimit-Limit
        Assert.InRange(scrape.Sum("crm_braze_rate_limit_remaining"), 0, 3000);
        Assert.Equal(1, scrape.Sum("crm_cluster_members", "status=\"up\""));
        Assert.Equal(1, scrape.Sum("crm_cluster_members"));
        Assert.Equal(0, scrape.Sum("crm_cluster_unreachable_members"));
        Assert.Contains(scrape.Of("crm_braze_request_duration_seconds_bucket"), s => s.Key.Contains("le=\"0.1\"", StringComparison.Ordinal));
        Assert.Equal(stats.Delivered, scrape.Sum("crm_event_to_braze_duration_seconds_count"));
        // Journal writes: each customer's accepted events go to its ledger (at least one write per customer), and trips
        // booked and closed persist; a write covers a batch, so never more than two per record.
        var customers = records.Select(r => r.Key).Distinct().Count();
        Assert.InRange(scrape.Sum("crm_journal_write_duration_seconds_count"), customers + 1, 2 * records.Count);
        AssertStages(scrape, deployment, customers, produced.Count);
        Assert.Equal(partitions, scrape.Of("crm_kafka_not_lagging_ratio").Count);
        Assert.All(scrape.Of("crm_kafka_not_lagging_ratio"), s => Assert.Equal(1.0, s.Value));
        Assert.Equal(partitions * 4, scrape.Of("crm_kafka_partition_state").Count); // one series per state
        foreach (var topic in deployment.Topics.Values)
        foreach (var (partition, end) in deployment.Kafka.EndOffsets(topic))
        {
            string[] labels = [$"group=\"{deployment.Group}\"", $"topic=\"{topic}\"", $"partition=\"{partition}\""];
            Assert.Equal(end, scrape.Sum("crm_kafka_consumer_committed_offset", labels));
            var evaluated = Assert.Single(scrape.Of("crm_kafka_partition_evaluated_seconds_total", labels)).Value;
            Assert.True(evaluated > 0, $"{topic}/{partition} evaluated {evaluated} s");
            Assert.InRange(Assert.Single(scrape.Of("crm_kafka_partition_lagging_seconds_total", labels)).Value, 0, evaluated);
        }
        Assert.Equal(4, scrape.Sum("crm_sharding_shards"));
        // One node: every event reached a local entity (at least once each; a re-asked record counts again).
        Assert.InRange(scrape.Sum("crm_entity_events_total", "origin=\"local\""), stats.Delivered, 2.0 * stats.Delivered);
        Assert.Equal(0, scrape.Sum("crm_entity_events_total", "origin=\"remote\""));
        Assert.Equal(1.0, scrape.Sum("crm_entity_local_ratio"));

        // A 429 counts as rate_limited, apart from the other transient failures.
        var rateLimited = 2;
        deployment.Braze.Override = _ => Interlocked.Decrement(ref rateLimited) >= 0 ? new BrazeReply(429, """{"message":"Rate limit exceeded"}""") : null;
        var more = deployment.ProduceCustomers(2, seed: 44);
        await PipelineDeployment.WaitUntil(() => stats.Delivered == records.Count + more.Count, Patience, () => $"delivered {stats.Delivered}");
        Assert.Equal(2, deployment.Braze.TooManyRequests);
        // The exporter answers from a scrape cached for 300 ms: read until the scrape is one taken after the 429s.
        await PipelineDeployment.WaitUntil(() =>
        {
            scrape = PrometheusScrape.Parse(http.GetStringAsync("metrics").GetAwaiter().GetResult());
            return scrape.Sum("crm_braze_requests_total", "status=\"rate_limited\"") == 2;
        }, Patience, () => scrape.ToString());
        Assert.Equal(0, scrape.Sum("crm_braze_requests_total", "status=\"transient\""));
    }

    [Fact]
    public async Task A_fresh_node_exports_its_counters_at_zero_before_any_record()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        await using var node = await deployment.StartHostAsync();
        using var http = new HttpClient { BaseAddress = node.ManagementUri() };

        // Nothing was produced: the first scrape already carries every counter whose labels are known in advance.
        var scrape = PrometheusScrape.Parse(await http.GetStringAsync("metrics"));
        Assert.Equal(0, node.Service<BrazeCounters>().Requests);
        Assert.Equal(CrmMetrics.BrazeStatus.All.Select(status => $"crm_braze_requests_total{{otel_scope_name=\"Crm.Actors\",status=\"{status}\"}}").Order(),
            scrape.Of("crm_braze_requests_total").Select(s => s.Key).Order());
        Assert.Equal(["accepted", "rejected"], scrape.Of("crm_braze_objects_total").Select(s => Label(s.Key, "outcome")).Order());
        var kinds = deployment.Topics.Values.SelectMany(topic => EventCatalog.Default.EventTypesOn(topic).Append("malformed").Append("unknown").Select(type => $"{topic}/{type}"));
        Assert.Equal(kinds.Order(), scrape.Of("crm_records_in_total").Select(s => $"{Label(s.Key, "topic")}/{Label(s.Key, "type")}").Order());
        Assert.All(scrape.Of("crm_braze_requests_total").Concat(scrape.Of("crm_braze_objects_total")).Concat(scrape.Of("crm_records_in_total")),
            s => Assert.Equal(0, s.Value));
        Assert.Equal(0, scrape.Sum("crm_braze_halted"));
        Assert.Single(scrape.Of("crm_node_ready"));
        Assert.Equal(0, scrape.Sum("crm_cluster_unreachable_members"));
        // OpenTelemetry creates a histogram's series with its first measurement; the node records none it did not measure.
        Assert.Empty(scrape.Of("crm_braze_request_duration_seconds_count"));
        Assert.Empty(scrape.Of("crm_journal_write_duration_seconds_count"));
        Assert.Empty(scrape.Of("crm_stage_duration_seconds_count"));
    }

    /// <summary>
    /// Every stage the run went through was measured where it happened: entities recovered, the catalog was asked, the
    /// journal written, deliveries queued at the gateway, Braze called, offsets committed. The permit wait is never
    /// recorded (not observable through Akka.NET's public API).
    /// </summary>
    private static void AssertStages(PrometheusScrape scrape, PipelineDeployment deployment, int customers, int records)
    {
        double Count(string stage) => scrape.Sum("crm_stage_duration_seconds_count", $"stage=\"{stage}\"");
        Assert.True(deployment.Catalog.Requests > 0, "the run asked the catalog"); // so the entities waited for it
        foreach (var stage in CrmMetrics.Stages.Except([CrmMetrics.Stage.RecoveryWait]))
        {
            Assert.True(Count(stage) > 0, $"{stage}: no sample\n{scrape}");
            Assert.True(scrape.Sum("crm_stage_duration_seconds_sum", $"stage=\"{stage}\"") > 0, $"{stage}: sum 0");
        }
        Assert.Empty(scrape.Of("crm_stage_duration_seconds_count", $"stage=\"{CrmMetrics.Stage.RecoveryWait}\""));
        Assert.True(Count(CrmMetrics.Stage.Recovery) >= customers, $"{Count(CrmMetrics.Stage.Recovery)} recoveries for {customers} customers");
        Assert.Equal(scrape.Sum("crm_journal_write_duration_seconds_count"), Count(CrmMetrics.Stage.JournalWrite));
        Assert.Equal(scrape.Sum("crm_braze_requests_total"), Count(CrmMetrics.Stage.Http));
        Assert.Equal(records, Count(CrmMetrics.Stage.CommitWait)); // once each: delivered, dead-lettered or skipped
    }

    [Fact]
    public async Task Readyz_turns_503_with_the_reason_while_braze_refuses_the_key()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        await using var node = await deployment.StartHostAsync();
        using var http = new HttpClient { BaseAddress = node.ManagementUri() };

        Assert.Equal("ok", await http.GetStringAsync("healthz"));
        await PipelineDeployment.WaitUntil(() => Readiness(http).Status == HttpStatusCode.OK, Patience, () => Readiness(http).ToString());
        Assert.Equal(new ReadinessView(true, []), Readiness(http).View, ReadinessComparer.Instance);

        deployment.Braze.ApiKey = "rotated-key";
        deployment.ProduceCustomers(2, seed: 43);
        await PipelineDeployment.WaitUntil(() => Readiness(http).Status == HttpStatusCode.ServiceUnavailable, Patience, () => Readiness(http).ToString());
        var reason = Assert.Single(Readiness(http).View.Reasons);
        Assert.StartsWith($"Braze halted: HTTP 401 from {deployment.Braze.BaseUrl}", reason); // names the endpoint to check
        Assert.EndsWith("nothing is being delivered", reason);
        Assert.DoesNotContain(PipelineDeployment.ApiKey, reason);
        Assert.Equal("ok", await http.GetStringAsync("healthz")); // alive all the same

        deployment.Braze.ApiKey = PipelineDeployment.ApiKey;
        await PipelineDeployment.WaitUntil(() => Readiness(http).Status == HttpStatusCode.OK, Patience, () => Readiness(http).ToString());
    }

    private static (HttpStatusCode Status, ReadinessView View) Readiness(HttpClient http)
    {
        using var response = http.GetAsync("readyz").GetAwaiter().GetResult();
        var view = JsonSerializer.Deserialize<ReadinessView>(response.Content.ReadAsStringAsync().GetAwaiter().GetResult(), Crm.Cli.Hosting.ManagementClient.Json)!;
        return (response.StatusCode, view);
    }

    /// <summary>The value of label <paramref name="name"/> in a series key such as <c>m{a="1",b="2"}</c>.</summary>
    private static string Label(string series, string name)
    {
        var start = series.IndexOf($"{name}=\"", StringComparison.Ordinal) + name.Length + 2;
        return series[start..series.IndexOf('"', start)];
    }

    /// <summary>The event type of a valid sample record.</summary>
    private static string EventType(SampleRecord record)
    {
        using var document = JsonDocument.Parse(record.Value);
        return document.RootElement.GetProperty("event_type").GetString()!;
    }

    private sealed class ReadinessComparer : IEqualityComparer<ReadinessView>
    {
        public static readonly ReadinessComparer Instance = new();

        public bool Equals(ReadinessView? x, ReadinessView? y) => x!.Ready == y!.Ready && x.Reasons.SequenceEqual(y.Reasons);

        public int GetHashCode(ReadinessView obj) => obj.Ready.GetHashCode();
    }
}
