using Akka.Actor;
using Akka.Pattern;
using Crm.Actors.Braze;
using Crm.Actors.Hosting;

namespace Crm.Actors;

/// <summary>
/// Every supervision decision of Crm.Actors, in one place (README "Delivery guarantees" summarises it).
/// <list type="bullet">
/// <item><b>Braze HTTP worker</b>: fails on 429, 5xx, timeouts, refused connections and 401/403. Its
/// <see cref="BackoffSupervisor"/> (<c>Backoff.OnFailure</c>) recreates it after Braze:MinBackoff doubling up to
/// Braze:MaxBackoff (±20% jitter), without a retry limit (nothing may be dropped), and the gateway resends the
/// same batch. The worker resets the backoff after a success.</item>
/// <item><b>Customer entity</b>: a persistent actor stops when the journal fails (Akka.Persistence's rule). Its
/// <see cref="BackoffSupervisor"/> (<c>Backoff.OnStop</c>) restarts it after Customers:MinBackoff doubling up to
/// Customers:MaxBackoff, at most 10 times in a row; then the supervisor stops and the shard starts a fresh one on
/// the next message. The batch being processed is asked again after Pipeline:RecordTimeout; nothing is
/// acknowledged before its state change is persisted. The shard's stop message (<c>CustomerActor.Stop</c>, for hand-off
/// and passivation) passes through to the entity, which stops once what it handed to the gateway is answered.</item>
/// <item><b>Catalog lookups</b> are not an actor: <c>CatalogClient</c> retries any answer but 200/404 with
/// exponential backoff, forever, while the customer's later events wait.</item>
/// <item><b>Customer batches</b>: a batch unanswered after Pipeline:RecordTimeout is sent again, unchanged (the entity
/// skips what its ledger holds and rejoins what it handed on; the gateway joins a repeated event id to its queued
/// delivery, or answers at once for one it accepted lately).</item>
/// <item><b>The Kafka pipeline</b>: if the stream or its <c>RecordDispatcher</c> fails (consumer fatal error, a bug),
/// the run ends (the dispatcher never restarts with a fresh state) and <c>KafkaPipeline</c> starts another after 5 s
/// from the committed offsets.</item>
/// <item><b>The gateway</b> itself holds no I/O and runs under the default strategy (restart on exception); a
/// restart loses only in-memory queues, whose records are asked again after Pipeline:RecordTimeout.</item>
/// </list>
/// </summary>
public static class Supervision
{
    private const double RandomFactor = 0.2;
    private const int CustomerRestartsInARow = 10;

    public static Props BrazeWorker(Props worker, string name, BrazeSettings settings) =>
        BackoffSupervisor.Props(
            Backoff.OnFailure(worker, name, settings.MinBackoff, settings.MaxBackoff, RandomFactor, maxNrOfRetries: -1)
                .WithManualReset());

    public static Props CustomerEntity(Props entity, CustomerSettings settings) =>
        BackoffSupervisor.Props(
            Backoff.OnStop(entity, "customer", settings.MinBackoff, settings.MaxBackoff, RandomFactor, CustomerRestartsInARow)
                .WithFinalStopMessage(message => message is PoisonPill or Customers.CustomerActor.Stop));
}
