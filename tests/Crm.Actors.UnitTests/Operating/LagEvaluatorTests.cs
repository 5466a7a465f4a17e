using Crm.Actors.Operating;

namespace Crm.Actors.UnitTests.Operating;

/// <summary>Burrow's partition rules, sample by sample.</summary>
public sealed class LagEvaluatorTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Samples one second apart from (committed, end) pairs.</summary>
    private static List<LagSample> Window(params (long Committed, long End)[] points) =>
        points.Select((p, i) => new LagSample(Start.AddSeconds(i), p.Committed, p.End)).ToList();

    [Fact]
    public void Too_few_samples_are_unknown() =>
        Assert.Equal(LagState.Unknown, LagEvaluator.Evaluate(Window((0, 10), (0, 20))));

    [Fact]
    public void Zero_lag_anywhere_in_the_window_is_ok_even_if_lag_grows_after_it() =>
        Assert.Equal(LagState.Ok, LagEvaluator.Evaluate(Window((10, 10), (10, 20), (12, 30), (14, 40))));

    [Fact]
    public void A_committed_offset_that_does_not_move_while_there_is_lag_is_stalled() =>
        Assert.Equal(LagState.Stalled, LagEvaluator.Evaluate(Window((5, 10), (5, 10), (5, 10), (5, 10))));

    [Fact]
    public void Stalled_also_when_the_end_moves_away() =>
        Assert.Equal(LagState.Stalled, LagEvaluator.Evaluate(Window((5, 10), (5, 20), (5, 30))));

    [Fact]
    public void Commits_that_fall_further_behind_at_every_step_are_lagging() =>
        Assert.Equal(LagState.Lagging, LagEvaluator.Evaluate(Window((0, 10), (5, 20), (10, 30), (15, 45))));

    [Fact]
    public void Lag_that_shrinks_once_in_the_window_is_ok() =>
        Assert.Equal(LagState.Ok, LagEvaluator.Evaluate(Window((0, 10), (5, 20), (18, 25), (20, 35))));

    [Fact]
    public void Constant_lag_with_moving_commits_is_ok() =>
        Assert.Equal(LagState.Ok, LagEvaluator.Evaluate(Window((0, 10), (10, 20), (20, 30), (30, 40))));

    [Fact]
    public void The_window_slides_a_partition_recovers_once_the_growing_samples_leave_it()
    {
        var slo = new PartitionSlo(windowSize: 3);
        var states = new[] { (0L, 10L), (5, 20), (10, 30), (30, 35), (40, 42), (50, 50) }
            .Select((p, i) => slo.Add(new LagSample(Start.AddSeconds(i), p.Item1, p.Item2)))
            .ToList();
        Assert.Equal([LagState.Unknown, LagState.Unknown, LagState.Lagging, LagState.Ok, LagState.Ok, LagState.Ok], states);
    }

    [Fact]
    public void The_share_of_time_not_lagging_counts_lagging_and_stalled_time_against_it()
    {
        var slo = new PartitionSlo(windowSize: 3);
        // The first two samples are unknown (not counted); the third and fourth end windows whose lag grows at every
        // step while commits move (lagging); from the fifth on the lag is zero (OK).
        var samples = new (long, long)[] { (0, 10), (5, 20), (10, 30), (10, 40), (40, 40), (40, 40), (40, 40), (40, 40), (40, 40), (40, 40) };
        foreach (var (point, i) in samples.Select((p, i) => (p, i))) slo.Add(new LagSample(Start.AddSeconds(i), point.Item1, point.Item2));
        // Evaluated from the third sample on: 8 intervals of 1 s, of which the 2 ending at samples 3 and 4 were lagging.
        Assert.Equal(6.0 / 8.0, slo.NotLaggingRatio, precision: 6);
        Assert.Equal(LagState.Ok, slo.State);
    }

    [Fact]
    public void Committed_records_per_second_is_the_commit_progress_across_the_window()
    {
        var slo = new PartitionSlo(windowSize: 5);
        for (var i = 0; i < 5; i++) slo.Add(new LagSample(Start.AddSeconds(2 * i), 100 + 30 * i, 200 + 30 * i));
        Assert.Equal(15.0, slo.CommittedPerSecond, precision: 6);
    }

    [Fact]
    public void Samples_out_of_order_are_ignored()
    {
        var slo = new PartitionSlo(windowSize: 5);
        slo.Add(new LagSample(Start.AddSeconds(5), 10, 10));
        slo.Add(new LagSample(Start.AddSeconds(4), 0, 50));
        Assert.Equal(10, slo.Last!.Committed);
    }
}
