using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Akka.Actor;
using Akka.TestKit;
using Crm.Actors.Braze;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Kafka;
using Crm.Actors.Tests.Support;
using Crm.Host.Local;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Actors.Tests.Braze;

/// <summary>
/// The Braze gateway with real parts: the real <see cref="BrazeApi"/> over HTTP against <see cref="LocalBraze"/> on
/// 127.0.0.1, and the real <see cref="KafkaDeadLetters"/> writing to a dead-letter topic of the mock Kafka cluster.
/// </summary>
public sealed class BrazeGatewayTests : Akka.TestKit.Xunit.TestKit, IClassFixture<KafkaTestCluster>
{
    private const string ApiKey = "test-api-key";
    private const string SourceTopic = "crm.customer-events";
    private const string Success = """{"message":"success"}""";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);
    private readonly KafkaTestCluster _kafka;
    private long _nextOffset;

    public BrazeGatewayTests(KafkaTestCluster kafka, ITestOutputHelper output) : base("akka.loglevel = INFO", output)
    {
        _kafka = kafka;
    }

    [Fact]
    public async Task Requests_never_carry_more_than_the_object_limit_and_every_object_goes_once()
    {
        await using var rig = await StartAsync();
        // Every answer takes a moment, so the queue fills up behind the first requests and batches get packed.
        rig.Braze.Override = _ => new BrazeReply(201, Success, TimeSpan.FromMilliseconds(150));

        var sent = Enumerable.Range(0, 200).Select(i => Deliver($"evt-{i}", Event($"cus_{i}", $"e{i}"))).ToList();
        foreach (var deliver in sent) rig.Gateway.Tell(deliver);

        Assert.Equal(sent.Select(d => d.EventId).Order(), (await ExpectDeliveredAsync(rig, 200)).Order());
        var sizes = rig.Braze.Log.Where(l => l.Request.Path == "/users/track").Select(l => ObjectCount(l.Request)).ToList();
        Assert.All(sizes, size => Assert.InRange(size, 1, 75));
        Assert.Equal(75, sizes.Max()); // the limit was reached, so it was what kept requests small
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"e{i}").Order(), rig.Braze.AcceptedObjects().Select(o => Name(o.Object)).Order());
        Assert.Equal(0, rig.Counters.ObjectsRejected);
    }

    [Fact]
    public async Task Sends_no_faster_than_the_configured_rate()
    {
        var braze = await LocalBraze.StartAsync(ApiKey, requestsPerWindow: 6, window: TimeSpan.FromSeconds(1));
        await using var rig = await StartAsync(s => s with { RequestsPerWindow = 5, Window = TimeSpan.FromSeconds(1), MaxObjectsPerRequest = 1 }, braze);

        for (var i = 0; i < 20; i++) rig.Gateway.Tell(Deliver($"evt-{i}", Event($"cus_{i}", $"e{i}")));

        Assert.Equal(20, (await ExpectDeliveredAsync(rig, 20)).Distinct().Count());
        Assert.Equal(0, braze.TooManyRequests);
        var times = braze.Log.Select(l => l.Request.At).Order().ToList();
        Assert.Equal(20, times.Count);
        // 20 requests at 5 per second: the first 5 go at once, the last 5 no earlier than 3 s later.
        Assert.True(times[^1] - times[0] >= TimeSpan.FromSeconds(2.5), $"20 requests went out within {(times[^1] - times[0]).TotalMilliseconds} ms");
    }

    [Fact]
    public async Task A_429_with_remaining_0_holds_every_request_until_reset()
    {
        await using var rig = await StartAsync();
        long resetSeconds = 0;
        var calls = 0;
        rig.Braze.Override = _ =>
        {
            if (Interlocked.Increment(ref calls) != 1) return null;
            resetSeconds = DateTimeOffset.UtcNow.AddSeconds(2).ToUnixTimeSeconds();
            return new BrazeReply(429, """{"message":"Rate limit exceeded"}""", Headers: new Dictionary<string, string>
            {
                ["X-RateLimit-Limit"] = "100",
                ["X-RateLimit-Remaining"] = "0",
                ["X-RateLimit-Reset"] = resetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
        };

        rig.Gateway.Tell(Deliver("evt-1", Event("cus_1", "e1a"), Event("cus_1", "e1b")));
        // Once the gateway has seen the exhausted budget, new work must wait for Reset too.
        await AwaitAssertAsync(async () => Assert.Equal(0, (await StatusAsync(rig)).LastRateLimit?.Remaining), Patience, Poll);
        rig.Gateway.Tell(Deliver("evt-2", Event("cus_2", "e2")));
        rig.Gateway.Tell(Deliver("evt-3", Event("cus_3", "e3")));

        Assert.Equal(["evt-1", "evt-2", "evt-3"], (await ExpectDeliveredAsync(rig, 3)).Order());
        var reset = DateTimeOffset.FromUnixTimeSeconds(Volatile.Read(ref resetSeconds));
        var log = rig.Braze.Log.ToList();
        Assert.Equal(429, log[0].Status);
        var retry = Assert.Single(log, l => l.Request.Body == log[0].Request.Body && l.Status == 201);
        Assert.True(retry.Request.At >= reset - TimeSpan.FromMilliseconds(50), $"retried at {retry.Request.At:O}, before Reset {reset:O}");
        Assert.All(log.Skip(1), l => Assert.True(l.Request.At >= reset - TimeSpan.FromMilliseconds(50), $"a request went at {l.Request.At:O}, before Reset {reset:O}"));
        Assert.Equal(["e1a", "e1b", "e2", "e3"], rig.Braze.AcceptedObjects().Select(o => Name(o.Object)).Order());
    }

    [Fact]
    public async Task A_5xx_streak_retries_the_same_batch_until_it_is_accepted()
    {
        await using var rig = await StartAsync();
        int[] failures = [500, 502, 503];
        var calls = 0;
        rig.Braze.Override = _ =>
        {
            var call = Interlocked.Increment(ref calls);
            return call <= failures.Length ? new BrazeReply(failures[call - 1], """{"message":"internal error"}""") : null;
        };

        rig.Gateway.Tell(Deliver("evt-1", Event("cus_1", "e1"), Event("cus_1", "e2")));

        Assert.Equal("evt-1", (await ExpectDeliveredAsync(rig, 1))[0]);
        var log = rig.Braze.Log.ToList();
        Assert.Equal([500, 502, 503, 201], log.Select(l => l.Status));
        Assert.All(log, l => Assert.Equal(log[0].Request.Body, l.Request.Body));
        Assert.Equal(["e1", "e2"], rig.Braze.AcceptedObjects().Select(o => Name(o.Object)));
        Assert.Equal(3, rig.Counters.FailedRequests);
        Assert.Equal(1, rig.Counters.SucceededRequests);
        Assert.Equal(2, rig.Counters.ObjectsAccepted);
    }

    [Fact]
    public async Task A_request_that_hangs_past_the_timeout_is_retried()
    {
        await using var rig = await StartAsync();
        var calls = 0;
        rig.Braze.Override = _ => Interlocked.Increment(ref calls) == 1 ? BrazeReply.Hang(TimeSpan.FromSeconds(30)) : null;

        rig.Gateway.Tell(Deliver("evt-1", Event("cus_1", "e1")));

        Assert.Equal("evt-1", (await ExpectDeliveredAsync(rig, 1))[0]);
        var log = rig.Braze.Log.ToList();
        Assert.Equal(2, log.Count);
        Assert.Equal(log[0].Request.Body, log[1].Request.Body);
        Assert.Equal(["e1"], rig.Braze.AcceptedObjects().Select(o => Name(o.Object)));
        Assert.Equal(1, rig.Counters.FailedRequests);
    }

    [Fact]
    public async Task A_failed_batch_is_retried_while_a_lower_worker_sits_idle()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 2 });
        var slow = TimeSpan.FromMilliseconds(300);
        var hung = 0;
        rig.Braze.Override = request =>
        {
            var names = EventNames(request);
            if (names.Contains("e1") && Interlocked.Exchange(ref hung, 1) == 0) return BrazeReply.Hang(TimeSpan.FromSeconds(30));
            return names.Any(n => n.StartsWith("slow", StringComparison.Ordinal)) ? new BrazeReply(201, Success, slow) : null;
        };

        // Both workers are up: two slow requests that overlap at Braze were on different workers. Once both are
        // done, both workers are idle, and the lowest one takes the next batch.
        rig.Gateway.Tell(Deliver("evt-slow-1", Event("cus_w1", "slow-1")));
        await AwaitAssertAsync(() => Assert.Single(rig.Braze.Log), Patience, Poll);
        rig.Gateway.Tell(Deliver("evt-slow-2", Event("cus_w2", "slow-2")));
        await AwaitAssertAsync(() => Assert.Equal(2, rig.Braze.Log.Count), Patience, Poll);
        var warmUp = rig.Braze.Log.Select(l => l.Request.At).ToList();
        Assert.True(warmUp[1] < warmUp[0] + slow, "premise: the two warm-up requests should have been in flight together");
        Assert.Equal(["evt-slow-1", "evt-slow-2"], (await ExpectDeliveredAsync(rig, 2)).Order());

        // The lowest worker takes a slow request; the other one the request that hangs past the timeout. By the
        // time that worker is back from its backoff, the lowest worker is idle and nothing is queued.
        rig.Gateway.Tell(Deliver("evt-slow-3", Event("cus_w3", "slow-3")));
        await AwaitAssertAsync(() => Assert.Equal(3, rig.Braze.Log.Count), Patience, Poll);
        rig.Gateway.Tell(Deliver("evt-1", Event("cus_1", "e1")));

        Assert.Equal(["evt-1", "evt-slow-3"], (await ExpectDeliveredAsync(rig, 2)).Order());
        Assert.Equal(2, rig.Braze.Log.Count(l => EventNames(l.Request).Contains("e1"))); // the hung one and its retry
        Assert.Single(rig.Braze.AcceptedObjects(), o => Name(o.Object) == "e1");
    }

    [Fact]
    public async Task Nothing_is_lost_while_Braze_is_unreachable()
    {
        var braze = await LocalBraze.StartAsync(ApiKey);
        var port = braze.BaseUrl.Port;
        await braze.StopAsync();
        await using var rig = await StartAsync(braze: braze);

        // Records arrive one after another: each meets a refused connection, so several batches wait in retry.
        for (var i = 1; i <= 4; i++)
        {
            rig.Gateway.Tell(Deliver($"evt-{i}", Event($"cus_{i}", $"e{i}")));
            var expected = i;
            await AwaitAssertAsync(() => Assert.True(rig.Counters.FailedRequests >= expected), Patience, Poll);
        }
        await ExpectNoMsgAsync(TimeSpan.FromSeconds(1));

        await braze.StartAsync(port);

        Assert.Equal(["evt-1", "evt-2", "evt-3", "evt-4"], (await ExpectDeliveredAsync(rig, 4)).Order());
        Assert.Equal(["e1", "e2", "e3", "e4"], braze.AcceptedObjects().Select(o => Name(o.Object)).Order());
    }

    [Fact]
    public async Task Objects_Braze_rejects_in_a_201_are_dead_lettered_and_the_rest_accepted()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 1 });
        rig.Braze.Override = HangFirstRequestOf("blocker", then: request => ObjectCount(request) == 3
            ? new BrazeReply(201, """{"message":"success","errors":[{"type":"'external_id' is required","input_array":"events","index":1}]}""")
            : null);
        rig.Gateway.Tell(Deliver("evt-0", Event("cus_0", "blocker")));
        await AwaitAssertAsync(() => Assert.Single(rig.Braze.Log), Patience, Poll);

        // While the only worker is stuck, three deliveries queue up and then go as one request.
        var deliveries = new[] { Deliver("evt-1", Event("cus_1", "e1")), Deliver("evt-2", Event("cus_2", "e2")), Deliver("evt-3", Event("cus_3", "e3")) };
        foreach (var deliver in deliveries) rig.Gateway.Tell(deliver);

        Assert.Equal(["evt-0", "evt-1", "evt-2", "evt-3"], (await ExpectDeliveredAsync(rig, 4)).Order());
        var batch = Assert.Single(rig.Braze.Log, l => ObjectCount(l.Request) == 3);
        Assert.Equal(["e1", "e2", "e3"], EventNames(batch.Request));

        var letter = Assert.Single(_kafka.ReadAll(rig.DeadLetterTopic));
        var rejected = deliveries[1];
        Assert.Equal(Encoding.UTF8.GetBytes(rejected.Objects[0].Json), letter.Message.Value);
        Assert.Equal("cus_2", Encoding.UTF8.GetString(letter.Message.Key!));
        AssertDeadLetterHeaders(letter.Message.Headers, "'external_id' is required", rejected.Source!);
        Assert.Equal(3, rig.Counters.ObjectsAccepted); // the blocker, e1 and e3
        Assert.Equal(1, rig.Counters.ObjectsRejected);
    }

    [Fact]
    public async Task A_400_for_the_whole_request_dead_letters_every_object_of_it()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 1 });
        rig.Braze.Override = HangFirstRequestOf("blocker", then: request => ObjectCount(request) == 3
            ? new BrazeReply(400, """{"message":"Invalid request: bad payload"}""")
            : null);
        rig.Gateway.Tell(Deliver("evt-0", Event("cus_0", "blocker")));
        await AwaitAssertAsync(() => Assert.Single(rig.Braze.Log), Patience, Poll);

        var first = Deliver("evt-1", Event("cus_1", "e1"));
        var second = Deliver("evt-2", Event("cus_2", "e2a"), Event("cus_2", "e2b"));
        rig.Gateway.Tell(first);
        rig.Gateway.Tell(second);

        Assert.Equal(["evt-0", "evt-1", "evt-2"], (await ExpectDeliveredAsync(rig, 3)).Order());
        Assert.Single(rig.Braze.Log, l => l.Status == 400); // refused for good: not retried

        var letters = _kafka.ReadAll(rig.DeadLetterTopic);
        Assert.Equal(3, letters.Count);
        var expected = new[] { (first, 0), (second, 0), (second, 1) }
            .ToDictionary(x => x.Item1.Objects[x.Item2].Json, x => x.Item1.Source!);
        foreach (var letter in letters)
        {
            var json = Encoding.UTF8.GetString(letter.Message.Value ?? []);
            Assert.True(expected.Remove(json, out var source), $"unexpected dead letter {json}");
            var reason = letter.Message.Headers.Text("crm-error");
            Assert.NotNull(reason);
            Assert.Contains("400", reason);
            Assert.Contains("Invalid request: bad payload", reason);
            AssertDeadLetterHeaders(letter.Message.Headers, reason, source);
        }
        Assert.Empty(expected);
        Assert.Equal(3, rig.Counters.ObjectsRejected);
    }

    [Fact]
    public async Task Refused_credentials_halt_sending_until_the_key_is_right_and_nothing_is_dead_lettered()
    {
        await using var rig = await StartAsync();
        rig.Braze.ApiKey = "rotated-key";

        for (var i = 1; i <= 3; i++) rig.Gateway.Tell(Deliver($"evt-{i}", Event($"cus_{i}", $"e{i}")));
        await AwaitAssertAsync(async () => Assert.True((await StatusAsync(rig)).Halted), Patience, Poll);
        // Sending halts: what arrives now is kept, not sent.
        for (var i = 4; i <= 5; i++) rig.Gateway.Tell(Deliver($"evt-{i}", Event($"cus_{i}", $"e{i}")));
        await ExpectNoMsgAsync(TimeSpan.FromSeconds(1));
        Assert.True((await StatusAsync(rig)).Halted);
        Assert.All(rig.Braze.Log, l => Assert.Equal(401, l.Status));
        Assert.DoesNotContain(rig.Braze.Log, l => EventNames(l.Request).Intersect(["e4", "e5"]).Any());
        var refused = rig.Braze.Log.Count;

        rig.Braze.ApiKey = ApiKey;

        Assert.Equal(["evt-1", "evt-2", "evt-3", "evt-4", "evt-5"], (await ExpectDeliveredAsync(rig, 5)).Order());
        Assert.True(rig.Braze.Log.Count > refused);
        Assert.False((await StatusAsync(rig)).Halted);
        Assert.Equal(["e1", "e2", "e3", "e4", "e5"], rig.Braze.AcceptedObjects().Select(o => Name(o.Object)).Order());
        Assert.Empty(_kafka.ReadAll(rig.DeadLetterTopic));
        Assert.Equal(0, rig.Counters.ObjectsRejected);
    }

    [Fact]
    public async Task Each_customer_s_objects_reach_Braze_in_order_with_several_requests_in_flight()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 4, MaxObjectsPerRequest = 2 });
        rig.Braze.Override = _ => new BrazeReply(201, Success, TimeSpan.FromMilliseconds(Random.Shared.Next(0, 51)));
        string[] customers = ["cus_a", "cus_b", "cus_c"];

        for (var seq = 0; seq < 20; seq++)
            foreach (var customer in customers)
                rig.Gateway.Tell(Deliver($"evt-{customer}-{seq}", Event(customer, $"{customer}-{seq:00}")));

        Assert.Equal(60, (await ExpectDeliveredAsync(rig, 60)).Distinct().Count());
        var accepted = rig.Braze.AcceptedObjects().Select(o => (Customer: o.Object.GetProperty("external_id").GetString()!, Name: Name(o.Object))).ToList();
        Assert.Equal(60, accepted.Count);
        foreach (var customer in customers)
            Assert.Equal(Enumerable.Range(0, 20).Select(seq => $"{customer}-{seq:00}"), accepted.Where(a => a.Customer == customer).Select(a => a.Name));
    }

    [Fact]
    public async Task A_delivery_queued_twice_is_sent_once_and_both_askers_hear_back()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 1 });
        rig.Braze.Override = HangFirstRequestOf("blocker");
        rig.Gateway.Tell(Deliver("evt-0", Event("cus_0", "blocker")));
        await AwaitAssertAsync(() => Assert.Single(rig.Braze.Log), Patience, Poll);

        var other = CreateTestProbe();
        var deliver = Deliver("evt-1", Event("cus_1", "e1"));
        rig.Gateway.Tell(deliver);
        rig.Gateway.Tell(deliver with { ReplyTo = other.Ref });

        Assert.Equal(["evt-0", "evt-1"], (await ExpectDeliveredAsync(rig, 2)).Order());
        Assert.Equal("evt-1", (await ExpectDeliveredAsync(rig, 1, other))[0]);
        Assert.Single(rig.Braze.Log, l => EventNames(l.Request).Contains("e1"));
        Assert.Equal(["blocker", "e1"], rig.Braze.AcceptedObjects().Select(o => Name(o.Object)).Order());
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(300));
        await other.ExpectNoMsgAsync(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task A_user_delete_goes_to_users_delete()
    {
        await using var rig = await StartAsync();

        rig.Gateway.Tell(Deliver("evt-del", new MarketingObject(MarketingObjectKind.UserDelete, "cus_9", "\"cus_9\"")));

        Assert.Equal("evt-del", (await ExpectDeliveredAsync(rig, 1))[0]);
        var request = Assert.Single(rig.Braze.Accepted);
        Assert.Equal("/users/delete", request.Path);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"external_ids":["cus_9"]}"""), JsonNode.Parse(request.Body)), request.Body);
        Assert.Equal(["cus_9"], rig.Braze.DeletedExternalIds());
    }

    [Fact]
    public async Task A_wrong_endpoint_path_halts_sending_retries_at_the_longest_backoff_and_dead_letters_nothing()
    {
        var braze = await LocalBraze.StartAsync(ApiKey);
        // The API is served under /eu (as a regional endpoint would be); the service is pointed at the root: 404 to every call.
        braze.PathPrefix = "/eu";
        await using var rig = await StartAsync(braze: braze);

        for (var i = 1; i <= 3; i++) rig.Gateway.Tell(Deliver($"evt-{i}", Event($"cus_{i}", $"e{i}")));
        await AwaitAssertAsync(async () => Assert.True((await StatusAsync(rig)).Halted), Patience, Poll);
        var status = await StatusAsync(rig);
        Assert.Equal($"HTTP 404 from {braze.BaseUrl.ToString().TrimEnd('/')}/users/track: no Braze REST API at this address (check Braze:RestEndpoint)",
            status.HaltReason);
        // Halted: what arrives now is kept, not sent; the refused batches are tried again, each no sooner than MaxBackoff (1 s) later.
        for (var i = 4; i <= 5; i++) rig.Gateway.Tell(Deliver($"evt-{i}", Event($"cus_{i}", $"e{i}")));
        await AwaitAssertAsync(() => Assert.Contains(rig.Braze.Log.GroupBy(l => l.Request.Body), g => g.Count() >= 3), Patience, Poll);
        await ExpectNoMsgAsync(TimeSpan.FromMilliseconds(200));
        Assert.All(rig.Braze.Log, l => Assert.Equal(404, l.Status));
        Assert.DoesNotContain(rig.Braze.Log, l => EventNames(l.Request).Intersect(["e4", "e5"]).Any());
        foreach (var tries in rig.Braze.Log.GroupBy(l => l.Request.Body).Select(g => g.Select(l => l.Request.At).Order().ToList()))
            for (var n = 2; n < tries.Count; n++) // the first retry may come at the worker's own backoff, if it was in flight when the halt began
                Assert.True(tries[n] - tries[n - 1] >= TimeSpan.FromSeconds(1) - ClockSlack,
                    $"tried again {(tries[n] - tries[n - 1]).TotalMilliseconds} ms after the last 404");

        braze.PathPrefix = "";

        Assert.Equal(["evt-1", "evt-2", "evt-3", "evt-4", "evt-5"], (await ExpectDeliveredAsync(rig, 5)).Order());
        Assert.False((await StatusAsync(rig)).Halted);
        Assert.Empty(_kafka.ReadAll(rig.DeadLetterTopic));
        Assert.Equal(0, rig.Counters.ObjectsRejected);
    }

    /// <summary>Timestamps of two requests are taken on different threads: allow for the clock's granularity.</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(20);

    [Fact]
    public async Task A_413_sends_the_batch_again_in_halves_until_each_fits_keeping_order_and_dead_letters_nothing()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 1 });
        rig.Braze.MaxBodyBytes = 1_000; // a proxy's limit, say: 30 of our events (2 KB) need four requests
        rig.Braze.Override = HangFirstRequestOf("blocker");
        rig.Gateway.Tell(Deliver("evt-0", Event("cus_0", "blocker")));
        await AwaitAssertAsync(() => Assert.Single(rig.Braze.Log), Patience, Poll);
        string[] customers = ["cus_a", "cus_b", "cus_c"];
        for (var seq = 0; seq < 10; seq++)
            foreach (var customer in customers)
                rig.Gateway.Tell(Deliver($"evt-{customer}-{seq}", Event(customer, $"{customer}-{seq:00}")));

        Assert.Equal(31, (await ExpectDeliveredAsync(rig, 31)).Distinct().Count());
        Assert.Contains(rig.Braze.Log, l => l.Status == 413 && ObjectCount(l.Request) == 30);
        Assert.All(rig.Braze.Accepted, r => Assert.True(Encoding.UTF8.GetByteCount(r.Body) <= 1_000, $"accepted a body of {r.Body.Length} bytes"));
        var accepted = rig.Braze.AcceptedObjects().Select(o => (Customer: o.Object.GetProperty("external_id").GetString()!, Name: Name(o.Object))).ToList();
        Assert.Equal(31, accepted.Count);
        foreach (var customer in customers)
            Assert.Equal(Enumerable.Range(0, 10).Select(seq => $"{customer}-{seq:00}"), accepted.Where(a => a.Customer == customer).Select(a => a.Name));
        Assert.Empty(_kafka.ReadAll(rig.DeadLetterTopic));
        Assert.Equal(0, rig.Counters.ObjectsRejected);
        Assert.False((await StatusAsync(rig)).Halted);
    }

    [Fact]
    public async Task A_413_for_a_single_object_halts_and_dead_letters_nothing()
    {
        await using var rig = await StartAsync();
        rig.Braze.MaxBodyBytes = 50; // smaller than any one object: no split can help, something in front of Braze is wrong

        rig.Gateway.Tell(Deliver("evt-1", Event("cus_1", "e1")));

        await AwaitAssertAsync(async () => Assert.True((await StatusAsync(rig)).Halted), Patience, Poll);
        Assert.Contains("HTTP 413", (await StatusAsync(rig)).HaltReason);
        Assert.Contains("single object", (await StatusAsync(rig)).HaltReason);
        rig.Braze.MaxBodyBytes = BrazeLimits.MaxRequestBytes;
        Assert.Equal("evt-1", (await ExpectDeliveredAsync(rig, 1))[0]);
        Assert.Empty(_kafka.ReadAll(rig.DeadLetterTopic));
    }

    [Fact]
    public async Task Objects_of_nearly_100_KB_go_in_requests_under_4_MB_and_none_is_refused()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 1, RequestTimeout = TimeSpan.FromSeconds(5) });
        // The first request is answered late, so that everything below is queued by the time the next one is planned.
        rig.Braze.Override = request => EventNames(request).Contains("blocker") ? new BrazeReply(201, Success, TimeSpan.FromMilliseconds(300)) : null;
        rig.Gateway.Tell(Deliver("evt-0", Event("cus_0", "blocker")));
        await AwaitAssertAsync(() => Assert.Single(rig.Braze.Log), Patience, Poll);
        // 75 objects of 99 KB: 7.4 MB if they went in one request of Braze's 75.
        var pad = new string('x', 99_000);
        for (var i = 1; i <= 75; i++)
            rig.Gateway.Tell(Deliver($"evt-{i}", new MarketingObject(MarketingObjectKind.Event, $"cus_{i}",
                $$$"""{"external_id":"cus_{{{i}}}","name":"e{{{i}}}","time":"2026-11-26T09:00:00Z","properties":{"pad":"{{{pad}}}"}}""")));

        Assert.Equal(76, (await ExpectDeliveredAsync(rig, 76)).Distinct().Count());
        Assert.DoesNotContain(rig.Braze.Log, l => l.Status == 413);
        Assert.All(rig.Braze.Accepted, r => Assert.True(Encoding.UTF8.GetByteCount(r.Body) <= BrazeLimits.MaxRequestBytes, $"a body of {r.Body.Length} bytes"));
        Assert.True(rig.Braze.Accepted.Max(ObjectCount) >= 40, "requests were not filled up to the bytes");
    }

    [Fact]
    public async Task Deletes_have_a_rate_limit_of_their_own_and_go_while_track_requests_wait_for_theirs()
    {
        // Two track requests and one delete request per 5 s, one object per request.
        await using var rig = await StartAsync(s => s with
        {
            RequestsPerWindow = 2, Window = TimeSpan.FromSeconds(5), DeleteRequestsPerWindow = 1, DeleteWindow = TimeSpan.FromSeconds(5),
            MaxObjectsPerRequest = 1,
        });

        for (var i = 1; i <= 3; i++) rig.Gateway.Tell(Deliver($"evt-t{i}", Event($"cus_t{i}", $"t{i}")));
        for (var i = 1; i <= 2; i++) rig.Gateway.Tell(Deliver($"evt-d{i}", UserDelete($"cus_d{i}")));

        // The first delete does not wait behind the third track request, nor the tracks behind the second delete.
        Assert.Equal(["evt-d1", "evt-t1", "evt-t2"], (await ExpectDeliveredAsync(rig, 3)).Order());
        Assert.Equal(2, rig.Braze.Log.Count(l => l.Request.Path == "/users/track"));
        Assert.Equal(1, rig.Braze.Log.Count(l => l.Request.Path == "/users/delete"));
        Assert.Equal(["evt-d2", "evt-t3"], (await ExpectDeliveredAsync(rig, 2)).Order());
    }

    [Fact]
    public async Task Deletes_go_at_most_50_ids_a_request()
    {
        await using var rig = await StartAsync(s => s with { MaxRequestsInFlight = 1 });
        rig.Braze.Override = HangFirstRequestOf("blocker");
        rig.Gateway.Tell(Deliver("evt-0", Event("cus_0", "blocker")));
        await AwaitAssertAsync(() => Assert.Single(rig.Braze.Log), Patience, Poll);

        for (var i = 0; i < 120; i++) rig.Gateway.Tell(Deliver($"evt-d{i}", UserDelete($"cus_d{i}")));

        Assert.Equal(121, (await ExpectDeliveredAsync(rig, 121)).Distinct().Count());
        var deletes = rig.Braze.Accepted.Where(r => r.Path == "/users/delete").Select(r => r.Json.GetProperty("external_ids").GetArrayLength()).ToList();
        Assert.Equal([50, 50, 20], deletes);
        Assert.Equal(Enumerable.Range(0, 120).Select(i => $"cus_d{i}"), rig.Braze.DeletedExternalIds());
    }

    // ---- helpers ----

    private async Task<Rig> StartAsync(Func<BrazeSettings, BrazeSettings>? configure = null, LocalBraze? braze = null)
    {
        braze ??= await LocalBraze.StartAsync(ApiKey);
        var settings = new BrazeSettings(
            braze.BaseUrl, ApiKey, RequestsPerWindow: 1000, Window: TimeSpan.FromSeconds(1), MaxObjectsPerRequest: 75,
            MaxRequestsInFlight: 4, RequestTimeout: TimeSpan.FromMilliseconds(500),
            MinBackoff: TimeSpan.FromMilliseconds(100), MaxBackoff: TimeSpan.FromSeconds(1));
        if (configure is not null) settings = configure(settings);
        var deadLetterTopic = _kafka.NewTopic("dlq");
        var deadLetters = new KafkaDeadLetters(
            KafkaSettings.For(_kafka.BootstrapServers, [SourceTopic]) with { DeadLetterTopic = deadLetterTopic }, NullLogger.Instance);
        var api = new BrazeApi(settings);
        var counters = new BrazeCounters();
        var gateway = Sys.ActorOf(BrazeGateway.Props(settings, api, deadLetters, counters));
        return new Rig(braze, api, deadLetters, counters, gateway, deadLetterTopic);
    }

    private sealed record Rig(LocalBraze Braze, BrazeApi Api, KafkaDeadLetters DeadLetters, BrazeCounters Counters, IActorRef Gateway, string DeadLetterTopic)
        : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await Gateway.GracefulStop(TimeSpan.FromSeconds(5));
            }
            catch (TaskCanceledException)
            {
            }
            Api.Dispose();
            DeadLetters.Dispose();
            await Braze.DisposeAsync();
        }
    }

    /// <summary>Each delivery is one record of the source topic, with its own offset.</summary>
    private BrazeGateway.Deliver Deliver(string eventId, params MarketingObject[] objects)
    {
        var offset = Interlocked.Increment(ref _nextOffset);
        return new BrazeGateway.Deliver(eventId, objects, TestActor, new RecordSource(SourceTopic, (int)(offset % 4), offset));
    }

    private static MarketingObject UserDelete(string customer) => new(MarketingObjectKind.UserDelete, customer, $"\"{customer}\"");

    private static MarketingObject Event(string customer, string name) =>
        new(MarketingObjectKind.Event, customer, $$"""{"external_id":"{{customer}}","name":"{{name}}","time":"2026-11-26T09:00:00Z"}""");

    /// <summary>The first request carrying the event named <paramref name="name"/> hangs past the client timeout.</summary>
    private static Func<BrazeRequest, BrazeReply?> HangFirstRequestOf(string name, Func<BrazeRequest, BrazeReply?>? then = null)
    {
        var hung = 0;
        return request => EventNames(request).Contains(name) && Interlocked.Exchange(ref hung, 1) == 0
            ? BrazeReply.Hang(TimeSpan.FromSeconds(30))
            : then?.Invoke(request);
    }

    /// <summary>
    /// The next <paramref name="count"/> Delivered replies to the test actor. On a timeout the failure says what the
    /// gateway still holds and what Braze saw, so a stuck gateway is told apart from a slow one.
    /// </summary>
    private async Task<List<string>> ExpectDeliveredAsync(Rig rig, int count, TestProbe? probe = null)
    {
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            try
            {
                var delivered = probe is null
                    ? await ExpectMsgAsync<BrazeGateway.Delivered>(Patience)
                    : await probe.ExpectMsgAsync<BrazeGateway.Delivered>(Patience);
                ids.Add(delivered.EventId);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                var status = await StatusAsync(rig);
                var log = rig.Braze.Log.ToList();
                throw new Xunit.Sdk.XunitException(
                    $"Only {ids.Count} of {count} deliveries were acknowledged within {Patience.TotalSeconds} s each ({e.Message}). " +
                    $"Gateway: {status}. Braze saw {log.Count} requests, the last at {(log.Count > 0 ? log.Max(l => l.Request.At).ToString("HH:mm:ss.fff") : "-")}, " +
                    $"answers [{string.Join(",", log.Select(l => l.Status))}]; it is now {DateTimeOffset.UtcNow:HH:mm:ss.fff}.");
            }
        }
        return ids;
    }

    private static Task<BrazeGateway.GatewayStatus> StatusAsync(Rig rig) =>
        rig.Gateway.Ask<BrazeGateway.GatewayStatus>(BrazeGateway.GetStatus.Instance, TimeSpan.FromSeconds(3));

    private static string Name(JsonElement trackObject) => trackObject.GetProperty("name").GetString()!;

    private static int ObjectCount(BrazeRequest request) =>
        new[] { "attributes", "events", "purchases" }.Sum(a => request.Json.TryGetProperty(a, out var items) ? items.GetArrayLength() : 0);

    private static List<string> EventNames(BrazeRequest request) =>
        request.Path == "/users/track" && request.Json.TryGetProperty("events", out var events)
            ? events.EnumerateArray().Select(Name).ToList()
            : [];

    private static void AssertDeadLetterHeaders(Confluent.Kafka.Headers headers, string reason, RecordSource source)
    {
        Assert.Equal(reason, headers.Text("crm-error"));
        Assert.Equal(source.Topic, headers.Text("crm-source-topic"));
        Assert.Equal(source.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.Text("crm-source-partition"));
        Assert.Equal(source.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture), headers.Text("crm-source-offset"));
    }
}
