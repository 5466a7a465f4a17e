using System.Diagnostics;
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
/// Each endpoint has its own throttle (/users/track: <c>Braze:RequestsPerWindow</c>; /users/delete: its separate
/// 20,000 a minute). An answer that says the configuration is wrong halts all sending: only the batches that met it are
/// tried again, each no sooner than <c>Braze:MaxBackoff</c> after its last answer. A 413 sends the batch again in halves,
/// one after the other on the same worker, its customers held until the last half is answered.
/// </summary>
public sealed class BrazeGateway : ReceiveActor, IWithTimers
{
    private readonly BrazeSettings _settings;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RequestThrottle _trackThrottle;
    private readonly RequestThrottle _deleteThrottle;
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
    // The halves still to send of a batch Braze found too large (413), per worker, in order; sent after _inFlight's.
    private readonly Queue<BrazeBatch>[] _halves;
    private readonly bool[] _ready;
    // While halted: when each worker's batch may be tried again (Braze:MaxBackoff after its last answer).
    private readonly DateTimeOffset[] _probeAt;
    private DateTimeOffset? _wakeAt;
    private long _nextDeliveryId;
    private long _nextBatchId;
    private string? _haltReason;
    private string? _lastError;
    private readonly BrazeCounters _counters;
    private readonly Operating.CrmMetrics? _metrics;

    /// <param name="metrics">The node's metrics, for the time deliveries wait here (null: not measured).</param>
    public BrazeGateway(
        BrazeSettings settings, IBrazeApi api, IDeadLetters deadLetters, BrazeCounters counters, Func<DateTimeOffset>? clock = null,
        Operating.CrmMetrics? metrics = null)
    {
        _settings = settings;
        _counters = counters;
        _metrics = metrics;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _trackThrottle = new RequestThrottle(settings.RequestsPerWindow, settings.Window);
        _deleteThrottle = new RequestThrottle(settings.DeleteRequestsPerWindow, settings.DeleteWindow);
        _accepted = new RecentKeys(settings.RememberAccepted);
        _workers = new IActorRef[settings.MaxRequestsInFlight];
        _inFlight = new BrazeBatch?[settings.MaxRequestsInFlight];
        _halves = Enumerable.Range(0, settings.MaxRequestsInFlight).Select(_ => new Queue<BrazeBatch>()).ToArray();
        _ready = new bool[settings.MaxRequestsInFlight];
        _probeAt = new DateTimeOffset[settings.MaxRequestsInFlight];
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
        Receive<BatchTooLarge>(Split);
        Receive<DispatchDue>(_ =>
        {
            _wakeAt = null;
            Dispatch();
        });
        Receive<Recorded>(WrittenDown);
        Receive<ForgetUnrecorded>(_ => Forget());
        Receive<GetStatus>(_ => Sender.Tell(Status()));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart() =>
        Timers.StartPeriodicTimer("forget-unrecorded", ForgetUnrecorded.Instance, _settings.RequestTimeout);

    public static Props Props(
        BrazeSettings settings, IBrazeApi api, IDeadLetters deadLetters, BrazeCounters counters, Func<DateTimeOffset>? clock = null,
        Operating.CrmMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new BrazeGateway(settings, api, deadLetters, counters, clock, metrics));

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
        _deliveries[id] = new PendingDelivery(deliver.EventId, deliver.Objects.Count, [deliver.ReplyTo])
        {
            WillRecord = deliver.WillRecord,
            ArrivedAt = Stopwatch.GetTimestamp(),
        };
        _deliveryByEventId[deliver.EventId] = id;
        foreach (var marketingObject in deliver.Objects)
            _queue.Add(new PendingObject(id, marketingObject, deliver.Source));
        Dispatch();
    }

