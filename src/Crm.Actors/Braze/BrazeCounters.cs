namespace Crm.Actors.Braze;

/// <summary>Running totals of the gateway, readable from any thread (progress line, status, tests).</summary>
public sealed class BrazeCounters
{
    private long _requests;
    private long _succeeded;
    private long _failed;
    private long _objectsAccepted;
    private long _objectsRejected;

    public long Requests => Interlocked.Read(ref _requests);
    public long SucceededRequests => Interlocked.Read(ref _succeeded);
    public long FailedRequests => Interlocked.Read(ref _failed);
    public long ObjectsAccepted => Interlocked.Read(ref _objectsAccepted);
    public long ObjectsRejected => Interlocked.Read(ref _objectsRejected);

    internal void RequestStarted() => Interlocked.Increment(ref _requests);

    internal void RequestSucceeded(int accepted, int rejected)
    {
        Interlocked.Increment(ref _succeeded);
        Interlocked.Add(ref _objectsAccepted, accepted);
        Interlocked.Add(ref _objectsRejected, rejected);
    }

    internal void RequestFailed() => Interlocked.Increment(ref _failed);
}
