using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;
using Crm.Actors.Kafka;
using DeadLetter = Crm.Actors.Kafka.DeadLetter;

namespace Crm.Actors.Pipeline;

/// <summary>
/// The end of one run of the record pipeline: takes records from the Kafka stream (with acknowledgements, so the
/// stream is backpressured at <c>Pipeline:MaxRecordsInFlight</c>), decodes them, sends each customer's records to its
/// entity in partition order through <see cref="CustomerLanes{T}"/> (one batch per customer out at a time, customers in
/// parallel), dead-letters malformed records, skips unknown types, and commits per partition what is done
/// (<see cref="PartitionOffsets"/>): a record is done once Braze accepted or the gateway dead-lettered everything derived
/// from it. A batch unanswered after <c>Pipeline:RecordTimeout</c> is sent again, unchanged (the entity skips or
/// rejoins what it already handled). Completes <c>finished</c> once the stream completed and every record is done and
/// committed; fails it (the pipeline then restarts from the committed offsets) if the stream or this actor fails.
/// </summary>
public sealed class RecordDispatcher : ReceiveActor, IWithTimers
{
    /// <summary>At most this many of a customer's records travel to its entity in one message.</summary>
    public const int MaxRecordsPerBatch = 100;

    private readonly IActorRef _customers;
    private readonly EventTypes.EventCatalog _eventTypes;
    private readonly IDeadLetters _deadLetters;
    private readonly IOffsetCommitter _committer;
    private readonly PipelineSettings _settings;
    private readonly KafkaSettings _kafka;
    private readonly PipelineStats _stats;
    private readonly TaskCompletionSource _finished;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly PartitionOffsets _offsets = new();
    private readonly CustomerLanes<Pending> _lanes = new(MaxRecordsPerBatch);
    private readonly long _recordTimeout;
    private IActorRef? _upstreamWaiting;
    private bool _upstreamDone;
    private int _doneSinceCommit;

