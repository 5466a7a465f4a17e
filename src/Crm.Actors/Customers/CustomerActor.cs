using System.Collections.Immutable;
using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Hosting;

namespace Crm.Actors.Customers;

/// <summary>
/// One customer: keeps the upcoming trips (persisted as <see cref="TripBooked"/>/<see cref="TripClosed"/>) and the
/// <see cref="DeliveryLedger"/> of events Braze accepted, turns each domain event into Braze objects and hands them to
/// the gateway. The logic is in <see cref="CustomerState"/>, <see cref="DeliveryLedger"/> and each event's
/// <see cref="EventType"/> (its activity, facts and Braze objects); this actor enriches, persists, snapshots and delegates.
/// <para>Order (<c>braze-mapping.md</c>): the events of a <see cref="CustomerEvents"/> batch are handled one after the
/// other, a catalog wait stashing everything behind it; their facts are persisted together and only then are their
/// objects told to the gateway, in event order, whether an event changed the state or not. The gateway keeps that order
/// per customer, and the pipeline sends the next batch only once this one is answered.</para>
/// <para>Duplicates: an event in the ledger is not sent again, an event handed on and not yet answered is asked for
/// again rather than rebuilt, and on hand-off or passivation the entity stops only once what it handed on is answered
/// and recorded.</para>
/// </summary>
public sealed class CustomerActor : UntypedPersistentActor
{
    public const string EntityType = "customer";

    private readonly string _customerId;
    private readonly IActorRef _gateway;
    private readonly ICatalog _catalog;
    private readonly EventCatalog _eventTypes;
    private readonly CustomerSettings _settings;
    private readonly EntityLocality? _locality;
    private readonly LiveEntities<IActorRef>? _live;
    private readonly Operating.CrmMetrics? _metrics;
    // Made when first needed: most entities never wait for the catalog, and each of up to Customers:MaxLiveEntities
    // entities pays for every object it makes.
    private CancellationTokenSource? _stopping;
    // When this incarnation began (Stopwatch timestamp): its recovery, permit wait included, is measured from here.
    private readonly long _created = Stopwatch.GetTimestamp();

    private CustomerState _state = CustomerState.Empty;
    private DeliveryLedger _ledger = DeliveryLedger.Empty;
    // Attribute values last handed to the gateway (what the next event's attributes are compared with), and those Braze
    // accepted and the journal holds (what a snapshot keeps: a value still in flight may never reach Braze).
    private AttributeMemory _attributes = AttributeMemory.Empty;
    private AttributeMemory _attributesRecorded = AttributeMemory.Empty;
    private long _eventsSinceSnapshot;
    // Snapshots asked for and not yet answered: an erasure deletes snapshots only once none is being written.
    private int _snapshotsSaving;

    // Handed to the gateway and not answered yet, by event id. In memory only: after a restart the gateway is asked again.
    private readonly Dictionary<string, Sent> _sent = new(StringComparer.Ordinal);
    // Batches waiting for Braze, each answered once all its events are.
    private readonly List<Waiter> _waiting = [];
    // Accepted event ids still to be written to the ledger; one write at a time, so they batch while one is in flight.
    private readonly List<string> _unrecorded = [];
    private readonly Dictionary<string, ulong> _unrecordedAttributes = new(StringComparer.Ordinal);
    private bool _recording;
    private Action? _whenRecorded;
    private bool _stopRequested;

    public CustomerActor(
        string customerId, IActorRef gateway, ICatalog catalog, EventCatalog eventTypes, CustomerSettings settings,
        EntityLocality? locality = null, Operating.CrmMetrics? metrics = null, LiveEntities<IActorRef>? live = null)
    {
        _customerId = customerId;
        _live = live;
        _gateway = gateway;
        _catalog = catalog;
        _eventTypes = eventTypes;
        _settings = settings;
        _locality = locality;
        _metrics = metrics;
    }

