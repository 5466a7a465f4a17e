using Akka.Actor;
using Akka.Event;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Kafka;
using static Crm.Actors.Braze.BrazeHttpWorker;

namespace Crm.Actors.Braze;

/// <summary>
/// The one way to Braze on a node. It queues the objects of each delivery (one Kafka record's worth), packs
/// them into requests of at most <c>Braze:MaxObjectsPerRequest</c>, sends no faster than the throttle allows
/// through a few workers in parallel, keeps per-customer order, and answers <see cref="Delivered"/> to whoever
/// asked once every object of a delivery was accepted or dead-lettered. A delivery whose event id is already
/// queued is not queued twice: the second asker just waits for the same answer; one whose event id was accepted
/// lately (<c>RememberAccepted</c>) is answered at once.
/// </summary>
public sealed class BrazeGateway : ReceiveActor, IWithTimers
{
    private readonly BrazeSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RequestThrottle _throttle;
    private readonly Func<DateTimeOffset> _clock;

    private List<PendingObject> _queue = [];
    private readonly Dictionary<long, PendingDelivery> _deliveries = [];
    private readonly Dictionary<string, long> _deliveryByEventId = new(StringComparer.Ordinal);
    private readonly HashSet<string> _customersInFlight = new(StringComparer.Ordinal);
    private readonly RecentKeys _accepted;
    // Requests Braze answered whose deliveries their entities have not yet written to their ledgers, by batch id, with the
    // event ids still to be written and when the answer came. Counted like requests in flight (see Dispatch).
    private readonly Dictionary<long, (HashSet<string> EventIds, DateTimeOffset AnsweredAt)> _unrecorded = [];
    private readonly Dictionary<string, long> _unrecordedBatch = new(StringComparer.Ordinal);
    private readonly IActorRef[] _workers;
    private readonly BrazeBatch?[] _inFlight;
    private readonly bool[] _ready;
    private long _nextDeliveryId;
    private long _nextBatchId;
    private bool _unauthorized;
    private string? _lastError;
    private readonly BrazeCounters _counters;

