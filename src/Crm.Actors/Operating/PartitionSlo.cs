namespace Crm.Actors.Operating;

/// <summary>
/// The lag SLO of one partition: a sliding window of samples evaluated by <see cref="LagEvaluator"/>, and how much
/// of the evaluated time the partition was not lagging (lagging and stalled both count against it). The time between
/// two samples is charged to the state evaluated at the later one. Not thread-safe; time comes with the samples.
/// </summary>
public sealed class PartitionSlo(int windowSize)
{
    private readonly Queue<LagSample> _window = new();

    public LagState State { get; private set; } = LagState.Unknown;

    public LagSample? Last { get; private set; }

    /// <summary>Time charged to a known state (ok, lagging or stalled).</summary>
    public TimeSpan Evaluated { get; private set; }

    /// <summary>The part of <see cref="Evaluated"/> charged to ok.</summary>
    public TimeSpan NotLagging { get; private set; }

    /// <summary>Share of the evaluated time the partition was not lagging; 1 before anything was evaluated.</summary>
    public double NotLaggingRatio => Evaluated > TimeSpan.Zero ? NotLagging / Evaluated : 1.0;

    /// <summary>Committed records per second across the window.</summary>
    public double CommittedPerSecond
    {
        get
        {
            if (_window.Count < 2) return 0;
            var first = _window.Peek();
            var seconds = (Last!.At - first.At).TotalSeconds;
            return seconds > 0 ? Math.Max(0, Last.Committed - first.Committed) / seconds : 0;
        }
    }

    public LagState Add(LagSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (Last is { } previous && sample.At <= previous.At) return State; // out of order or repeated: ignore
        _window.Enqueue(sample);
        while (_window.Count > windowSize) _window.Dequeue();
        var state = LagEvaluator.Evaluate(_window.ToList());
        if (Last is { } before && state != LagState.Unknown)
        {
            var elapsed = sample.At - before.At;
            Evaluated += elapsed;
            if (state == LagState.Ok) NotLagging += elapsed;
        }
        Last = sample;
        State = state;
        return state;
    }
}
