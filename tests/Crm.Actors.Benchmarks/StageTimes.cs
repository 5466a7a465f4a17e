using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Crm.Actors.Operating;

namespace Crm.Actors.Benchmarks;

/// <summary>
/// The service's own stage histogram (<c>crm.stage.duration</c>, see <see cref="CrmMetrics.Stages"/>), summed in this
/// process by a <see cref="MeterListener"/>: samples and seconds per stage, read as the difference of two snapshots.
/// </summary>
public sealed class StageTimes : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, (long Count, double Seconds)> _totals = new();

    public StageTimes()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == CrmMetrics.MeterName && instrument.Name == "crm.stage.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "stage", Value: string stage })
                    _totals.AddOrUpdate(stage, (1, seconds), (_, total) => (total.Count + 1, total.Seconds + seconds));
        });
        _listener.Start();
    }

    /// <summary>Samples and seconds per stage so far.</summary>
    public IReadOnlyDictionary<string, (long Count, double Seconds)> Snapshot() => new Dictionary<string, (long, double)>(_totals);

    /// <summary>Per stage: samples and mean milliseconds between two snapshots (stages without samples left out).</summary>
    public static IReadOnlyList<StageTime> Between(
        IReadOnlyDictionary<string, (long Count, double Seconds)> before, IReadOnlyDictionary<string, (long Count, double Seconds)> after) =>
        CrmMetrics.Stages
            .Select(stage =>
            {
                var (count0, seconds0) = before.GetValueOrDefault(stage);
                var (count1, seconds1) = after.GetValueOrDefault(stage);
                return new StageTime(stage, count1 - count0, count1 == count0 ? 0 : (seconds1 - seconds0) * 1000 / (count1 - count0));
            })
            .Where(s => s.Count > 0)
            .ToList();

    public void Dispose() => _listener.Dispose();
}

/// <summary>One stage over a measurement: how many samples, and their mean in milliseconds.</summary>
public sealed record StageTime(string Stage, long Count, double MeanMs);
