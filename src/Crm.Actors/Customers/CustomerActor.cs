using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Crm.Actors.Braze;
using Crm.Actors.Catalog;
using Crm.Actors.Domain;

namespace Crm.Actors.Customers;

/// <summary>
/// One customer: keeps the upcoming trips (persisted as <see cref="TripBooked"/>/<see cref="TripClosed"/>),
/// turns each domain event into Braze objects and hands them to the gateway, which answers the original asker.
/// The logic is in <see cref="CustomerState"/> and <see cref="MarketingMapper"/>; this actor enriches, persists,
/// snapshots and delegates. Nothing is handed on before its state change is persisted.
/// </summary>
public sealed class CustomerActor : ReceivePersistentActor
{
    public const string EntityType = "customer";

    private readonly string _customerId;
    private readonly IActorRef _gateway;
    private readonly ICatalog _catalog;
    private readonly int _snapshotEvery;
    private readonly EntityLocality? _locality;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CancellationTokenSource _stopping = new();
    private CustomerState _state = CustomerState.Empty;
    private readonly Operating.CrmMetrics? _metrics;

    public CustomerActor(
        string customerId, IActorRef gateway, ICatalog catalog, int snapshotEvery, EntityLocality? locality = null, Operating.CrmMetrics? metrics = null)
    {
        _customerId = customerId;
        _gateway = gateway;
        _catalog = catalog;
        _snapshotEvery = snapshotEvery;
        _locality = locality;
        _metrics = metrics;

        Recover<TripBooked>(e => _state = _state.Apply(e));
        Recover<TripClosed>(e => _state = _state.Apply(e));
        Recover<SnapshotOffer>(offer =>
        {
            if (offer.Snapshot is CustomerSnapshot snapshot) _state = FromSnapshot(snapshot);
        });

        Command<CustomerEvent>(message =>
        {
            // The asker lives where the record was read: a remote sender means it crossed the network to get here.
            _locality?.Received(Sender.Path.Address.HasLocalScope);
            Handle(message);
        });
        Command<GetCustomer>(_ => Sender.Tell(View()));
        Command<SaveSnapshotSuccess>(success =>
            DeleteSnapshots(new SnapshotSelectionCriteria(success.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(failure =>
            _log.Warning("Snapshot of {PersistenceId} failed: {Reason}", PersistenceId, failure.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(failure =>
            _log.Warning("Deleting old snapshots of {PersistenceId} failed: {Reason}", PersistenceId, failure.Cause.Message));
    }

    public override string PersistenceId => $"{EntityType}-{_customerId}";

    /// <param name="locality">Counts where this node's entities' events were read (null: not counted).</param>
    /// <param name="metrics">The node's metrics, for journal write latency (null: not measured).</param>
    public static Props Props(
        string customerId, IActorRef gateway, ICatalog catalog, int snapshotEvery, EntityLocality? locality = null, Operating.CrmMetrics? metrics = null) =>
        Akka.Actor.Props.Create(() => new CustomerActor(customerId, gateway, catalog, snapshotEvery, locality, metrics));

    private void Handle(CustomerEvent message)
    {
        var domainEvent = message.Event;
        var details = KnownDetails(domainEvent);
        if (details.IsComplete || domainEvent.ActivityId is not { } activityId || _catalog is NoCatalog)
        {
            Process(message, details, Sender);
            return;
        }

        // Wait for the catalog, keeping this customer's later messages in order behind this one.
        var replyTo = Sender;
        _catalog.LookupAsync(activityId, _stopping.Token)
            .PipeTo(Self, success: found => new Enriched(message, details.Or(found), replyTo));
        BecomeStacked(() =>
        {
            Command<Enriched>(enriched =>
            {
                UnbecomeStacked();
                Stash.UnstashAll();
                Process(enriched.Message, enriched.Details, enriched.ReplyTo);
            });
            Command<Status.Failure>(failure => throw new InvalidOperationException(
                $"catalog lookup for {activityId} failed", failure.Cause));
            CommandAny(_ => Stash.Stash());
        });
    }

    /// <summary>Details the event carries, completed from the trip it refers to.</summary>
    private ActivityDetails KnownDetails(DomainEvent domainEvent)
    {
        var (carried, bookingId) = domainEvent switch
        {
            ActivityWishlisted e => (e.Details, null),
            ActivityAddedToCart e => (e.Details, null),
            BookingCompleted e => (e.Details, e.BookingId),
            ActivityPreparationStarted e => (e.Details, e.BookingId),
            ActivityConducted e => (e.Details, e.BookingId),
            _ => (ActivityDetails.Empty, (string?)null),
        };
        return bookingId is null ? carried : carried.Or(_state.FindTrip(bookingId)?.Details);
    }

    private void Process(CustomerEvent message, ActivityDetails details, IActorRef replyTo)
    {
        var domainEvent = message.Event;
        if (domainEvent is CustomerDeleted)
        {
            Erase(message, replyTo);
            return;
        }

        var before = _state;
        var facts = before.Decide(domainEvent, details);
        var after = before.ApplyAll(facts);
        var deliver = new BrazeGateway.Deliver(domainEvent.EventId, MarketingMapper.Map(domainEvent, before, after, details), replyTo, message.Source);
        if (facts.Count == 0)
        {
            _gateway.Tell(deliver);
            return;
        }

        var persisting = System.Diagnostics.Stopwatch.GetTimestamp();
        PersistAll(facts, fact =>
        {
            _metrics?.JournalWrite(System.Diagnostics.Stopwatch.GetElapsedTime(persisting));
            _state = _state.Apply(fact);
            if (LastSequenceNr % _snapshotEvery == 0)
                SaveSnapshot(ToSnapshot(_state));
        });
        DeferAsync(deliver, d => _gateway.Tell(d));
    }

    /// <summary>The customer asked to be forgotten: the journal and snapshots go, then Braze is told.</summary>
    private void Erase(CustomerEvent message, IActorRef replyTo)
    {
        _state = CustomerState.Empty;
        var deliver = new BrazeGateway.Deliver(message.Event.EventId, MarketingMapper.Map(message.Event, _state, _state, ActivityDetails.Empty), replyTo, message.Source);
        if (LastSequenceNr == 0)
        {
            _gateway.Tell(deliver);
            return;
        }

        DeleteSnapshots(new SnapshotSelectionCriteria(long.MaxValue));
        DeleteMessages(LastSequenceNr);
        BecomeStacked(() =>
        {
            Command<DeleteMessagesSuccess>(_ =>
            {
                _log.Info("Erased the journal of {PersistenceId}", PersistenceId);
                UnbecomeStacked();
                Stash.UnstashAll();
                _gateway.Tell(deliver);
            });
            Command<DeleteMessagesFailure>(failure => throw new InvalidOperationException(
                $"erasing {PersistenceId} failed", failure.Cause));
            Command<DeleteSnapshotsSuccess>(_ => { });
            Command<DeleteSnapshotsFailure>(failure =>
                _log.Warning("Deleting snapshots of {PersistenceId} failed: {Reason}", PersistenceId, failure.Cause.Message));
            CommandAny(_ => Stash.Stash());
        });
    }

    private CustomerView View() => new(
        _customerId,
        _state.OpenTrips.Values.OrderBy(t => t.StartsAt).ToList(),
        _state.ClosedBookings.Order(StringComparer.Ordinal).ToList(),
        LastSequenceNr);

    private static CustomerSnapshot ToSnapshot(CustomerState state) =>
        new(state.OpenTrips.Values.ToList(), state.ClosedBookings.ToList());

    private static CustomerState FromSnapshot(CustomerSnapshot snapshot) => new(
        snapshot.OpenTrips.ToImmutableDictionary(t => t.BookingId),
        snapshot.ClosedBookings.ToImmutableHashSet());

    protected override void PostStop()
    {
        _stopping.Cancel();
        _stopping.Dispose();
        base.PostStop();
    }

    /// <summary>The catalog answered; the event can be processed.</summary>
    private sealed record Enriched(CustomerEvent Message, ActivityDetails Details, IActorRef ReplyTo);
}
