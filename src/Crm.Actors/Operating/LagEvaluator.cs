namespace Crm.Actors.Operating;

/// <summary>How a partition's consumer is doing, as Burrow would say it.</summary>
public enum LagState
{
    /// <summary>Not enough samples in the window yet to say.</summary>
    Unknown,
    Ok,
    Lagging,
    Stalled,
}

/// <summary>One look at a partition: the group's committed offset and the partition's end offset.</summary>
public sealed record LagSample(DateTimeOffset At, long Committed, long EndOffset)
{
    public long Lag => Math.Max(0, EndOffset - Committed);
}

/// <summary>
/// Burrow's partition rules over a sliding window of lag samples, as a pure function:
/// any sample with zero lag means OK (the consumer caught up within the window); a committed offset that does not
/// move while there is lag means stalled; lag that never shrinks from one sample to the next and grows across the
/// window means lagging (the consumer commits, but falls further behind); anything else is OK.
/// </summary>
public static class LagEvaluator
{
    /// <summary>Fewer samples than this and the trend cannot be told.</summary>
    public const int MinimumSamples = 3;

    public static LagState Evaluate(IReadOnlyList<LagSample> window)
    {
        if (window.Count < MinimumSamples) return LagState.Unknown;
        if (window.Any(s => s.Lag == 0)) return LagState.Ok;
        if (window.All(s => s.Committed == window[0].Committed)) return LagState.Stalled;
        var neverShrinks = window.Zip(window.Skip(1), (earlier, later) => later.Lag >= earlier.Lag).All(grows => grows);
        return neverShrinks && window[^1].Lag > window[0].Lag ? LagState.Lagging : LagState.Ok;
    }
}
