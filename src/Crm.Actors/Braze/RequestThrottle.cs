namespace Crm.Actors.Braze;

/// <summary>Braze's rate-limit answer headers, when a response carried them.</summary>
public sealed record RateLimitInfo(int? Limit, int? Remaining, DateTimeOffset? Reset);

/// <summary>
/// Keeps requests within <c>Braze:RequestsPerWindow</c> per <c>Braze:Window</c> (a sliding window over the
/// send times of the last N requests), and within what Braze's own headers say: with Remaining at 0 nothing
/// goes out before Reset; with Remaining low the rest of the budget is spread evenly until Reset.
/// Time is passed in, so the logic is deterministic and tested without a clock.
/// </summary>
public sealed class RequestThrottle
{
    private readonly int _limit;
    private readonly TimeSpan _window;
    private readonly DateTimeOffset[] _sent; // ring buffer of the last _limit send times
    private int _next;
    private int _count;
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;
    private TimeSpan _spacing = TimeSpan.Zero;
    private DateTimeOffset _lastSent = DateTimeOffset.MinValue;

    public RequestThrottle(int requestsPerWindow, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerWindow, 1);
        _limit = requestsPerWindow;
        _window = window;
        _sent = new DateTimeOffset[requestsPerWindow];
    }

    /// <summary>The last rate-limit headers seen, for operators.</summary>
    public RateLimitInfo? LastSeen { get; private set; }

    /// <summary>When the next request may go: <paramref name="now"/> or later.</summary>
    public DateTimeOffset NextSlot(DateTimeOffset now)
    {
        var slot = now;
        if (_count == _limit)
        {
            var oldest = _sent[_next]; // the ring is full: _next is the oldest entry
            if (oldest + _window > slot) slot = oldest + _window;
        }
        if (_notBefore > slot) slot = _notBefore;
        if (_spacing > TimeSpan.Zero && _lastSent + _spacing > slot) slot = _lastSent + _spacing;
        return slot;
    }

    public void RecordSent(DateTimeOffset now)
    {
        _sent[_next] = now;
        _next = (_next + 1) % _limit;
        if (_count < _limit) _count++;
        _lastSent = now;
    }

    /// <summary>Takes Braze's view of the budget into account.</summary>
    public void Observe(RateLimitInfo? info, DateTimeOffset now)
    {
        if (info is null) return;
        LastSeen = info;
        if (info.Remaining is not { } remaining || info.Reset is not { } reset || reset <= now)
        {
            _spacing = TimeSpan.Zero;
            return;
        }
        if (remaining <= 0)
        {
            _notBefore = reset;
            _spacing = TimeSpan.Zero;
        }
        else if (remaining < LowBudget(info.Limit))
        {
            _spacing = (reset - now) / remaining;
        }
        else
        {
            _spacing = TimeSpan.Zero;
        }
    }

    /// <summary>Below a tenth of the limit (at least 10 requests) the budget counts as low.</summary>
    private int LowBudget(int? limit) => Math.Max(10, (limit ?? _limit) / 10);
}
