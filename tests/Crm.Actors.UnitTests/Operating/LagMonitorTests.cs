using Crm.Actors.Kafka;
using Crm.Actors.Operating;

namespace Crm.Actors.UnitTests.Operating;

/// <summary>The lag monitor's samples come from the Kafka source's progress: which partitions are ours, and where they stand.</summary>
public sealed class LagMonitorTests
{
    private static readonly PartitionProgress[] Owned =
    [
        new("bookings", 0, Committed: 40, HighWatermark: 52),
        new("bookings", 1, Committed: 7, HighWatermark: 20),
        new("bookings", 3, Committed: null, HighWatermark: null), // assigned, no fetch answered yet
    ];

    [Fact]
    public void Each_refresh_is_one_sample_and_partitions_no_longer_owned_are_forgotten()
    {
        var clock = new ManualClock();
        var monitor = new LagMonitor(windowSize: 3, clock);
        for (var i = 0; i < 3; i++)
        {
            monitor.Record(Owned);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        var stalled = monitor.Snapshot();
        Assert.Equal([0, 1], stalled.Select(p => p.Partition));
        Assert.All(stalled, p => Assert.Equal(LagState.Stalled, p.State)); // same committed offset, lag > 0, three times
        Assert.Equal([12L, 13L], stalled.Select(p => p.Lag));

        monitor.Record(Owned[1..]);
        Assert.Equal([1], monitor.Snapshot().Select(p => p.Partition));
    }

    [Fact]
    public void A_partition_whose_committed_offset_moves_with_its_end_is_ok()
    {
        var clock = new ManualClock();
        var monitor = new LagMonitor(windowSize: 3, clock);
        for (var i = 0; i < 3; i++)
        {
            monitor.Record([new PartitionProgress("carts", 2, Committed: 100 * i, HighWatermark: 100 * i + 5)]);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        var partition = Assert.Single(monitor.Snapshot());
        Assert.Equal(LagState.Ok, partition.State);
        Assert.Equal(100, partition.CommittedPerSecond, precision: 6);
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}

/// <summary>Partitions no node reports are named in <c>pipeline status</c>.</summary>
public sealed class UnownedPartitionTests
{
    [Fact]
    public void Configured_partitions_nobody_reports_are_listed_in_order()
    {
        var owned = new[] { Status("bookings", 0), Status("bookings", 2), Status("carts", 1) };
        Assert.Equal(["bookings[1]", "carts[0]", "carts[2]"], Crm.Actors.Operating.NodeReports.Unowned(["bookings", "carts"], 3, owned));
        Assert.Empty(Crm.Actors.Operating.NodeReports.Unowned(["bookings"], 1, owned));
    }

    private static Crm.Management.PartitionStatus Status(string topic, int partition) =>
        new(topic, partition, "akka.tcp://crm@127.0.0.1:4053", 10, 10, 0, 1.0, "ok", 1.0);
}
