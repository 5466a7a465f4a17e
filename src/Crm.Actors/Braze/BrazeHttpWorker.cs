using System.Text;
using Akka.Actor;
using Akka.Event;
using Akka.Pattern;
using Crm.Actors.Kafka;
using DeadLetter = Crm.Actors.Kafka.DeadLetter;

namespace Crm.Actors.Braze;

/// <summary>
/// Sends one batch at a time to Braze. It lives under a <see cref="BackoffSupervisor"/>: a transient failure or
/// refused credentials make it throw, the supervisor recreates it after an exponentially growing delay, and on
/// start it tells the gateway it is ready, which resends the same batch. Success resets the backoff.
/// Objects Braze refuses are dead-lettered here, before the batch is reported done.
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
                    Succeeded(batch, outcome, accepted.Rejected.Count);
                    break;
                case BrazeOutcome.Refused refused:
                    _log.Warning("Braze refused batch {BatchId} of {Count} objects: {Reason}", batch.Id, batch.Items.Count, refused.Reason);
                    foreach (var item in batch.Items)
                        await deadLetters.PublishAsync(ToDeadLetter(item, refused.Reason));
                    Succeeded(batch, outcome, batch.Items.Count);
                    break;
                case BrazeOutcome.Unauthorized unauthorized:
                    _gateway.Tell(new BatchFailed(_index, batch.Id, $"HTTP {unauthorized.Status}: credentials refused", true, outcome.RateLimit));
                    throw new BrazeRequestFailedException($"Braze refused the credentials (HTTP {unauthorized.Status})");
                case BrazeOutcome.Transient transient:
                    _gateway.Tell(new BatchFailed(_index, batch.Id, transient.Reason, false, outcome.RateLimit));
                    throw new BrazeRequestFailedException($"Braze request failed: {transient.Reason}");
            }
        });
    }

    public static Props Props(int index, IActorRef gateway, IBrazeApi api, IDeadLetters deadLetters) =>
        Akka.Actor.Props.Create(() => new BrazeHttpWorker(index, gateway, api, deadLetters));

    protected override void PreStart() => _gateway.Tell(new WorkerReady(_index));

    private void Succeeded(BrazeBatch batch, BrazeOutcome outcome, int rejected)
    {
        Context.Parent.Tell(BackoffSupervisor.Reset.Instance);
        _gateway.Tell(new BatchDone(_index, batch.Id, rejected, outcome.RateLimit));
    }

    private static DeadLetter ToDeadLetter(PendingObject item, string reason) => new(
        Encoding.UTF8.GetBytes(item.Object.ExternalId), Encoding.UTF8.GetBytes(item.Object.Json), reason, item.Source);

    /// <summary>Sends this batch (the gateway already took the rate-limit slot).</summary>
    public sealed record Send(BrazeBatch Batch);

    /// <summary>The worker (re)started and can take a batch.</summary>
    public sealed record WorkerReady(int Index);

    public sealed record BatchDone(int Index, long BatchId, int Rejected, RateLimitInfo? RateLimit);

    public sealed record BatchFailed(int Index, long BatchId, string Reason, bool Unauthorized, RateLimitInfo? RateLimit);
}

/// <summary>Thrown to hand a failed request to the backoff supervisor.</summary>
public sealed class BrazeRequestFailedException(string message) : Exception(message);
