namespace Crm.Actors.Braze;

/// <summary>Running totals of the gateway, readable from any thread (progress line, status, tests).</summary>
public sealed class BrazeCounters
{
    private long _requests;
    private long _succeeded;
    private long _failed;
    private long _objectsAccepted;
    private long _objectsRejected;
    private int _failuresInARow;
    private readonly Queue<(DateTimeOffset At, string Reason)> _lastErrors = new();

    public long Requests => Interlocked.Read(ref _requests);
    public long SucceededRequests => Interlocked.Read(ref _succeeded);
    public long FailedRequests => Interlocked.Read(ref _failed);
    public long ObjectsAccepted => Interlocked.Read(ref _objectsAccepted);
    public long ObjectsRejected => Interlocked.Read(ref _objectsRejected);

    /// <summary>Failed attempts since the last success: how deep in its backoff the gateway is.</summary>
    public int FailuresInARow => Volatile.Read(ref _failuresInARow);

    /// <summary>The last few failures (newest last), for operators.</summary>
    public IReadOnlyList<(DateTimeOffset At, string Reason)> LastErrors
    {
        get
        {
            lock (_lastErrors) return _lastErrors.ToList();
        }
    }

    internal void RecordError(string reason, DateTimeOffset at)
    {
        lock (_lastErrors)
        {
            _lastErrors.Enqueue((at, reason));
            while (_lastErrors.Count > 5) _lastErrors.Dequeue();
        }
    }

    internal void RequestStarted() => Interlocked.Increment(ref _requests);

    internal void RequestSucceeded(int accepted, int rejected)
    {
        Interlocked.Increment(ref _succeeded);
        Volatile.Write(ref _failuresInARow, 0);
        Interlocked.Add(ref _objectsAccepted, accepted);
        Interlocked.Add(ref _objectsRejected, rejected);
    }

    internal void RequestFailed()
    {
        Interlocked.Increment(ref _failed);
        Interlocked.Increment(ref _failuresInARow);
    }
}