    public RecordDispatcher(
        IActorRef customers, EventTypes.EventCatalog eventTypes, IDeadLetters deadLetters, IOffsetCommitter committer, PipelineSettings settings,
        KafkaSettings kafka, PipelineStats stats, TaskCompletionSource finished)
    {
        _customers = customers;
        _eventTypes = eventTypes;
        _deadLetters = deadLetters;
        _committer = committer;
        _settings = settings;
        _kafka = kafka;
        _stats = stats;
        _finished = finished;
        _recordTimeout = (long)(settings.RecordTimeout.TotalSeconds * Stopwatch.Frequency);

        Receive<StreamStarted>(_ => Sender.Tell(Ack.Instance));
        Receive<Records>(records =>
        {
            foreach (var record in records.Items) Take(record);
            _upstreamWaiting = Sender;
            AckWhenRoom();
        });
        Receive<StreamCompleted>(_ =>
        {
            _upstreamDone = true;
            FinishWhenDrained();
        });
        Receive<StreamFailed>(failed => Fail(failed.Cause));
        Receive<CustomerEventsDone>(Delivered);
        Receive<DeadLettered>(dead => RecordDone(dead.Record));
        Receive<DeadLetterFailed>(failed => Fail(failed.Cause));
        Receive<Tick>(_ =>
        {
            AskAgainOverdue();
            Commit();
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(
        IActorRef customers, EventTypes.EventCatalog eventTypes, IDeadLetters deadLetters, IOffsetCommitter committer, PipelineSettings settings,
        KafkaSettings kafka, PipelineStats stats, TaskCompletionSource finished) =>
        Akka.Actor.Props.Create(() => new RecordDispatcher(customers, eventTypes, deadLetters, committer, settings, kafka, stats, finished));

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", Tick.Instance, _kafka.CommitInterval);

    /// <summary>A failure here ends the run instead of restarting the actor: a fresh state would commit past records it never saw.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            Fail(e);
            return true;
        }
    }

    private void Take(CommittableRecord record)
    {
        _offsets.Add(record.CommittableOffset);
        var decoded = EventDecoder.Decode(_eventTypes, record.Topic, record.Key, record.Value);
        _stats.RecordIn(record.Topic, decoded);
        switch (decoded)
        {
            case DecodeResult.Valid valid:
                var now = Stopwatch.GetTimestamp();
                var pending = new Pending(record, new CustomerEvent(valid.Event, record.Source), now);
                if (_lanes.Enqueue(valid.Event.CustomerId, pending, now) is { } batch) Send(batch);
                break;
            case DecodeResult.Malformed malformed:
                _log.Warning("Malformed record {Source}: {Reason}; dead-lettered", record.Source, malformed.Reason);
                _stats.RecordDeadLetter(malformed.Reason);
                // The record as Kafka holds it: null-ness of key and value, and every header, kept (domain-events.md).
                _deadLetters.PublishAsync(new DeadLetter(record.Key, record.Value, malformed.Reason, record.Source) { Headers = record.Headers })
                    .PipeTo(Self, success: () => new DeadLettered(record), failure: e => new DeadLetterFailed(e));
                break;
            case DecodeResult.UnknownType unknown:
                _stats.RecordSkipped(unknown.EventType);
                RecordDone(record);
                break;
        }
    }

    private void Send(CustomerLanes<Pending>.Batch batch) =>
        _customers.Tell(new CustomerEvents(batch.Customer, batch.Id, batch.Items.Select(p => p.Event).ToList()), Self);

    private void Delivered(CustomerEventsDone done)
    {
        var now = Stopwatch.GetTimestamp();
        if (_lanes.Complete(done.CustomerId, done.BatchId, now) is not { } completed) return; // a late answer to a repeat
        var (records, next) = completed;
        foreach (var pending in records)
        {
            _stats.RecordDelivered(Stopwatch.GetElapsedTime(pending.ReadAt, now));
            _stats.RecordReachedBraze(pending.Record.Timestamp);
            RecordDone(pending.Record);
        }
        if (next is not null) Send(next);
    }

    private void AskAgainOverdue()
    {
        var now = Stopwatch.GetTimestamp();
        foreach (var batch in _lanes.Overdue(now - _recordTimeout, now))
        {
            _stats.RecordRetry();
            _log.Warning("{Count} record(s) of customer {CustomerId} from {Source} not delivered after {Timeout}; asking again",
                batch.Items.Count, batch.Customer, batch.Items[0].Record.Source, _settings.RecordTimeout);
            Send(batch);
        }
    }

    private void RecordDone(CommittableRecord record)
    {
        _offsets.Done(record.CommittableOffset, Stopwatch.GetTimestamp());
        if (++_doneSinceCommit >= _kafka.CommitBatchSize) Commit();
        AckWhenRoom();
        FinishWhenDrained();
    }

    private void Commit()
    {
        _doneSinceCommit = 0;
        var doneAt = _stats.MeasuresStages ? new List<long>() : null;
        var offsets = _offsets.TakeCommittable(doneAt);
        if (offsets.Count == 0) return;
        // Stored by the consumer thread in order and committed in the background: nothing to wait for here, except to
        // measure how long each record waited for the Kafka commit carrying it (not measured when the partition was lost).
        if (doneAt is null)
            _ = _committer.CommitAsync(offsets);
        else
            _ = _committer.CommitToKafkaAsync(offsets).ContinueWith(committed =>
            {
                if (committed.IsCompletedSuccessfully && committed.Result) _stats.CommitWaited(doneAt, Stopwatch.GetTimestamp());
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void AckWhenRoom()
    {
        if (_upstreamWaiting is null || _offsets.Pending >= _settings.MaxRecordsInFlight) return;
        _upstreamWaiting.Tell(Ack.Instance);
        _upstreamWaiting = null;
    }

    private void FinishWhenDrained()
    {
        if (!_upstreamDone || _offsets.Pending > 0) return;
        Commit();
        _finished.TrySetResult();
        Context.Stop(Self);
    }

    private void Fail(Exception cause)
    {
        _log.Error(cause, "Record pipeline run failed: {Reason}", cause.Message);
        _finished.TrySetException(cause);
        Context.Stop(Self);
    }

    /// <summary>A record on its way: what its entity gets, and when it was read (Stopwatch timestamp).</summary>
    private sealed record Pending(CommittableRecord Record, CustomerEvent Event, long ReadAt);

    /// <summary>Records from the stream, in the order read (several partitions interleaved).</summary>
    public sealed record Records(IReadOnlyList<CommittableRecord> Items);

    /// <summary>The stream's first message; acknowledged like <see cref="Records"/>.</summary>
    public sealed record StreamStarted
    {
        public static readonly StreamStarted Instance = new();
    }

    /// <summary>Asks the stream for more.</summary>
    public sealed record Ack
    {
        public static readonly Ack Instance = new();
    }

    /// <summary>The stream ended (fetching stopped, buffer drained): finish what is in flight, then complete.</summary>
    public sealed record StreamCompleted
    {
        public static readonly StreamCompleted Instance = new();
    }

    public sealed record StreamFailed(Exception Cause);

    private sealed record DeadLettered(CommittableRecord Record);

    private sealed record DeadLetterFailed(Exception Cause);

    private sealed record Tick
    {
        public static readonly Tick Instance = new();
    }
}
