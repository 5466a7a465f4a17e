using System.Diagnostics;
using Crm.Actors.Braze;
using Crm.Actors.Pipeline;

namespace Crm.Actors.Tests.Support;

/// <summary>The common end of a fault test: wait until everything is delivered, then until everything is committed.</summary>
public static class FaultRecovery
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Waits until <paramref name="delivered"/> holds, then until the group committed every partition to its end.
    /// Returns when delivery was complete (a Stopwatch timestamp).
    /// </summary>
    /// <param name="invariant">Checked at every poll (it throws when the service broke something that must hold throughout).</param>
    public static async Task<long> AwaitDeliveredAndCommitted(
        PipelineDeployment deployment, CrmTestHost host, Func<bool> delivered, Func<string>? detail = null, Action? invariant = null)
    {
        var state = State(deployment, host, detail);
        await PipelineDeployment.WaitUntil(() => { invariant?.Invoke(); return delivered(); }, Patience, () => "not everything delivered: " + state());
        var deliveredAt = Stopwatch.GetTimestamp();
        await PipelineDeployment.WaitUntil(() => { invariant?.Invoke(); return deployment.AllCommitted(); }, Patience,
            () => "not everything committed: " + state() + "; " + Commits(deployment));
        return deliveredAt;
    }

    /// <summary>
    /// The common end of a fault test that crashes nothing: waits until <paramref name="budget"/> is spent (when
    /// given), then until every event is delivered and every offset committed; writes the report row (recovery timed
    /// from <paramref name="faultEndedAt"/>, a Stopwatch timestamp, else from the budget's last fault); asserts nothing
    /// lost and nothing sent twice (whatever such a fault makes the service repeat, the ledger and the gateway answer).
    /// </summary>
    public static async Task<Recovery> Recovered(
        PipelineDeployment deployment, CrmTestHost host, IReadOnlyCollection<Crm.Host.Demo.SampleRecord> produced, string fault,
        FaultBudget? budget = null, long? faultEndedAt = null, Func<string>? detail = null, Action? invariant = null)
    {
        detail ??= budget is null ? null : budget.ToString;
        var state = State(deployment, host, detail);
        if (budget is not null) await PipelineDeployment.WaitUntil(() => budget.Spent, Patience, state);
        var deliveredAt = await AwaitDeliveredAndCommitted(deployment, host, AllDelivered(deployment, produced), detail, invariant);
        var count = deployment.Count(produced);
        var endedAt = faultEndedAt ?? budget?.EndedAt ?? deliveredAt;
        FaultReport.Write(fault, count, Stopwatch.GetElapsedTime(endedAt, deliveredAt));
        Assert.Equal(0, count.Lost);
        Assert.Equal(count.Sent, count.Delivered);
        Assert.Equal(0, count.Duplicates);
        return new Recovery(count, deliveredAt, state);
    }

    /// <summary>What <see cref="Recovered"/> saw: the count, when delivery was complete (a Stopwatch timestamp), the state for messages.</summary>
    public sealed record Recovery(DeliveryCount Count, long DeliveredAt, Func<string> State);

    /// <summary>Every valid event produced reached Braze.</summary>
    public static Func<bool> AllDelivered(PipelineDeployment deployment, IReadOnlyCollection<Crm.Host.Demo.SampleRecord> produced) =>
        () => deployment.Count(produced) is var count && count.Delivered == count.Sent;

    /// <summary>What the service and Braze report, for timeout messages.</summary>
    public static Func<string> State(PipelineDeployment deployment, CrmTestHost host, Func<string>? detail = null)
    {
        var stats = host.Service<PipelineStats>();
        var counters = host.Service<BrazeCounters>();
        return () =>
            $"records in {stats.RecordsIn}, delivered {stats.Delivered}, dead-lettered {stats.DeadLettered}, asked again {stats.Retries}; " +
            $"gateway requests {counters.Requests} ({counters.SucceededRequests} ok, {counters.FailedRequests} failed); " +
            $"Braze saw {deployment.Braze.Log.Count} requests, accepted {deployment.Braze.Accepted.Count}; catalog saw {deployment.Catalog.Requests}" +
            (detail is null ? "" : "; " + detail());
    }

    /// <summary>Committed offset / end offset of every partition of the deployment's topics.</summary>
    public static string Commits(PipelineDeployment deployment) =>
        string.Join("; ", deployment.Topics.Values.Select(topic =>
        {
            var ends = deployment.Kafka.EndOffsets(topic);
            var committed = deployment.Kafka.CommittedOffsets(deployment.Group, topic);
            return $"{topic} " + string.Join(",", ends.Keys.Order().Select(p => $"{committed[p]}/{ends[p]}"));
        }));
}
