using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Crm.Actors.Kafka;
using DeadLetter = Crm.Actors.Kafka.DeadLetter;

namespace Crm.Actors.Braze;

/// <summary>
/// Sends one batch at a time to Braze. It lives under a <see cref="BackoffSupervisor"/>: a transient failure or an
/// answer that says the configuration is wrong makes it throw, the supervisor recreates it after an exponentially
/// growing delay, and on start it tells the gateway it is ready, which resends the same batch. Success resets the backoff.
/// Objects Braze refuses are dead-lettered here, before the batch is reported done. A 413 is no failure: the gateway
/// sends the batch again in halves, and this worker stays ready.
/// </summary>
public sealed class BrazeHttpWorker : ReceiveActor
{
    private readonly int _index;
    private readonly IActorRef _gateway;
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public BrazeHttpWorker(int index, IActorRef gateway, IBrazeApi api, IDeadLetters deadLetters)
    {
        _index = index;
        _gateway = gateway;

        ReceiveAsync<Send>(async send =>
        {
            var batch = send.Batch;
            var outcome = await api.SendAsync(batch);
            switch (outcome)
            {
                case BrazeOutcome.Accepted accepted:
                    foreach (var (index, reason) in accepted.Rejected)
                        await deadLetters.PublishAsync(ToDeadLetter(batch.Items[index], reason));
                    Succeeded(batch, outcome, accepted.Rejected.Select(r => r.Index).ToList());
                    break;
                case BrazeOutcome.Refused refused:
                    _log.Warning("Braze refused batch {BatchId} of {Count} objects: {Reason}", batch.Id, batch.Items.Count, refused.Reason);
                    foreach (var item in batch.Items)
                        await deadLetters.PublishAsync(ToDeadLetter(item, refused.Reason));
                    Succeeded(batch, outcome, Enumerable.Range(0, batch.Items.Count).ToList());
                    break;
                case BrazeOutcome.TooLarge:
                    _gateway.Tell(new BatchTooLarge(_index, batch.Id, batch.IsDelete, outcome.RateLimit));
                    break;
                case BrazeOutcome.Halting halting:
                    _gateway.Tell(new BatchFailed(_index, batch.Id, batch.IsDelete, halting.Reason, Halting: true, outcome.RateLimit));
                    throw new BrazeRequestFailedException($"Braze halts sending: {halting.Reason}");
                case BrazeOutcome.Transient transient:
                    _gateway.Tell(new BatchFailed(_index, batch.Id, batch.IsDelete, transient.Reason, Halting: false, outcome.RateLimit));
                    throw new BrazeRequestFailedException($"Braze request failed: {transient.Reason}");
            }
        });
    }

    public static Props Props(int index, IActorRef gateway, IBrazeApi api, IDeadLetters deadLetters) =>
        Akka.Actor.Props.Create(() => new BrazeHttpWorker(index, gateway, api, deadLetters));

    protected override void PreStart() => _gateway.Tell(new WorkerReady(_index));

    private void Succeeded(BrazeBatch batch, BrazeOutcome outcome, IReadOnlyList<int> rejected)
    {
        Context.Parent.Tell(BackoffSupervisor.Reset.Instance);
        _gateway.Tell(new BatchDone(_index, batch.Id, batch.IsDelete, rejected, outcome.RateLimit));
    }

    private static DeadLetter ToDeadLetter(PendingObject item, string reason) => new(
        Encoding.UTF8.GetBytes(item.Object.ExternalId), Encoding.UTF8.GetBytes(item.Object.Json), reason, item.Source);

    /// <summary>Sends this batch (the gateway already took the rate-limit slot).</summary>
    public sealed record Send(BrazeBatch Batch);

    /// <summary>The worker (re)started and can take a batch.</summary>
    public sealed record WorkerReady(int Index);

    /// <summary>
    /// Braze answered the batch: accepted, all but the objects at <paramref name="Rejected"/> (indexes in the batch; those
    /// were dead-lettered).
    /// </summary>
    public sealed record BatchDone(int Index, long BatchId, bool IsDelete, IReadOnlyList<int> Rejected, RateLimitInfo? RateLimit);

    /// <summary>The batch failed; the worker is restarting under its backoff. <paramref name="Halting"/>: the configuration is wrong.</summary>
    public sealed record BatchFailed(int Index, long BatchId, bool IsDelete, string Reason, bool Halting, RateLimitInfo? RateLimit);

    /// <summary>Braze answered 413 to the batch (several objects): the worker is ready for its halves.</summary>
    public sealed record BatchTooLarge(int Index, long BatchId, bool IsDelete, RateLimitInfo? RateLimit);
}

/// <summary>Thrown to hand a failed request to the backoff supervisor.</summary>
public sealed class BrazeRequestFailedException(string message) : Exception(message);