    // Handlers are switches over the message, not Receive registrations: each registration allocates per instance, and
    // an entity is built once per customer (about 0.16 KB per handler measured; README "Performance").
    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case TripBooked fact:
                Recovered(fact);
                break;
            case TripClosed fact:
                Recovered(fact);
                break;
            // Replayed only when the deletion after the marker did not happen (the process died, the deletion failed):
            // the customer's deletion is then read again (committed only after Braze's delete) and the erasure repeated.
            case CustomerErased fact:
                Recovered(fact);
                _ledger = DeliveryLedger.Empty;
                _attributes = _attributesRecorded = AttributeMemory.Empty;
                break;
            case DeliveriesRecorded recorded:
                _ledger = _ledger.Record(recorded.EventKeys, _settings.DeliveryLedgerSize);
                _attributes = _attributesRecorded = _attributesRecorded.Remember(recorded.Attributes ?? ImmutableDictionary<string, ulong>.Empty);
                _eventsSinceSnapshot++;
                break;
            case SnapshotOffer { Snapshot: CustomerSnapshot snapshot }:
                _state = FromSnapshot(snapshot);
                _ledger = DeliveryLedger.Empty.Record([.. snapshot.Delivered ?? []], _settings.DeliveryLedgerSize);
                _attributes = _attributesRecorded = AttributeMemory.Empty.Remember(snapshot.Attributes ?? ImmutableDictionary<string, ulong>.Empty);
                break;
            // The permit wait cannot be told apart with Akka.NET's public API: it is inside this figure (CrmMetrics.Stage.Recovery).
            case RecoveryCompleted:
                _metrics?.RecordStage(Operating.CrmMetrics.Stage.Recovery, Stopwatch.GetElapsedTime(_created));
                break;
        }
    }

    protected override void OnCommand(object message)
    {
        switch (message)
        {
            case CustomerEvents batch:
                // The sender lives where the record was read: a remote sender means it crossed the network to get here.
                _locality?.Received(Sender.Path.Address.HasLocalScope, batch.Events.Count);
                _live?.Used(Self)?.Tell(Evict.Instance);
                Handle(batch, Sender);
                break;
            // The node holds more live entities than Customers:MaxLiveEntities and this one is the least recently used:
            // ask the shard (through the backoff supervisor, which passes its child's messages up as its own) to passivate it.
            case Evict:
                Context.Parent.Tell(new Akka.Cluster.Sharding.Passivate(Stop.Instance));
                break;
            case BrazeGateway.Delivered delivered:
                Accepted(delivered);
                break;
            case GetCustomer:
                Sender.Tell(View());
                break;
            case Stop:
                _stopRequested = true;
                StopWhenIdle();
                break;
            case SaveSnapshotSuccess success:
                _snapshotsSaving--;
                // Everything up to the snapshot is in it: older snapshots and journal rows only take space.
                DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1));
                DeleteMessages(success.Metadata.SequenceNr);
                break;
            case SaveSnapshotFailure failure:
                _snapshotsSaving--;
                Log.Warning("Snapshot of {PersistenceId} failed: {Reason}", PersistenceId, failure.Cause.Message);
                break;
            case DeleteSnapshotsSuccess or DeleteMessagesSuccess:
                break;
            case DeleteSnapshotsFailure failure:
                Log.Warning("Deleting old snapshots of {PersistenceId} failed: {Reason}", PersistenceId, failure.Cause.Message);
                break;
            case DeleteMessagesFailure failure:
                Log.Warning("Deleting journal rows of {PersistenceId} covered by a snapshot failed: {Reason}", PersistenceId, failure.Cause.Message);
                break;
            default:
                Unhandled(message);
                break;
        }
    }

    public override string PersistenceId => $"{EntityType}-{_customerId}";

    /// <param name="catalog">The Activity Catalog, for details an event lacks.</param>
    /// <param name="eventTypes">What each event type wants, decides and becomes.</param>
    /// <param name="locality">Counts where this node's entities' events were read (null: not counted).</param>
    /// <param name="metrics">The node's metrics, for journal write, recovery and catalog times (null: not measured).</param>
    /// <param name="live">The node's live entities, capped (null: no cap beyond idle passivation).</param>
    public static Props Props(
        string customerId, IActorRef gateway, ICatalog catalog, EventCatalog eventTypes, CustomerSettings settings,
        EntityLocality? locality = null, Operating.CrmMetrics? metrics = null, LiveEntities<IActorRef>? live = null) =>
        DelegateProducer<CustomerActor>.Props(() => new CustomerActor(customerId, gateway, catalog, eventTypes, settings, locality, metrics, live));

    private void Recovered(ICustomerStateEvent fact)
    {
        _state = _state.Apply(fact);
        _eventsSinceSnapshot++;
    }

    private void Handle(CustomerEvents batch, IActorRef replyTo)
    {
        var waiter = new Waiter(batch, replyTo);
        _waiting.Add(waiter);
        Continue(new Run(batch.Events, waiter));
    }

    /// <summary>Handles the run's events from where it stands; returns early to wait for the catalog or an erasure.</summary>
    private void Continue(Run run)
    {
        for (; run.Index < run.Events.Count; run.Index++)
        {
            var message = run.Events[run.Index];
            var domainEvent = message.Event;
            if (_settings.SkipDelivered && _ledger.Contains(domainEvent.EventId))
                continue; // Braze has it: a record read again, or a producer's retry
            if (_sent.TryGetValue(domainEvent.EventId, out var sent))
            {
                // Handed on and not answered yet: wait for the same objects, and hand them on again in case the
                // gateway lost them (it joins a delivery it still holds).
                run.Waiter.Expect(domainEvent.EventId);
                if (!run.Delivers.Contains(sent.Deliver)) run.Delivers.Add(sent.Deliver);
                continue;
            }
            var type = _eventTypes.Of(domainEvent);
            if (type.ErasesCustomer)
            {
                Flush(run, () => Erase(run, message, type));
                return;
            }
            var wanted = type.Wants(domainEvent);
            var details = KnownDetails(wanted);
            if (!details.IsComplete && wanted is not null && _catalog is not NoCatalog)
            {
                AwaitCatalog(run, message, type, details, wanted.ActivityId);
                return;
            }
            Decide(run, message, type, details);
        }
        Flush(run, () => Finished(run.Waiter));
    }

    /// <summary>Details the event carries, completed from the trip it refers to.</summary>
    private ActivityDetails KnownDetails(ActivityWanted? wanted) => wanted switch
    {
        null => ActivityDetails.Empty,
        { BookingId: { } bookingId } => wanted.Carried.Or(_state.FindTrip(bookingId)?.Details),
        _ => wanted.Carried,
    };

    /// <summary>Waits for the catalog, keeping this customer's later messages in order behind this event.</summary>
    private void AwaitCatalog(Run run, CustomerEvent message, EventType type, ActivityDetails details, string activityId)
    {
        var started = Stopwatch.GetTimestamp();
        _stopping ??= new CancellationTokenSource();
        _catalog.LookupAsync(activityId, _stopping.Token)
            .PipeTo(Self, success: found => new Enriched(details.Or(found)));
        BecomeStacked(waiting =>
        {
            switch (waiting)
            {
                case Enriched enriched:
                    _metrics?.RecordStage(Operating.CrmMetrics.Stage.Catalog, Stopwatch.GetElapsedTime(started));
                    Context.UnbecomeStacked();
                    Stash.UnstashAll();
                    Decide(run, message, type, enriched.Details);
                    run.Index++;
                    Continue(run);
                    break;
                case Status.Failure failure:
                    throw new InvalidOperationException($"catalog lookup for {activityId} failed", failure.Cause);
                default:
                    Stash.Stash();
                    break;
            }
        });
    }

    /// <summary>The event's facts and objects, added to the run; the state moves on at once (persisted at the flush).</summary>
    private void Decide(Run run, CustomerEvent message, EventType type, ActivityDetails details)
    {
        var domainEvent = message.Event;
        var before = _state;
        var facts = type.Decide(domainEvent, before, details);
        _state = before.ApplyAll(facts);
        run.Facts.AddRange(facts);
        var objects = type.Map(domainEvent, before, _state, details);
        IReadOnlyDictionary<string, ulong> attributes = ImmutableDictionary<string, ulong>.Empty;
        if (_settings.SkipUnchangedAttributes)
        {
            (objects, attributes) = _attributes.Filter(objects);
            _attributes = _attributes.Remember(attributes);
        }
        if (objects.Count == 0) return;
        Send(run, new BrazeGateway.Deliver(domainEvent.EventId, objects, Self, message.Source) { WillRecord = _settings.DeliveryLedgerSize > 0 },
            record: true, attributes);
    }

    private void Send(Run run, BrazeGateway.Deliver deliver, bool record, IReadOnlyDictionary<string, ulong>? attributes = null)
    {
        _sent[deliver.EventId] = new Sent(deliver, record, attributes ?? ImmutableDictionary<string, ulong>.Empty);
        run.Waiter.Expect(deliver.EventId);
        run.Delivers.Add(deliver);
    }

    /// <summary>
    /// Persists the run's facts, then tells the gateway its objects in order: nothing reaches Braze before the state
    /// change it reflects is in the journal, and persisting stashes this customer's later messages, so nothing overtakes.
    /// </summary>
    private void Flush(Run run, Action then)
    {
        if (run.Facts.Count == 0)
        {
            TellGateway(run);
            then();
            return;
        }
        var facts = run.Facts.ToList();
        run.Facts.Clear();
        var started = Stopwatch.GetTimestamp();
        var left = facts.Count;
        PersistAll(facts, _ =>
        {
            _eventsSinceSnapshot++;
            if (--left > 0) return;
            _metrics?.JournalWrite(Stopwatch.GetElapsedTime(started));
            SnapshotWhenDue();
            TellGateway(run);
            then();
        });
    }

    private void TellGateway(Run run)
    {
        foreach (var deliver in run.Delivers) _gateway.Tell(deliver);
        run.Delivers.Clear();
    }

    private void Finished(Waiter waiter)
    {
        waiter.Started = true;
        AnswerIfDone(waiter);
        StopWhenIdle();
    }

    /// <summary>
    /// The gateway's answer: Braze accepted (or the gateway dead-lettered) every object of the event. Its batch counts it
    /// done once the acceptance is in the journal: the pipeline commits a record only then, so a record read again after a
    /// crash finds its event in the ledger unless the crash came within that one write.
    /// </summary>
    private void Accepted(BrazeGateway.Delivered delivered)
    {
        var found = _sent.Remove(delivered.EventId, out var sent);
        // Braze refused one of the event's objects: what it holds for the attributes they set is not known, so their
        // next values go whatever they are (values sent before this answer came were compared with the refused ones).
        if (found && delivered.Rejected) _attributes = _attributes.Forget(sent!.Attributes.Keys);
        if (found && sent!.Record && _settings.DeliveryLedgerSize > 0)
        {
            // Known at once (a record read again meanwhile is skipped); durable once the write below completes.
            _ledger = _ledger.Record([DeliveryLedger.KeyOf(delivered.EventId)], _settings.DeliveryLedgerSize);
            _unrecorded.Add(delivered.EventId);
            if (!delivered.Rejected)
                foreach (var (name, key) in sent.Attributes) _unrecordedAttributes[name] = key;
            RecordDeliveries();
            return;
        }
        // Nothing to write down (erased since, or sent by an earlier incarnation): the gateway need not wait for it.
        _gateway.Tell(new BrazeGateway.Recorded([delivered.EventId]));
        Done(delivered.EventId);
    }

    /// <summary>Nothing is left to do for the event: the batches waiting for it hear so.</summary>
    private void Done(string eventId)
    {
        foreach (var waiter in _waiting.ToList())
        {
            waiter.Accepted(eventId);
            AnswerIfDone(waiter);
        }
        StopWhenIdle();
    }

    private void AnswerIfDone(Waiter waiter)
    {
        if (!waiter.IsDone) return;
        _waiting.Remove(waiter);
        waiter.ReplyTo.Tell(new CustomerEventsDone(waiter.Batch.CustomerId, waiter.Batch.BatchId));
    }

    /// <summary>Writes the accepted events to the ledger, batching those that arrive while a write is in flight.</summary>
    private void RecordDeliveries()
    {
        if (_recording || _unrecorded.Count == 0) return;
        var eventIds = _unrecorded.ToList();
        _unrecorded.Clear();
        var attributes = _unrecordedAttributes.ToImmutableDictionary(StringComparer.Ordinal);
        _unrecordedAttributes.Clear();
        _recording = true;
        var started = Stopwatch.GetTimestamp();
        // PersistAsync: other messages (another batch's objects, answers) need not wait for this write.
        PersistAsync(new DeliveriesRecorded(eventIds.Select(DeliveryLedger.KeyOf).ToList(), attributes.IsEmpty ? null : attributes), _ =>
        {
            _metrics?.JournalWrite(Stopwatch.GetElapsedTime(started));
            _attributesRecorded = _attributesRecorded.Remember(attributes);
            _recording = false;
            _eventsSinceSnapshot++;
            SnapshotWhenDue();
            _gateway.Tell(new BrazeGateway.Recorded(eventIds));
            foreach (var eventId in eventIds) Done(eventId);
            RecordDeliveries();
            if (_recording) return;
            var next = _whenRecorded;
            _whenRecorded = null;
            next?.Invoke();
            StopWhenIdle();
        });
    }

    private void SnapshotWhenDue()
    {
        if (_eventsSinceSnapshot < _settings.SnapshotEvery) return;
        _eventsSinceSnapshot = 0;
        _snapshotsSaving++;
        SaveSnapshot(new CustomerSnapshot(_state.OpenTrips.Values.ToList(), _state.ClosedBookings.ToList(), _ledger.Keys.ToList(),
            _attributesRecorded.Values.IsEmpty ? null : _attributesRecorded.Values));
    }

    /// <summary>
    /// The customer asked to be forgotten. The objects of earlier events are queued at the gateway ahead of the deletion
    /// (it keeps per-customer order): the ledger write in flight lands, then the <see cref="CustomerErased"/> marker is
    /// written and everything up to it deleted, snapshots included, and only then is Braze told. The journal keeps the row
    /// of the highest sequence number it deleted (so a customer who comes back never reuses one): the marker, which
    /// carries nothing. What Braze accepts of earlier events from now on is not written back.
    /// </summary>
    private void Erase(Run run, CustomerEvent message, EventType type)
    {
        var facts = type.Decide(message.Event, _state, ActivityDetails.Empty);
        if (facts is not [.., CustomerErased])
            throw new InvalidOperationException($"{type.Name} erases the customer, so its facts must end with {nameof(CustomerErased)}");
        _state = _state.ApplyAll(facts);
        _ledger = DeliveryLedger.Empty;
        _unrecorded.Clear();
        _attributes = _attributesRecorded = AttributeMemory.Empty;
        _unrecordedAttributes.Clear();
        foreach (var id in _sent.Keys.ToList()) _sent[id] = _sent[id] with { Record = false };
        var deliver = new BrazeGateway.Deliver(message.Event.EventId,
            type.Map(message.Event, _state, _state, ActivityDetails.Empty), Self, message.Source);

        void Proceed()
        {
            Send(run, deliver, record: false);
            TellGateway(run);
            run.Index++;
            Continue(run);
        }

        if (LastSequenceNr == 0 && !_recording)
        {
            Proceed(); // nothing was ever written for this customer
            return;
        }
        var erasure = new Erasure();

        void DeleteSnapshotsOnceSaved()
        {
            // A snapshot still being written could land after the deletion: wait for its answer first.
            if (erasure.UpTo == 0 || erasure.SnapshotsAsked || _snapshotsSaving > 0) return;
            erasure.SnapshotsAsked = true;
            DeleteSnapshots(new SnapshotSelectionCriteria(long.MaxValue));
        }

        void ProceedOnceErased()
        {
            if (!erasure.JournalDeleted || !erasure.SnapshotsDeleted) return;
            Log.Info("Erased the journal and snapshots of {PersistenceId} up to {SequenceNr}", PersistenceId, erasure.UpTo);
            _eventsSinceSnapshot = 0;
            Context.UnbecomeStacked();
            Stash.UnstashAll();
            Proceed();
        }

        BecomeStacked(erasing =>
        {
            switch (erasing)
            {
                case DeleteMessagesSuccess success:
                    if (success.ToSequenceNr != erasure.UpTo) return; // an older deletion behind a snapshot
                    erasure.JournalDeleted = true;
                    ProceedOnceErased();
                    break;
                case DeleteMessagesFailure failure:
                    if (failure.ToSequenceNr == erasure.UpTo)
                        throw new InvalidOperationException($"erasing the journal of {PersistenceId} failed", failure.Cause);
                    break;
                // Answers to snapshots asked for before the erasure: their cleanup is moot, the erasure deletes them all.
                case SaveSnapshotSuccess or SaveSnapshotFailure:
                    _snapshotsSaving--;
                    DeleteSnapshotsOnceSaved();
                    break;
                case DeleteSnapshotsSuccess success:
                    if (success.Criteria.MaxSequenceNr != long.MaxValue) return; // an older cleanup behind a snapshot
                    erasure.SnapshotsDeleted = true;
                    ProceedOnceErased();
                    break;
                // Failing restarts the entity under its backoff: the deletion is read again and the erasure repeated.
                case DeleteSnapshotsFailure failure:
                    if (failure.Criteria.MaxSequenceNr == long.MaxValue)
                        throw new InvalidOperationException($"erasing the snapshots of {PersistenceId} failed", failure.Cause);
                    break;
                case Erasure recorded:
                    if (ReferenceEquals(recorded, erasure)) MarkAndDelete();
                    break;
                default:
                    Stash.Stash();
                    break;
            }
        });

        void MarkAndDelete()
        {
            var left = facts.Count;
            PersistAll(facts, _ =>
            {
                if (--left > 0) return; // the marker is the last fact
                erasure.UpTo = LastSequenceNr;
                DeleteMessages(erasure.UpTo);
                DeleteSnapshotsOnceSaved();
            });
        }
        // Not from the ledger write's callback: a Persist inside a PersistAsync callback leaves Akka.NET's entity in its
        // persisting state for good (it counts the stashing write there and uncounts it only in that state), stashing
        // everything after. The callback tells the entity instead, and the marker is written as a command.
        if (_recording) _whenRecorded = () => Self.Tell(erasure);
        else MarkAndDelete();
    }

    /// <summary>Stops once asked to (hand-off, passivation) and nothing handed on is waiting for Braze or the journal.</summary>
    private void StopWhenIdle()
    {
        if (_stopRequested && _sent.Count == 0 && _waiting.Count == 0 && !_recording && _unrecorded.Count == 0)
            Context.Stop(Self);
    }

    private CustomerView View() => new(
        _customerId,
        _state.OpenTrips.Values.OrderBy(t => t.StartsAt).ToList(),
        _state.ClosedBookings.Order(StringComparer.Ordinal).ToList(),
        LastSequenceNr)
    {
        DeliveriesRemembered = _ledger.Keys.Length,
    };

    private static CustomerState FromSnapshot(CustomerSnapshot snapshot) => new(
        snapshot.OpenTrips.ToImmutableDictionary(t => t.BookingId),
        snapshot.ClosedBookings.ToImmutableHashSet());

    protected override void PostStop()
    {
        _live?.Stopped(Self);
        _stopping?.Cancel();
        _stopping?.Dispose();
        base.PostStop();
    }

    /// <summary>
    /// The entity's stop message for hand-off and passivation (the shard's handOffStopMessage and the backoff supervisor's
    /// final stop message): unlike a PoisonPill it lets the entity finish what it handed to the gateway first.
    /// </summary>
    public sealed record Stop
    {
        public static readonly Stop Instance = new();
    }

    /// <summary>
    /// Where an erasure stands: the marker's sequence number (0 until written) and what was deleted. Also told to the
    /// entity itself once the ledger write it waited for landed.
    /// </summary>
    private sealed class Erasure
    {
        public long UpTo { get; set; }
        public bool SnapshotsAsked { get; set; }
        public bool JournalDeleted { get; set; }
        public bool SnapshotsDeleted { get; set; }
    }

    /// <summary>Told by another entity of the node: this one is the least recently used over the node's limit.</summary>
    private sealed record Evict
    {
        public static readonly Evict Instance = new();
    }

    /// <summary>The catalog answered; the event can be decided.</summary>
    private sealed record Enriched(ActivityDetails Details);

    /// <summary>
    /// A delivery handed to the gateway; <paramref name="Record"/>: write its acceptance to the ledger, with the attribute
    /// values it sets (name → <see cref="AttributeMemory.KeyOf"/>).
    /// </summary>
    private sealed record Sent(BrazeGateway.Deliver Deliver, bool Record, IReadOnlyDictionary<string, ulong> Attributes);

    /// <summary>A batch being worked through: its position, and the facts and objects gathered since the last flush.</summary>
    private sealed class Run(IReadOnlyList<CustomerEvent> events, Waiter waiter)
    {
        public IReadOnlyList<CustomerEvent> Events { get; } = events;
        public Waiter Waiter { get; } = waiter;
        public int Index { get; set; }
        public List<ICustomerStateEvent> Facts { get; } = [];
        public List<BrazeGateway.Deliver> Delivers { get; } = [];
    }

    /// <summary>Who to answer for a batch, and which of its events Braze has still to accept.</summary>
    private sealed class Waiter(CustomerEvents batch, IActorRef replyTo)
    {
        private readonly HashSet<string> _expected = new(StringComparer.Ordinal);

        public CustomerEvents Batch { get; } = batch;
        public IActorRef ReplyTo { get; } = replyTo;

        /// <summary>Every event of the batch was looked at (none left to hand on).</summary>
        public bool Started { get; set; }

        public bool IsDone => Started && _expected.Count == 0;

        public void Expect(string eventId) => _expected.Add(eventId);

        public void Accepted(string eventId) => _expected.Remove(eventId);
    }
}
