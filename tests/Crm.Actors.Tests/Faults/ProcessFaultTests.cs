using Crm.Actors.Tests.Support;
using Crm.Host.Local;

namespace Crm.Actors.Tests.Faults;

/// <summary>
/// The service as its own OS process (<c>dotnet Crm.Host.dll</c>): killed with SIGKILL mid-stream, stopped with
/// SIGTERM, restarted on the same journal and consumer group. Also captures every line it logs.
/// </summary>
[Collection(Serial.Name)]
public sealed class ProcessFaultTests(KafkaTestCluster kafka) : IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Killed_mid_stream_and_restarted_it_loses_nothing_and_sends_again_only_what_was_in_flight()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(200, seed: 21);
        // Braze first answers 20 x 500, 5 x 429 and lets 2 requests hang past the timeout, then answers a little slowly,
        // so that the kill lands mid-stream with requests in flight and retries behind it.
        var faults = new FaultBudget(27);
        deployment.Braze.Override = _ => faults.TryTake(out var n)
            ? n < 20 ? new BrazeReply(500, """{"message":"internal error"}""")
            : n < 25 ? new BrazeReply(429, """{"message":"Rate limit exceeded"}""")
            : BrazeReply.Hang(TimeSpan.FromSeconds(10))
            : BrazeSlowly;
        var settings = new Dictionary<string, string?>(deployment.Settings) { ["Pipeline:MaxRecordsInFlight"] = "500" };

        DateTimeOffset killedAt, exitedAt;
        Dictionary<(string Topic, int Partition), long> committedAtKill;
        HashSet<ulong> ledgerAtKill;
        await using (var first = CrmProcess.Start(settings))
        {
            await PipelineDeployment.WaitUntil(() => faults.Spent && deployment.Count(produced).Delivered >= produced.Count / 3, Patience, () => first.Output);
            killedAt = DateTimeOffset.UtcNow;
            first.KillHard();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(10));
            exitedAt = DateTimeOffset.UtcNow;
            committedAtKill = CrashAudit.Committed(deployment);
            ledgerAtKill = JournalInspector.LedgerKeys(deployment.Database);
            Assert.DoesNotContain(PipelineDeployment.ApiKey, first.Output);
        }
        Assert.True(deployment.Count(produced).Delivered < produced.Count, "the kill came too late to be mid-stream");
        deployment.Braze.Override = null;

        var restarted = DateTime.UtcNow;
        await using var second = CrmProcess.Start(settings);
        await PipelineDeployment.WaitUntil(() => deployment.Count(produced).Lost == 0 && deployment.AllCommitted(), Patience, () => second.Output);
        var count = deployment.Count(produced);
        var crash = CrashAudit.Explain(produced, deployment.Braze, killedAt, exitedAt, ledgerAtKill, committedAtKill, CrashAudit.Offsets(deployment));
        FaultReport.Write("process killed (SIGKILL) mid-stream after Braze 20 x 500, 5 x 429, 2 hangs; restarted", count, DateTime.UtcNow - restarted, crash);

        Assert.Equal(0, count.Lost);
        // Sent again: only events whose request was in flight at the kill, or whose acceptance was heard and not yet
        // written to the ledger; never one the ledger holds, never one whose record was committed.
        Assert.True(crash.Unexplained.Count == 0, crash.ToString());
        Assert.Equal(count.Duplicates, crash.Duplicates);
        Assert.True(crash.Duplicates <= crash.Bound, crash.ToString());
        // The gateway keeps at most Braze:MaxRequestsInFlight requests in flight and starts none while as many answered
        // requests wait for their entities' ledger writes: what a crash may repeat is at most twice that many requests.
        Assert.InRange(crash.InFlightRequests, 0, MaxRequestsInFlight);
        Assert.InRange(crash.InFlightRequests + crash.UnrecordedRequests, 0, 2 * MaxRequestsInFlight);
        // State came back from the journal: every booking is one trip, however often its record was processed.
        Assert.All(JournalInspector.TripsBooked(deployment.Database), trip => Assert.Equal(1, trip.Value));
        Assert.DoesNotContain(PipelineDeployment.ApiKey, second.Output);
    }

    [Fact]
    public async Task Sigterm_drains_commits_and_exits_0_and_a_restart_sends_no_duplicate()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(80, seed: 22);
        deployment.Braze.Override = _ => BrazeSlowly;
        // A small window, so that stopping mid-stream leaves records unread: the drain covers only what is in flight.
        var settings = SmallWindow(deployment);

        await using (var first = CrmProcess.Start(settings))
        {
            await PipelineDeployment.WaitUntil(() => deployment.Count(produced).Delivered >= produced.Count / 10, Patience, () => first.Output);
            first.Terminate();
            Assert.True(await first.WaitForExitAsync(TimeSpan.FromSeconds(60)), "did not exit within 60 s of SIGTERM");
            Assert.Equal(0, first.ExitCode);
            Assert.Contains("in-flight records delivered and committed", first.Output);
            Assert.DoesNotContain(PipelineDeployment.ApiKey, first.Output);
        }
        Assert.True(deployment.Count(produced).Delivered < produced.Count, "the stop came too late to be mid-stream");
        deployment.Braze.Override = null;

        var restarted = DateTime.UtcNow;
        await using var second = CrmProcess.Start(settings);
        await PipelineDeployment.WaitUntil(() => deployment.Count(produced).Lost == 0 && deployment.AllCommitted(), Patience, () => second.Output);
        var count = deployment.Count(produced);
        FaultReport.Write("graceful stop (SIGTERM) mid-stream, restarted", count, DateTime.UtcNow - restarted);

        Assert.Equal(0, count.Lost);
        Assert.Equal(0, count.Duplicates);
    }

    [Fact]
    public async Task The_braze_api_key_never_reaches_the_log()
    {
        await using var deployment = await PipelineDeployment.StartAsync(kafka);
        var produced = deployment.ProduceCustomers(5, seed: 23);
        // Braze first refuses the key: the run logs errors about credentials, and still must not show the key.
        deployment.Braze.ApiKey = "another-key";
        var settings = new Dictionary<string, string?>(deployment.Settings) { ["Logging:Level"] = "Debug" };

        await using var service = CrmProcess.Start(settings);
        await PipelineDeployment.WaitUntil(() => deployment.Braze.Log.Count(l => l.Status == 401) >= 3, Patience, () => service.Output);
        deployment.Braze.ApiKey = PipelineDeployment.ApiKey;
        await PipelineDeployment.WaitUntil(() => deployment.Count(produced).Lost == 0, Patience, () => service.Output);
        service.Terminate();
        await service.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Contains("Braze refuses the API key (check Braze:ApiKey)", service.Output); // the refusal was logged…
        Assert.DoesNotContain(PipelineDeployment.ApiKey, service.Output); // …without the key
        Assert.DoesNotContain(PipelineDeployment.ApiKey[..12], service.Output);
    }

    private const int MaxRequestsInFlight = 12; // Braze:MaxRequestsInFlight's default

    private static readonly BrazeReply BrazeSlowly = new(201, """{"message":"success"}""", TimeSpan.FromMilliseconds(30));

    private static Dictionary<string, string?> SmallWindow(PipelineDeployment deployment) => new(deployment.Settings)
    {
        ["Pipeline:MaxRecordsInFlight"] = "50",
        ["Kafka:BufferSize"] = "50",
    };

    private int CommittedRecords(PipelineDeployment deployment) => deployment.Topics.Values
        .Sum(topic => kafka.CommittedOffsets(deployment.Group, topic).Values.Where(o => o > 0).Sum(o => (int)o));
}
