using System.Diagnostics.Metrics;
using Crm.Actors.Operating;

namespace Crm.Actors.UnitTests.Operating;

/// <summary>crm.stage.duration takes only the fixed set of stages, each sample tagged with its stage.</summary>
public sealed class StageDurationTests
{
    [Fact]
    public void Each_stage_is_recorded_with_its_tag_and_an_unknown_stage_is_refused()
    {
        using var factory = new TestMeterFactory();
        using var metrics = new CrmMetrics(new LagMonitor(), factory);
        var seen = new List<(double Seconds, string? Stage)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == factory && instrument.Name == "crm.stage.duration") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((_, seconds, tags, _) => seen.Add((seconds, tags.ToArray().Single(t => t.Key == "stage").Value as string)));
        listener.Start();

        foreach (var stage in CrmMetrics.Stages) metrics.RecordStage(stage, TimeSpan.FromMilliseconds(250));

        Assert.Equal(CrmMetrics.Stages, seen.Select(s => s.Stage));
        Assert.All(seen, s => Assert.Equal(0.25, s.Seconds));
        Assert.Throws<ArgumentOutOfRangeException>(() => metrics.RecordStage("lunch", TimeSpan.FromSeconds(1)));
    }

    private sealed class TestMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name, options.Version, options.Tags, scope: this);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in _meters) meter.Dispose();
        }
    }
}
