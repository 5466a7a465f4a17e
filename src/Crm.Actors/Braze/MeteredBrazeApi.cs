using System.Diagnostics;
using Crm.Actors.Operating;

namespace Crm.Actors.Braze;

/// <summary>
/// Measures every Braze call (status, latency, objects accepted and rejected) and keeps the last failures for
/// operators, around the real <see cref="IBrazeApi"/>; the gateway and workers do not know it is there.
/// </summary>
public sealed class MeteredBrazeApi(IBrazeApi inner, CrmMetrics metrics, BrazeCounters counters) : IBrazeApi, IDisposable
{
    public async Task<BrazeOutcome> SendAsync(BrazeBatch batch, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await inner.SendAsync(batch, cancellationToken).ConfigureAwait(false);
        var took = Stopwatch.GetElapsedTime(started);
        metrics.RecordStage(CrmMetrics.Stage.Http, took);
        var count = batch.Items.Count;
        switch (outcome)
        {
            case BrazeOutcome.Accepted accepted:
                metrics.BrazeRequest(CrmMetrics.BrazeStatus.Accepted, took, count - accepted.Rejected.Count, accepted.Rejected.Count);
                break;
            case BrazeOutcome.Refused refused:
                metrics.BrazeRequest(CrmMetrics.BrazeStatus.Refused, took, 0, count);
                counters.RecordError(refused.Reason, DateTimeOffset.UtcNow);
                break;
            case BrazeOutcome.Halting halting:
                metrics.BrazeRequest(halting.Status is 401 or 403 ? CrmMetrics.BrazeStatus.Unauthorized : CrmMetrics.BrazeStatus.Misconfigured, took, 0, 0);
                counters.RecordError(halting.Reason, DateTimeOffset.UtcNow);
                break;
            case BrazeOutcome.TooLarge tooLarge:
                metrics.BrazeRequest(CrmMetrics.BrazeStatus.TooLarge, took, 0, 0);
                counters.RecordError($"HTTP {tooLarge.Status}: {count} objects in one request were too many bytes; sent again in halves", DateTimeOffset.UtcNow);
                break;
            case BrazeOutcome.Transient transient:
                metrics.BrazeRequest(transient.HttpStatus == 429 ? CrmMetrics.BrazeStatus.RateLimited : CrmMetrics.BrazeStatus.Transient, took, 0, 0);
                counters.RecordError(transient.Reason, DateTimeOffset.UtcNow);
                break;
        }
        return outcome;
    }

    public void Dispose() => (inner as IDisposable)?.Dispose();
}