    public BrazeGateway(BrazeSettings settings, IBrazeApi api, IDeadLetters deadLetters, BrazeCounters counters, Func<DateTimeOffset>? clock = null)
    {
        _settings = settings;
        _counters = counters;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _throttle = new RequestThrottle(settings.RequestsPerWindow, settings.Window);
        _accepted = new RecentKeys(settings.RememberAccepted);
        _workers = new IActorRef[settings.MaxRequestsInFlight];
        _inFlight = new BrazeBatch?[settings.MaxRequestsInFlight];
        _ready = new bool[settings.MaxRequestsInFlight];
        for (var i = 0; i < _workers.Length; i++)
        {
            _workers[i] = Context.ActorOf(
                Supervision.BrazeWorker(BrazeHttpWorker.Props(i, Self, api, deadLetters), $"worker-{i}", settings), $"worker-{i}-supervisor");
        }

        Receive<Deliver>(Enqueue);
        Receive<WorkerReady>(ready =>
        {
            _ready[ready.Index] = true;
            Dispatch();
        });
        Receive<BatchDone>(Complete);
        Receive<BatchFailed>(Failed);
        Receive<DispatchDue>(_ => Dispatch());
        Receive<Recorded>(WrittenDown);
        Receive<ForgetUnrecorded>(_ => Forget());
        Receive<GetStatus>(_ => Sender.Tell(Status()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("forget-unrecorded", ForgetUnrecorded.Instance, _settings.RequestTimeout);

    public static Props Props(BrazeSettings settings, IBrazeApi api, IDeadLetters deadLetters, BrazeCounters counters, Func<DateTimeOffset>? clock = null) =>
        Akka.Actor.Props.Create(() => new BrazeGateway(settings, api, deadLetters, counters, clock));

    private void Enqueue(Deliver deliver)
    {
        if (_deliveryByEventId.TryGetValue(deliver.EventId, out var existing))
        {
            _deliveries[existing].Waiters.Add(deliver.ReplyTo);
            return;
        }
        if (deliver.Objects.Count == 0 || _accepted.Contains(DeliveryLedger.KeyOf(deliver.EventId)))
        {
            deliver.ReplyTo.Tell(new Delivered(deliver.EventId));
            return;
        }
        var id = _nextDeliveryId++;
        _deliveries[id] = new PendingDelivery(deliver.EventId, deliver.Objects.Count, [deliver.ReplyTo]) { WillRecord = deliver.WillRecord };
        _deliveryByEventId[deliver.EventId] = id;
        foreach (var marketingObject in deliver.Objects)
            _queue.Add(new PendingObject(id, marketingObject, deliver.Source));
        Dispatch();
    }

    private void Dispatch()
    {
        if (_unauthorized)
        {
            // Sending halts: only the batch that met the refusal is retried, at the worker's backoff.
            for (var i = 0; i < _workers.Length; i++)
                if (_ready[i] && _inFlight[i] is { } probe && TryTakeSlot())
                    SendTo(i, probe);
            return;
        }

        for (var i = 0; i < _workers.Length; i++)
        {
            if (!_ready[i]) continue;
            // A crash re-sends what was in flight and what was accepted but not yet written to a ledger: both are bounded
            // by Braze:MaxRequestsInFlight requests.
            var batch = _inFlight[i] ?? (_unrecorded.Count < _workers.Length ? NextBatch() : null);
            if (batch is null) continue; // a later worker may still hold a batch to resend
            if (!TryTakeSlot())
            {
                _inFlight[i] = batch; // keeps its customers blocked, goes out when the slot comes
                return;
            }
            SendTo(i, batch);
        }
    }

    private BrazeBatch? NextBatch()
    {
        if (_queue.Count == 0) return null;
        var (items, isDelete, rest) = BatchPlanner.Take(_queue, _customersInFlight, _settings.MaxObjectsPerRequest);
        if (items.Count == 0) return null;
        _queue = rest;
        var batch = new BrazeBatch(_nextBatchId++, isDelete, items);
        foreach (var customer in batch.Customers) _customersInFlight.Add(customer);
        return batch;
    }

    private bool TryTakeSlot()
    {
        var now = _clock();
        var slot = _throttle.NextSlot(now);
        if (slot > now)
        {
            if (!Timers.IsTimerActive("dispatch"))
                Timers.StartSingleTimer("dispatch", DispatchDue.Instance, slot - now);
            return false;
        }
        _throttle.RecordSent(now);
        return true;
    }

    private void SendTo(int worker, BrazeBatch batch)
    {
        _inFlight[worker] = batch;
        _ready[worker] = false;
        _counters.RequestStarted();
        _workers[worker].Tell(new Send(batch));
    }

    private void Complete(BatchDone done)
    {
        _ready[done.Index] = true;
        _throttle.Observe(done.RateLimit, _clock());
        if (_inFlight[done.Index] is not { } batch || batch.Id != done.BatchId) return;
        _inFlight[done.Index] = null;
        if (_unauthorized) _log.Info("Braze accepts the credentials again: sending resumes");
        _unauthorized = false;
        _counters.RequestSucceeded(batch.Items.Count - done.Rejected, done.Rejected);

        foreach (var customer in batch.Customers) _customersInFlight.Remove(customer);
        foreach (var item in batch.Items)
        {
            var delivery = _deliveries[item.DeliveryId];
            if (--delivery.Remaining > 0) continue;
            _deliveries.Remove(item.DeliveryId);
            _deliveryByEventId.Remove(delivery.EventId);
            _accepted.Add(DeliveryLedger.KeyOf(delivery.EventId));
            if (delivery.WillRecord) AwaitRecord(batch.Id, delivery.EventId);
            var delivered = new Delivered(delivery.EventId);
            foreach (var waiter in delivery.Waiters) waiter.Tell(delivered);
        }
        Dispatch();
    }

    private void Failed(BatchFailed failed)
    {
        // The worker is restarting under its backoff; the batch stays in flight and is resent when it is ready.
        _throttle.Observe(failed.RateLimit, _clock());
        _lastError = failed.Reason;
        _counters.RequestFailed();
        if (failed.Unauthorized && !_unauthorized)
            _log.Error("Braze refused the credentials ({Reason}): sending halts, nothing is committed past this point, retrying at backoff", failed.Reason);
        else if (!failed.Unauthorized)
            _log.Warning("Braze batch {BatchId} failed: {Reason}; retrying with backoff", failed.BatchId, failed.Reason);
        // Only a successful request clears the halt: a timeout elsewhere says nothing about the credentials.
        if (failed.Unauthorized) _unauthorized = true;
    }

    private void AwaitRecord(long batchId, string eventId)
    {
        if (!_unrecorded.TryGetValue(batchId, out var entry)) _unrecorded[batchId] = entry = ([], _clock());
        entry.EventIds.Add(eventId);
        _unrecordedBatch[eventId] = batchId;
    }

    /// <summary>An entity wrote these acceptances to its ledger: their requests stop counting.</summary>
    private void WrittenDown(Recorded recorded)
    {
        foreach (var eventId in recorded.EventIds)
        {
            if (!_unrecordedBatch.Remove(eventId, out var batchId) || !_unrecorded.TryGetValue(batchId, out var entry)) continue;
            entry.EventIds.Remove(eventId);
            if (entry.EventIds.Count == 0) _unrecorded.Remove(batchId);
        }
        Dispatch();
    }

    /// <summary>An entity that stopped before writing (its journal failed) never answers: after RequestTimeout it is not waited for.</summary>
    private void Forget()
    {
        var before = _clock() - _settings.RequestTimeout;
        foreach (var (batchId, entry) in _unrecorded.Where(u => u.Value.AnsweredAt < before).ToList())
        {
            _unrecorded.Remove(batchId);
            foreach (var eventId in entry.EventIds) _unrecordedBatch.Remove(eventId);
        }
        Dispatch();
    }

    private GatewayStatus Status() => new(
        QueuedObjects: _queue.Count,
        PendingDeliveries: _deliveries.Count,
        RequestsInFlight: _inFlight.Count(b => b is not null),
        RequestsUnrecorded: _unrecorded.Count,
        Unauthorized: _unauthorized,
        LastError: _lastError,
        LastRateLimit: _throttle.LastSeen);

    private sealed class PendingDelivery(string eventId, int remaining, List<IActorRef> waiters)
    {
        public string EventId { get; } = eventId;
        public int Remaining { get; set; } = remaining;
        public List<IActorRef> Waiters { get; } = waiters;
        public bool WillRecord { get; init; }
    }

    private sealed record DispatchDue
    {
        public static readonly DispatchDue Instance = new();
    }

    private sealed record ForgetUnrecorded
    {
        public static readonly ForgetUnrecorded Instance = new();
    }

    /// <summary>Send these objects (everything derived from one record) and tell <paramref name="ReplyTo"/> when done.</summary>
    public sealed record Deliver(string EventId, IReadOnlyList<MarketingObject> Objects, IActorRef ReplyTo, RecordSource? Source)
    {
        /// <summary>The asker will write the acceptance down and say so with <see cref="Recorded"/>.</summary>
        public bool WillRecord { get; init; }
    }

    /// <summary>These accepted events are in their customer's delivery ledger now.</summary>
    public sealed record Recorded(IReadOnlyList<string> EventIds);

    /// <summary>Every object of the delivery was accepted by Braze or dead-lettered.</summary>
    public sealed record Delivered(string EventId);

    public sealed record GetStatus
    {
        public static readonly GetStatus Instance = new();
    }

    public sealed record GatewayStatus(
        int QueuedObjects, int PendingDeliveries, int RequestsInFlight, int RequestsUnrecorded, bool Unauthorized, string? LastError, RateLimitInfo? LastRateLimit);
}
