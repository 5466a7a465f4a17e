namespace Crm.Actors.Operating;

/// <summary>
/// A per-second rate of an ever-growing total over the last <c>span</c>: samples go in as (time, total), the rate
/// is the growth between the oldest kept sample and the newest. Not thread-safe (one actor owns it).
/// </summary>
public sealed class RateWindow(TimeSpan span)
{
    private readonly Queue<(DateTimeOffset At, long Total)> _samples = new();

    public void Add(DateTimeOffset at, long total)
    {
        _samples.Enqueue((at, total));
        while (_samples.Count > 2 && at - _samples.Peek().At > span) _samples.Dequeue();
    }

    public double PerSecond
    {
        get
        {
            if (_samples.Count < 2) return 0;
            var first = _samples.Peek();
            var last = _samples.Last();
            var seconds = (last.At - first.At).TotalSeconds;
            return seconds > 0 ? (last.Total - first.Total) / seconds : 0;
        }
    }
}