    private void Dispatch()
    {
        var now = _clock();
        for (var i = 0; i < _workers.Length; i++)
        {
            if (!_ready[i]) continue;
            var batch = _inFlight[i];
            if (batch is null)
            {
                // Halted: nothing new goes out. A crash re-sends what was in flight and what was accepted but not yet
                // written to a ledger: both are bounded by Braze:MaxRequestsInFlight requests.
                if (_haltReason is not null || _unrecorded.Count >= _workers.Length) continue;
                batch = NextBatch(now);
                if (batch is null) continue; // a later worker may still hold a batch to resend
            }
            else if (_haltReason is not null && now < _probeAt[i])
            {
                WakeAt(_probeAt[i]);
                continue;
            }
            if (!TryTakeSlot(batch.IsDelete, now))
            {
                _inFlight[i] = batch; // keeps its customers blocked, goes out when the slot comes
                continue;
            }
            SendTo(i, batch);
        }
        // Objects wait for an endpoint whose throttle is full and no request is out whose answer would bring us back
        // here: come back when it has room. While requests are out their answers dispatch again; waking at every slot
        // as well sent requests the moment one slot opened, half full (the benchmark's (c) fell from 75 to 37 objects
        // per request and to 0.49 of the limit).
        if (_queue.Count > 0 && _haltReason is null && _ready.All(idle => idle))
            foreach (var throttle in new[] { _trackThrottle, _deleteThrottle })
                if (throttle.NextSlot(now) is var slot && slot > now) WakeAt(slot);
    }

    private BrazeBatch? NextBatch(DateTimeOffset now)
    {
        if (_queue.Count == 0) return null;
        var (items, isDelete, rest) = BatchPlanner.Take(_queue, _customersInFlight, _settings.MaxObjectsPerRequest,
            canSend: delete => ThrottleOf(delete).NextSlot(now) <= now);
        if (items.Count == 0) return null;
        _queue = rest;
        var batch = new BrazeBatch(_nextBatchId++, isDelete, items);
        foreach (var customer in batch.Customers) _customersInFlight.Add(customer);
        return batch;
    }

    /// <summary>/users/delete has a rate limit of its own, apart from /users/track's (Braze's "Rate limits").</summary>
    private RequestThrottle ThrottleOf(bool isDelete) => isDelete ? _deleteThrottle : _trackThrottle;

    private bool TryTakeSlot(bool isDelete, DateTimeOffset now)
    {
        var throttle = ThrottleOf(isDelete);
        var slot = throttle.NextSlot(now);
        if (slot > now)
        {
            WakeAt(slot);
            return false;
        }
        throttle.RecordSent(now);
        return true;
    }

    /// <summary>Dispatches again at <paramref name="at"/>, unless a wake-up is due sooner.</summary>
    private void WakeAt(DateTimeOffset at)
    {
        if (_wakeAt is { } due && due <= at && Timers.IsTimerActive("dispatch")) return;
        _wakeAt = at;
        Timers.StartSingleTimer("dispatch", DispatchDue.Instance, at - _clock());
    }

    private void SendTo(int worker, BrazeBatch batch)
    {
        _inFlight[worker] = batch;
        _ready[worker] = false;
        _counters.RequestStarted();
        _workers[worker].Tell(new Send(batch));
        if (_metrics is null) return;
        // A delivery's queueing ends with the first request carrying one of its objects; resends and halves do not count.
        foreach (var item in batch.Items)
            if (_deliveries.TryGetValue(item.DeliveryId, out var delivery) && !delivery.Dispatched)
            {
                delivery.Dispatched = true;
                _metrics.RecordStage(Operating.CrmMetrics.Stage.GatewayQueue, Stopwatch.GetElapsedTime(delivery.ArrivedAt));
            }
    }

    private void Complete(BatchDone done)
    {
        _ready[done.Index] = true;
        ThrottleOf(done.IsDelete).Observe(done.RateLimit, _clock());
        if (_inFlight[done.Index] is not { } batch || batch.Id != done.BatchId) return;
        if (_haltReason is not null) _log.Info("Braze accepts requests again: sending resumes");
        _haltReason = null;
        _counters.RequestSucceeded(batch.Items.Count - done.Rejected.Count, done.Rejected.Count);

        // The next half of a split batch goes next on this worker; its customers stay in flight until their last half is answered.
        _inFlight[done.Index] = _halves[done.Index].TryDequeue(out var half) ? half : null;
        var stillSending = _halves[done.Index].Prepend(half).OfType<BrazeBatch>().SelectMany(b => b.Customers).ToHashSet(StringComparer.Ordinal);
        foreach (var customer in batch.Customers)
            if (!stillSending.Contains(customer)) _customersInFlight.Remove(customer);
        var rejected = done.Rejected.ToHashSet();
        for (var i = 0; i < batch.Items.Count; i++)
        {
            var delivery = _deliveries[batch.Items[i].DeliveryId];
            if (rejected.Contains(i)) delivery.Rejected = true;
            if (--delivery.Remaining > 0) continue;
            _deliveries.Remove(batch.Items[i].DeliveryId);
            _deliveryByEventId.Remove(delivery.EventId);
            _accepted.Add(DeliveryLedger.KeyOf(delivery.EventId));
            if (delivery.WillRecord) AwaitRecord(batch.Id, delivery.EventId);
            var delivered = new Delivered(delivery.EventId) { Rejected = delivery.Rejected };
            foreach (var waiter in delivery.Waiters) waiter.Tell(delivered);
        }
        Dispatch();
    }

