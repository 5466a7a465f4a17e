using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Crm.Actors.Braze;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Operating;
using Crm.Actors.Tests.Support;
using Crm.Host.Configuration;
using Crm.Host.Demo;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Faults;

/// <summary>
/// Braze misbehaves while the whole service runs (mock Kafka over TCP, real HTTP, SQLite journal): rate limiting,
/// server errors, hanging requests, an unreachable endpoint, refused credentials, partial errors. Whatever happens,
/// every event ends up in Braze (or, when Braze rejects it, in the dead-letter topic) and every offset is committed.
/// </summary>
public sealed class BrazeFaultTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = FaultRecovery.Patience;

    [Fact]
    public async Task Bursts_of_429_with_no_budget_left_hold_sending_until_reset_and_lose_nothing()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(30, seed: 101);
        var budget = new FaultBudget(10);
        var limited = new ConcurrentQueue<(DateTimeOffset At, DateTimeOffset Reset)>();
        deployment.Braze.Override = _ =>
        {
            if (!budget.TryTake()) return null;
            var now = DateTimeOffset.UtcNow;
            var reset = now.ToUnixTimeSeconds() + 2; // 1 to 2 s from now, in whole epoch seconds as Braze sends it
            limited.Enqueue((now, DateTimeOffset.FromUnixTimeSeconds(reset)));
            return new BrazeReply(429, """{"message":"Rate limit exceeded"}""", Headers: new Dictionary<string, string>
            {
                ["X-RateLimit-Limit"] = "3000",
                ["X-RateLimit-Remaining"] = "0",
                ["X-RateLimit-Reset"] = reset.ToString(CultureInfo.InvariantCulture),
            });
        };

        await using var host = await deployment.StartHostAsync();
        var (count, deliveredAt, state) = await FaultRecovery.Recovered(deployment, host, produced, "Braze 429, Remaining 0, Reset in 1-2 s (first 10 requests)", budget);
        Assert.True(host.Service<BrazeCounters>().FailedRequests >= budget.Size, state());

        // "Wait until Reset when Remaining is 0": once a 429 reached the service (allowing for requests it had already
        // sent), nothing arrives before that answer's Reset.
        var arrivals = deployment.Braze.Log.Select(l => l.Request.At).ToList();
        foreach (var (at, reset) in limited)
        {
            var early = arrivals.Where(t => t > at + InFlightGrace && t < reset).ToList();
            Assert.True(early.Count == 0,
                $"429 at {at:HH:mm:ss.fff} said wait until {reset:HH:mm:ss}, yet requests came at {string.Join(", ", early.Select(t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)))}");
        }
    }

    /// <summary>Requests the service had sent before a 429 reached it may still arrive this much later.</summary>
    private static readonly TimeSpan InFlightGrace = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_streak_of_5xx_is_retried_with_backoff_and_loses_nothing()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(30, seed: 102);
        var budget = new FaultBudget(15);
        int[] statuses = [500, 502, 503];
        deployment.Braze.Override = _ => budget.TryTake(out var n) ? new BrazeReply(statuses[n % statuses.Length], """{"message":"internal error"}""") : null;

        await using var host = await deployment.StartHostAsync();
        var (count, deliveredAt, state) = await FaultRecovery.Recovered(deployment, host, produced, "Braze 500/502/503 (first 15 requests)", budget);
        Assert.True(host.Service<BrazeCounters>().FailedRequests >= budget.Size, state());
    }

    [Fact]
    public async Task Requests_hanging_past_the_client_timeout_are_given_up_and_retried()
    {
        var hang = TimeSpan.FromSeconds(10); // Braze:RequestTimeout is 2 s in the deployment
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(30, seed: 103);
        var budget = new FaultBudget(4);
        deployment.Braze.Override = _ => budget.TryTake() ? BrazeReply.Hang(hang) : null;

        await using var host = await deployment.StartHostAsync();
        var (count, deliveredAt, state) = await FaultRecovery.Recovered(deployment, host, produced, "Braze hangs 10 s past the 2 s timeout (first 4 requests)", budget);
        Assert.True(host.Service<BrazeCounters>().FailedRequests >= budget.Size, state());
        // The service gave up on the hung requests at its timeout: everything was delivered before the first hang ended.
        var took = Stopwatch.GetElapsedTime(budget.StartedAt, deliveredAt);
        Assert.True(took < hang, $"everything delivered {took.TotalSeconds:F1} s after the first hang began: the service waited for the hung answers");
    }

    [Fact]
    public async Task Braze_unreachable_for_a_while_then_back_on_the_same_port()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var braze = deployment.Braze;
        var port = braze.BaseUrl.Port;
        var early = deployment.ProduceCustomers(15, seed: 104, prefix: "early");

        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        var counters = host.Service<BrazeCounters>();
        var state = FaultRecovery.State(deployment, host);
        await PipelineDeployment.WaitUntil(() => !braze.Accepted.IsEmpty, Patience, state);

        await braze.StopAsync();
        var failedBefore = counters.FailedRequests;
        var late = deployment.ProduceCustomers(15, seed: 105, prefix: "late");
        var produced = early.Concat(late).ToList();
        // Records keep coming in while Braze refuses connections; the service tries again and again.
        await PipelineDeployment.WaitUntil(() => stats.RecordsIn >= produced.Count && counters.FailedRequests >= failedBefore + 8, Patience, state);
        var acceptedWhileDown = braze.Accepted.Count;
        await braze.StartAsync(port);
        var backAt = Stopwatch.GetTimestamp();

        await FaultRecovery.Recovered(deployment, host, produced, "Braze unreachable (connection refused), then back", faultEndedAt: backAt);
        Assert.True(braze.Accepted.Count > acceptedWhileDown, "nothing reached Braze after it came back");
    }

    [Fact]
    public async Task Refused_credentials_halt_sending_and_committing_until_the_key_works_again()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var braze = deployment.Braze;
        braze.ApiKey = "rotated-key-the-service-does-not-have";
        var produced = deployment.ProduceCustomers(20, seed: 106);

        await using var host = await deployment.StartHostAsync();
        var maxRequestsInFlight = host.Service<CrmConfiguration>().Braze.MaxRequestsInFlight; // the default
        var stats = host.Service<PipelineStats>();
        var counters = host.Service<BrazeCounters>();
        var state = FaultRecovery.State(deployment, host);
        // The most times one request was refused: after the first, each retry comes Braze:MaxBackoff (1 s) after the last.
        int RefusalRounds() => braze.Log.Where(l => l.Status == 401).GroupBy(l => l.Request.Body).Select(g => g.Count()).DefaultIfEmpty(0).Max();
        // Everything read, and a request refused four times: three rounds of backoff, each far longer than the commit interval.
        await PipelineDeployment.WaitUntil(() => stats.RecordsIn >= produced.Count && RefusalRounds() >= 4, Patience, state);

        foreach (var topic in deployment.Topics.Values)
            Assert.All(deployment.Kafka.CommittedOffsets(deployment.Group, topic), committed =>
                Assert.True(committed.Value < 0, $"{topic}[{committed.Key}] committed {committed.Value} while Braze refused every request"));
        Assert.Equal(0, stats.Delivered);
        Assert.Equal(0, counters.SucceededRequests);
        Assert.Equal(0, counters.ObjectsAccepted);
        Assert.Empty(braze.Accepted);
        // Sending halted: only the batches that met the refusal are retried, nothing new goes out.
        var refusedBodies = braze.Log.Where(l => l.Status == 401).Select(l => l.Request.Body).Distinct().Count();
        Assert.True(refusedBodies <= maxRequestsInFlight, $"{refusedBodies} different batches sent after the key was refused");

        braze.ApiKey = PipelineDeployment.ApiKey;
        var validAt = Stopwatch.GetTimestamp();
        await FaultRecovery.Recovered(deployment, host, produced, "Braze 401 (wrong key), then the key valid again", faultEndedAt: validAt);
    }

    [Fact]
    public async Task A_wrong_endpoint_path_halts_sending_and_committing_dead_letters_nothing_and_is_not_ready_until_it_answers()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var braze = deployment.Braze;
        braze.PathPrefix = "/eu"; // the node calls the root: every call is answered 404, as a wrong Braze:RestEndpoint is
        var produced = deployment.ProduceCustomers(20, seed: 107);

        await using var host = await deployment.StartHostAsync();
        using var http = new HttpClient { BaseAddress = host.ManagementUri() };
        var stats = host.Service<PipelineStats>();
        var state = FaultRecovery.State(deployment, host);
        int NotFound() => braze.Log.Count(l => l.Status == 404);
        await PipelineDeployment.WaitUntil(() => stats.RecordsIn >= produced.Count && NotFound() >= 3, Patience, state);

        // Halted, as for a refused key: nothing dead-lettered, nothing committed, not ready, and the reason names the endpoint.
        Assert.Equal(0, stats.DeadLettered);
        Assert.Empty(kafka.ReadAll(deployment.DeadLetterTopic));
        foreach (var topic in deployment.Topics.Values)
            Assert.All(deployment.Kafka.CommittedOffsets(deployment.Group, topic), committed =>
                Assert.True(committed.Value < 0, $"{topic}[{committed.Key}] committed {committed.Value} while every call was answered 404"));
        using (var readiness = await http.GetAsync("readyz"))
        {
            Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, readiness.StatusCode);
            Assert.Contains(braze.BaseUrl.Authority, await readiness.Content.ReadAsStringAsync());
        }

        braze.PathPrefix = "";
        var fixedAt = Stopwatch.GetTimestamp();
        await FaultRecovery.Recovered(deployment, host, produced, "Braze 404 (wrong endpoint path), then the path served", faultEndedAt: fixedAt);
        Assert.Empty(kafka.ReadAll(deployment.DeadLetterTopic));
    }

    private const int PartialErrors = 8;

    [Fact]
    public async Task Objects_a_201_lists_under_errors_and_only_those_go_to_the_dead_letter_topic()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(30, seed: 107);
        var topicOf = produced.Where(r => DeliveryAudit.Expected(r) is not null).ToDictionary(r => DeliveryAudit.Expected(r)!, r => deployment.Topics[r.Topic]);
        // Every third request carrying events, until 8 were refused: Braze refuses its first event (events[0]) and accepts the rest.
        var rejectedRequests = new ConcurrentDictionary<BrazeRequest, (string Json, string Type)>(ReferenceEqualityComparer.Instance);
        var withEvents = 0;
        long lastRejectionAt = 0;
        deployment.Braze.Override = request =>
        {
            if (request.Path != "/users/track" || request.Authorization != "Bearer " + PipelineDeployment.ApiKey) return null;
            if (!request.Json.TryGetProperty("events", out var events) || events.GetArrayLength() == 0) return null;
            var n = Interlocked.Increment(ref withEvents);
            if (n % 3 != 0 || n > 3 * PartialErrors) return null;
            var type = $"'time' must be an ISO 8601 string (test rejection {n})";
            rejectedRequests[request] = (events[0].GetRawText(), type);
            Volatile.Write(ref lastRejectionAt, Stopwatch.GetTimestamp());
            var body = JsonSerializer.Serialize(new { message = "success", errors = new[] { new { type, input_array = "events", index = 0 } } });
            return new BrazeReply(201, body);
        };

        await using var host = await deployment.StartHostAsync();
        var stats = host.Service<PipelineStats>();
        // What Braze really accepted: every event of a 2xx answer but those listed under errors.
        List<JsonElement> AcceptedEvents() => deployment.Braze.Accepted
            .Where(r => r.Path == "/users/track" && r.Json.TryGetProperty("events", out _))
            .SelectMany(r => r.Json.GetProperty("events").EnumerateArray().Skip(rejectedRequests.ContainsKey(r) ? 1 : 0))
            .ToList();
        DeliveryCount Count() => DeliveryAudit.Count(produced, AcceptedEvents());
        var deliveredAt = await FaultRecovery.AwaitDeliveredAndCommitted(deployment, host,
            () => stats.RecordsIn == produced.Count && Count() is var c && c.Delivered + rejectedRequests.Count == c.Sent,
            () => $"{Count()}, {rejectedRequests.Count} rejected");

        var count = Count();
        var rejected = rejectedRequests.Values.ToList();
        Assert.Equal(PartialErrors, rejected.Count);
        FaultReport.Write($"Braze 201 with partial errors (every 3rd request, {rejected.Count} events rejected and dead-lettered)",
            count with { Lost = count.Sent - count.Delivered - rejected.Count }, Stopwatch.GetElapsedTime(Volatile.Read(ref lastRejectionAt), deliveredAt));
        Assert.Equal(count.Sent, count.Delivered + rejected.Count);
        Assert.Equal(0, count.Duplicates);

        // Rejected and delivered events are disjoint, and together they are every event sent.
        var rejectedKeys = rejected.Select(r => { using var d = JsonDocument.Parse(r.Json); return DeliveryAudit.EventKey(d.RootElement); }).ToHashSet();
        Assert.Equal(rejected.Count, rejectedKeys.Count);
        Assert.True(rejectedKeys.All(topicOf.ContainsKey), "a rejected object is not an event that was produced");
        var deliveredKeys = AcceptedEvents().Select(DeliveryAudit.EventKey).ToHashSet();
        Assert.Empty(deliveredKeys.Intersect(rejectedKeys));
        Assert.Empty(topicOf.Keys.Except(deliveredKeys.Union(rejectedKeys)));

        // The dead-letter topic holds exactly the rejected objects, as sent, with Braze's reason and their source record.
        var letters = deployment.Kafka.ReadAll(deployment.DeadLetterTopic);
        Assert.Equal(rejected.Count, letters.Count);
        foreach (var (json, type) in rejected)
        {
            var letter = Assert.Single(letters, l => Encoding.UTF8.GetString(l.Message.Value ?? []) == json);
            Assert.Equal(type, letter.Message.Headers.Text("crm-error"));
            using var rejectedEvent = JsonDocument.Parse(json);
            Assert.Equal(rejectedEvent.RootElement.GetProperty("external_id").GetString(), Encoding.UTF8.GetString(letter.Message.Key!));
            Assert.Equal(topicOf[DeliveryAudit.EventKey(rejectedEvent.RootElement)], letter.Message.Headers.Text("crm-source-topic"));
            Assert.NotNull(letter.Message.Headers.Text("crm-source-partition"));
            Assert.NotNull(letter.Message.Headers.Text("crm-source-offset"));
        }
    }
}
