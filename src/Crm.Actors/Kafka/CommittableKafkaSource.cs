using System.Collections.Concurrent;
using System.Threading.Channels;
using Akka;
using Akka.Streams.Dsl;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Kafka;

/// <summary>
/// A committable, partition-aware Kafka source on Confluent.Kafka. One dedicated thread owns the consumer: it
/// polls, serves rebalance callbacks and stores the offsets of done records; commits of the stored offsets run on
/// a pool thread, so a group coordinator that is away delays commits, never consumption.
/// Records go into a channel that the stream reads; when the stream lags, the thread pauses every assigned
/// partition instead of fetching more, so memory stays bounded and the group membership stays alive.
/// On revocation it first lets the records already handed out for the revoked partitions finish (bounded by
/// <c>RevokeDrainTimeout</c>) and commits them, so the next owner starts where this one ended: no duplicates.
/// </summary>
public sealed class CommittableKafkaSource : IOffsetCommitter, IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private readonly KafkaSettings _settings;
    private readonly ILogger _logger;
    // Unbounded on paper, bounded in practice by pausing at BufferSize (the multi-reader variant can count).
    private readonly Channel<CommittableRecord> _channel = Channel.CreateUnbounded<CommittableRecord>();
    private readonly ConcurrentQueue<CommitRequest> _commits = new();
    // Requests whose offsets are stored and not yet committed: the next commit that succeeds answers them.
    private readonly ConcurrentQueue<CommitRequest> _storedNotCommitted = new();
    private readonly IPartitionAssignmentListener? _listener;
    private readonly Dictionary<TopicPartition, long> _owned = new(); // poll thread only
    private readonly Dictionary<TopicPartition, long> _handedOut = new(); // poll thread only: last offset put in the channel
    private readonly Dictionary<TopicPartition, long> _done = new(); // poll thread only: last offset stored as done
    private readonly Dictionary<TopicPartition, long> _resumeAt = new(); // poll thread only: see RememberDone
    private readonly Queue<TopicPartitionOffset> _toStore = new(); // poll thread only: resumed positions to commit
    // Wakes a revocation drain when offsets come back. Never disposed: CommitAsync may still set it after close.
    private readonly AutoResetEvent _commitQueued = new(false);
    private readonly ConcurrentDictionary<TopicPartition, long> _committed = new();
    private readonly TaskCompletionSource _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private volatile bool _fetching = true;
    private volatile bool _closing;
    private long _nextGeneration;
    private long _commitCalls;
    private int _commitRunning;
    private volatile bool _storedSinceCommit;
    private DateTime _nextProgress = DateTime.MinValue;

    private readonly Action<IReadOnlyList<PartitionProgress>>? _onProgress;

    /// <param name="listener">Hears of each assignment (shard alignment).</param>
    /// <param name="onProgress">
    /// Receives <see cref="Progress"/> each time it is refreshed (about every second, on the consumer's thread): the one
    /// source of where each owned partition stands, for the lag monitor as for readiness and the demo.
    /// </param>
    public CommittableKafkaSource(
        KafkaSettings settings, ILogger logger, IPartitionAssignmentListener? listener = null,
        Action<IReadOnlyList<PartitionProgress>>? onProgress = null)
    {
        _settings = settings;
        _logger = logger;
        _listener = listener;
        _onProgress = onProgress;
        _thread = new Thread(Run) { IsBackground = true, Name = $"kafka-consumer-{settings.GroupId}" };
    }

    /// <summary>The records; completes once <see cref="StopFetching"/> was called and the buffer is drained.</summary>
    public Source<CommittableRecord, NotUsed> Source => ChannelSource.FromReader(_channel.Reader);

    /// <summary>
    /// Partitions owned now, with committed offset and high watermark (librdkafka's cached value from the last fetch,
    /// no broker call); refreshed about every second. Before this consumer's first commit of a partition, its committed
    /// offset is read as the consumer's position, which starts at the group's committed offset.
    /// </summary>
    public IReadOnlyList<PartitionProgress> Progress { get; private set; } = [];

    /// <summary>Successful commits to the group coordinator.</summary>
    public long Commits => Interlocked.Read(ref _commitCalls);

    /// <summary>Records read from Kafka and not yet taken by the stream.</summary>
    public int Buffered => _channel.Reader.Count;

    /// <summary>True while fetching is paused because the stream is behind.</summary>
    public bool IsPaused { get; private set; }

    public void Start() => _thread.Start();

    /// <summary>Stops reading new records; what is buffered still flows and can still be committed.</summary>
    public void StopFetching()
    {
        _fetching = false;
        _channel.Writer.TryComplete();
    }

    /// <summary>
    /// Marks the given offsets done (the next offset to read is each + 1): the consumer thread stores them and they
    /// are committed in the background. The task completes once they are stored.
    /// </summary>
    public Task CommitAsync(IReadOnlyCollection<CommittableOffset> offsets) => Enqueue(offsets).Done.Task;

    /// <summary>As <see cref="CommitAsync"/>; the task completes (true) once the background commit carrying them returned.</summary>
    public Task<bool> CommitToKafkaAsync(IReadOnlyCollection<CommittableOffset> offsets) => Enqueue(offsets).Committed.Task;

    private CommitRequest Enqueue(IReadOnlyCollection<CommittableOffset> offsets)
    {
        var request = new CommitRequest(offsets);
        if (offsets.Count == 0)
        {
            Finish(request, stored: false);
            return request;
        }
        _commits.Enqueue(request);
        _commitQueued.Set();
        if (_closing && !_thread.IsAlive) Finish(request, stored: false);
        return request;
    }

    private void Run()
    {
        IConsumer<byte[]?, byte[]?>? consumer = null;
        try
        {
            consumer = BuildConsumer();
            consumer.Subscribe(_settings.Topics);
            var paused = false;
            while (!_closing)
            {
                StoreResumedPositions(consumer);
                ProcessCommits(consumer, onlyFor: null);
                CommitStoredInBackground(consumer);
                RefreshProgress(consumer);
                var full = _channel.Reader.Count >= _settings.BufferSize || !_fetching;
                if (full != paused && consumer.Assignment.Count > 0)
                {
                    if (full) consumer.Pause(consumer.Assignment);
                    else consumer.Resume(consumer.Assignment);
                    paused = full;
                    IsPaused = paused;
                }
                ConsumeResult<byte[]?, byte[]?>? result;
                try
                {
                    result = consumer.Consume(PollTimeout);
                }
                catch (ConsumeException e) when (!e.Error.IsFatal)
                {
                    // Retriable (a fetch timing out, a leader moving): librdkafka retries; keep polling.
                    _logger.LogWarning("Kafka consume error, retrying: {Reason}", e.Error.Reason);
                    continue;
                }
                if (result is null || result.IsPartitionEOF) continue;
                if (!_owned.TryGetValue(result.TopicPartition, out var generation)) continue;
                if (!_fetching) continue; // paused too late: it will be read again by whoever owns it next
                _handedOut[result.TopicPartition] = result.Offset.Value;
                // Null stays null (a tombstone's value), headers keep their order: dead letters copy them exactly.
                _channel.Writer.TryWrite(new CommittableRecord(
                    result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Key, result.Message.Value,
                    result.Message.Timestamp, generation) { Headers = CommittableRecord.HeadersOf(result.Message.Headers) });
            }
            CommitBeforeLeaving(consumer);
            _logger.LogInformation("Kafka consumer of group {GroupId} leaving the group", _settings.GroupId);
            consumer.Close();
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Kafka consumer of group {GroupId} stopped", _settings.GroupId);
            _channel.Writer.TryComplete(e);
            TryClose(consumer);
        }
        finally
        {
            WaitForBackgroundCommit();
            consumer?.Dispose();
            _channel.Writer.TryComplete();
            while (_commits.TryDequeue(out var left)) Finish(left, stored: false);
            while (_storedNotCommitted.TryDequeue(out var left)) left.Committed.TrySetResult(false);
            _closed.TrySetResult();
        }
    }

    /// <summary>
    /// The last commit before leaving the group. A coordinator in the middle of a rebalance refuses it; it is accepted
    /// once this member has rejoined, so keep polling (records read now are not handed out) and retry, for up to
    /// <c>RevokeDrainTimeout</c>: otherwise the next owner would read again what this one already delivered.
    /// </summary>
    private void CommitBeforeLeaving(IConsumer<byte[]?, byte[]?> consumer)
    {
        var deadline = DateTime.UtcNow + _settings.RevokeDrainTimeout;
        ProcessCommits(consumer, onlyFor: null);
        CommitStoredNow(consumer);
        while (_storedSinceCommit && DateTime.UtcNow < deadline)
        {
            try
            {
                consumer.Consume(PollTimeout);
            }
            catch (ConsumeException e) when (!e.Error.IsFatal)
            {
                // Retriable: keep polling until the deadline.
            }
            StoreResumedPositions(consumer);
            ProcessCommits(consumer, onlyFor: null);
            CommitStoredNow(consumer);
        }
    }

    /// <summary>Leaves the group even after a fatal error, so the next consumer does not wait out our session.</summary>
    private void TryClose(IConsumer<byte[]?, byte[]?>? consumer)
    {
        try
        {
            consumer?.Close();
        }
        catch (Exception e) when (e is KafkaException or ObjectDisposedException)
        {
            _logger.LogWarning("Closing the Kafka consumer failed: {Reason}", e.Message);
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = new ConsumerConfig(new Dictionary<string, string>(_settings.ClientProperties))
        {
            BootstrapServers = _settings.BootstrapServers,
            GroupId = _settings.GroupId,
            // At least once: we store the offset of each done record and commit what is stored ourselves.
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = _settings.AssignmentStrategy,
            EnablePartitionEof = false,
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                foreach (var tp in partitions) _owned[tp] = ++_nextGeneration;
                _logger.LogInformation("Assigned {Partitions}", string.Join(", ", partitions));
                _listener?.Assigned(partitions);
                var positions = partitions.Select(ResumePosition).ToList();
                _resumeAt.Clear(); // what went to other members is theirs now, from the committed offset
                return positions;
            })
            .SetPartitionsRevokedHandler((consumer, partitions) =>
            {
                // Let what is in flight for these partitions finish, and commit it while we still own them; what
                // does not finish in time is redelivered to the new owner, and its late commits are dropped by generation.
                var revoked = partitions.Select(p => p.TopicPartition).ToHashSet();
                DrainHandedOut(consumer, revoked);
                CommitStoredNow(consumer);
                RememberDone(revoked);
                Disown(revoked);
                _logger.LogInformation("Revoked {Partitions}", string.Join(", ", revoked));
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                foreach (var tp in partitions) _resumeAt.Remove(tp.TopicPartition);
                Disown(partitions.Select(p => p.TopicPartition).ToHashSet());
                _logger.LogWarning("Lost {Partitions}", string.Join(", ", partitions.Select(p => p.TopicPartition)));
            })
            .SetErrorHandler((_, error) =>
            {
                if (error.IsFatal) _logger.LogError("Kafka consumer fatal error: {Reason}", error.Reason);
                else _logger.LogWarning("Kafka consumer error: {Reason}", error.Reason);
            })
            .SetLogHandler((_, message) => _logger.LogDebug("librdkafka {Facility}: {Message}", message.Facility, message.Message))
            .Build();
    }

    /// <summary>
    /// Remembers how far the revoked partitions are done. A group coordinator may refuse the commit on revocation
    /// (librdkafka's mock does while the group rebalances; so does Kafka once it completes the rebalance): if the
    /// group gives a partition back to this consumer, it resumes after what it already did instead of at the stale
    /// committed offset, and commits that position, so staying owners never redeliver (see <see cref="ResumePosition"/>).
    /// </summary>
    private void RememberDone(HashSet<TopicPartition> revoked)
    {
        foreach (var tp in revoked)
            if (_done.TryGetValue(tp, out var done)) _resumeAt[tp] = done + 1;
    }

    /// <summary>Where to start a newly assigned partition: after what this consumer did before its revocation, if it did.</summary>
    private TopicPartitionOffset ResumePosition(TopicPartition tp)
    {
        if (!_resumeAt.Remove(tp, out var next)) return new TopicPartitionOffset(tp, Offset.Unset); // the committed offset
        var position = new TopicPartitionOffset(tp, new Offset(next));
        // Done up to here, as far as a next revocation goes: its commit may be refused too, before any new record.
        _done[tp] = next - 1;
        _toStore.Enqueue(position);
        return position;
    }

    /// <summary>Stores the positions resumed at (needs the assignment in force, so after the callback) for the next commit.</summary>
    private void StoreResumedPositions(IConsumer<byte[]?, byte[]?> consumer)
    {
        while (_toStore.TryDequeue(out var position))
        {
            if (!_owned.ContainsKey(position.TopicPartition)) continue;
            consumer.StoreOffset(position);
            _storedSinceCommit = true;
        }
    }

    private void Disown(HashSet<TopicPartition> partitions)
    {
        foreach (var tp in partitions)
        {
            _owned.Remove(tp);
            _handedOut.Remove(tp);
            _done.Remove(tp);
            _committed.TryRemove(tp, out _);
        }
    }

    /// <summary>
    /// Stores the done offsets of queued requests (next offset to read = offset + 1), only for partitions still owned
    /// under the generation the record was read in. Storing is local and never blocks; the stored offsets are
    /// committed by <see cref="CommitStoredInBackground"/>. <paramref name="onlyFor"/> limits to some partitions.
    /// </summary>
    private void ProcessCommits(IConsumer<byte[]?, byte[]?> consumer, HashSet<TopicPartition>? onlyFor)
    {
        var count = _commits.Count;
        for (var i = 0; i < count && _commits.TryDequeue(out var request); i++)
        {
            var later = new List<CommittableOffset>();
            foreach (var o in request.Offsets)
            {
                var tp = new TopicPartition(o.Topic, new Partition(o.Partition));
                if (!_owned.TryGetValue(tp, out var generation) || generation != o.Generation) continue;
                if (onlyFor is not null && !onlyFor.Contains(tp))
                {
                    later.Add(o);
                    continue;
                }
                consumer.StoreOffset(new TopicPartitionOffset(tp, new Offset(o.Offset + 1)));
                if (!_done.TryGetValue(tp, out var done) || o.Offset > done) _done[tp] = o.Offset;
                request.Stored = true;
                _storedSinceCommit = true;
            }
            if (later.Count > 0) _commits.Enqueue(request with { Offsets = later });
            else Finish(request, request.Stored);
        }
    }

    /// <summary>
    /// Stores done offsets of <paramref name="partitions"/> until every record handed out for them is done, or
    /// <c>RevokeDrainTimeout</c> has passed. The stream keeps working meanwhile: only this thread waits.
    /// </summary>
    private void DrainHandedOut(IConsumer<byte[]?, byte[]?> consumer, HashSet<TopicPartition> partitions)
    {
        var deadline = DateTime.UtcNow + _settings.RevokeDrainTimeout;
        while (true)
        {
            ProcessCommits(consumer, partitions);
            var pending = partitions.Count(tp => _handedOut.TryGetValue(tp, out var last) && (!_done.TryGetValue(tp, out var done) || done < last));
            if (pending == 0) return;
            if (DateTime.UtcNow >= deadline)
            {
                _logger.LogWarning("{Count} revoked partitions still had records in flight after {Timeout}; the new owner reads them again",
                    pending, _settings.RevokeDrainTimeout);
                return;
            }
            _commitQueued.WaitOne(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>
    /// Commits the stored offsets on a pool thread, one commit at a time: a commit waits for the group coordinator
    /// (it may be down), and the poll thread must not wait with it. A failed commit leaves the offsets stored, so the
    /// next one includes them.
    /// </summary>
    private void CommitStoredInBackground(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (!_storedSinceCommit || Interlocked.Exchange(ref _commitRunning, 1) == 1) return;
        _storedSinceCommit = false;
        _ = Task.Run(() =>
        {
            try
            {
                CommitStored(consumer);
            }
            finally
            {
                Volatile.Write(ref _commitRunning, 0);
            }
        });
    }

    /// <summary>Commits the stored offsets on this thread (revocation, shutdown).</summary>
    private void CommitStoredNow(IConsumer<byte[]?, byte[]?> consumer)
    {
        WaitForBackgroundCommit();
        _storedSinceCommit = false;
        CommitStored(consumer);
    }

    /// <summary>The request's offsets are stored (or dropped, not this consumer's): it waits for the next commit, or for nothing.</summary>
    private void Finish(CommitRequest request, bool stored)
    {
        request.Done.TrySetResult();
        if (stored) _storedNotCommitted.Enqueue(request);
        else request.Committed.TrySetResult(false);
    }

    private void CommitStored(IConsumer<byte[]?, byte[]?> consumer)
    {
        // Stored before this commit starts (stores happen on the consumer thread, before they are queued here), so it
        // carries their offsets; those stored meanwhile wait for the next one.
        var carried = new List<CommitRequest>();
        for (var n = _storedNotCommitted.Count; n > 0 && _storedNotCommitted.TryDequeue(out var request); n--) carried.Add(request);
        try
        {
            foreach (var committed in consumer.Commit())
                if (committed.Offset.Value >= 0) _committed[committed.TopicPartition] = committed.Offset.Value;
            Interlocked.Increment(ref _commitCalls);
            foreach (var request in carried) request.Committed.TrySetResult(true);
        }
        catch (KafkaException e) when (e.Error.Code == ErrorCode.Local_NoOffset)
        {
            // Nothing new to commit: what they stored was committed already.
            foreach (var request in carried) request.Committed.TrySetResult(true);
        }
        catch (KafkaException e)
        {
            foreach (var request in carried) _storedNotCommitted.Enqueue(request);
            _storedSinceCommit = true;
            _logger.LogWarning("Committing offsets failed ({Reason}); they stay stored and go with the next commit", e.Error.Reason);
        }
    }

    private void WaitForBackgroundCommit() => SpinWait.SpinUntil(() => Volatile.Read(ref _commitRunning) == 0, TimeSpan.FromSeconds(30));

    private void RefreshProgress(IConsumer<byte[]?, byte[]?> consumer)
    {
        if (DateTime.UtcNow < _nextProgress) return;
        _nextProgress = DateTime.UtcNow + ProgressInterval;
        Progress = _owned.Keys
            .Select(tp =>
            {
                var watermarks = consumer.GetWatermarkOffsets(tp);
                long? high = watermarks.High == Offset.Unset ? null : watermarks.High.Value;
                var position = consumer.Position(tp);
                long? committed = _committed.TryGetValue(tp, out var c) ? c : position == Offset.Unset ? null : position.Value;
                return new PartitionProgress(tp.Topic, tp.Partition.Value, committed, high);
            })
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition)
            .ToList();
        _onProgress?.Invoke(Progress);
    }

    /// <summary>Leaves the group after a last round of commits. Call once the stream has completed.</summary>
    public async ValueTask DisposeAsync()
    {
        _fetching = false;
        _closing = true;
        if (_thread.IsAlive) await _closed.Task.ConfigureAwait(false);
    }

    /// <summary>Offsets to store; <see cref="Done"/> once stored, <see cref="Committed"/> once a commit carrying them returned.</summary>
    private sealed record CommitRequest(IReadOnlyCollection<CommittableOffset> Offsets)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<bool> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Some of its offsets were stored (consumer thread only).</summary>
        public bool Stored { get; set; }
    }
}