    /// <summary>
    /// 413 (Braze's 4 MB, or a smaller limit in front of it): the batch goes again as its first half, then its second
    /// half, on the same worker, in order. A half still too large is split again; one object alone is never answered 413
    /// by Braze itself (<see cref="BrazeOutcome.Classify"/> halts on it), so this ends. Nothing is dead-lettered.
    /// </summary>
    private void Split(BatchTooLarge tooLarge)
    {
        _ready[tooLarge.Index] = true;
        ThrottleOf(tooLarge.IsDelete).Observe(tooLarge.RateLimit, _clock());
        if (_inFlight[tooLarge.Index] is not { } batch || batch.Id != tooLarge.BatchId) return;
        var (first, second) = batch.Halves();
        _log.Info("Braze found batch {BatchId} of {Count} objects too large (413): sending it again in two halves", batch.Id, batch.Items.Count);
        var later = _halves[tooLarge.Index].ToList();
        _halves[tooLarge.Index].Clear();
        _halves[tooLarge.Index].Enqueue(new BrazeBatch(_nextBatchId++, batch.IsDelete, second));
        foreach (var rest in later) _halves[tooLarge.Index].Enqueue(rest);
        _inFlight[tooLarge.Index] = new BrazeBatch(_nextBatchId++, batch.IsDelete, first);
        Dispatch();
    }

    private void Failed(BatchFailed failed)
    {
        // The worker is restarting under its backoff; the batch stays in flight and is resent when it is ready.
        var now = _clock();
        ThrottleOf(failed.IsDelete).Observe(failed.RateLimit, now);
        _lastError = failed.Reason;
        _counters.RequestFailed();
        if (!failed.Halting)
        {
            _log.Warning("Braze batch {BatchId} failed: {Reason}; retrying with backoff", failed.BatchId, failed.Reason);
            return;
        }
        // One line per halt (and per new reason), naming the URL and the setting to check; reasons never hold the key.
        if (_haltReason != failed.Reason)
            _log.Error("Braze halts sending: {Reason}. Nothing is committed past this point; the refused requests are tried again every {Backoff}",
                failed.Reason, _settings.MaxBackoff);
        // Only a successful request clears the halt: a timeout elsewhere says nothing about the configuration.
        _haltReason = failed.Reason;
        _probeAt[failed.Index] = now + _settings.MaxBackoff;
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
        Halted: _haltReason is not null,
        HaltReason: _haltReason,
        LastError: _lastError,
        LastRateLimit: _trackThrottle.LastSeen);

    private sealed class PendingDelivery(string eventId, int remaining, List<IActorRef> waiters)
    {
        public string EventId { get; } = eventId;
        public int Remaining { get; set; } = remaining;
        public List<IActorRef> Waiters { get; } = waiters;
        public bool WillRecord { get; init; }
        public bool Rejected { get; set; }

        /// <summary>When its <see cref="Deliver"/> arrived (Stopwatch timestamp).</summary>
        public long ArrivedAt { get; init; }

        /// <summary>A request with one of its objects was handed to a worker.</summary>
        public bool Dispatched { get; set; }
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
    public sealed record Delivered(string EventId)
    {
        /// <summary>Braze rejected some of the event's objects (they were dead-lettered): what it holds is not what was sent.</summary>
        public bool Rejected { get; init; }
    }

    public sealed record GetStatus
    {
        public static readonly GetStatus Instance = new();
    }

    /// <param name="Halted">Sending halts: an answer said the key or the endpoint is wrong (<paramref name="HaltReason"/>, no secret in it).</param>
    /// <param name="LastRateLimit">/users/track's rate-limit headers as last seen.</param>
    public sealed record GatewayStatus(
        int QueuedObjects, int PendingDeliveries, int RequestsInFlight, int RequestsUnrecorded, bool Halted, string? HaltReason, string? LastError,
        RateLimitInfo? LastRateLimit);
}
