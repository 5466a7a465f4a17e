using Crm.Actors.Operating;

namespace Crm.Actors.UnitTests.Operating;

/// <summary>Reading librdkafka's statistics: which partitions are ours, and where they stand.</summary>
public sealed class LagMonitorTests
{
    // The shape librdkafka 2.x emits (trimmed to the fields read): partition -1 is the unassigned bucket,
    // desired=false marks partitions known from metadata but not assigned to this consumer.
    private const string Statistics = """
        {
          "name": "rdkafka#consumer-1", "type": "consumer",
          "topics": {
            "bookings": {
              "topic": "bookings",
              "partitions": {
                "0": { "partition": 0, "desired": true, "fetch_state": "active", "committed_offset": 40, "lo_offset": 0, "hi_offset": 52, "consumer_lag": 12 },
                "1": { "partition": 1, "desired": true, "fetch_state": "active", "committed_offset": -1001, "lo_offset": 7, "hi_offset": 20, "consumer_lag": -1 },
                "2": { "partition": 2, "desired": false, "fetch_state": "none", "committed_offset": -1001, "lo_offset": -1, "hi_offset": -1, "consumer_lag": -1 },
                "3": { "partition": 3, "desired": true, "fetch_state": "offset-query", "committed_offset": -1001, "lo_offset": -1, "hi_offset": -1, "consumer_lag": -1 },
                "-1": { "partition": -1, "desired": false, "fetch_state": "none", "committed_offset": -1001, "lo_offset": -1, "hi_offset": -1, "consumer_lag": -1 }
              }
            }
          }
        }
        """;

    [Fact]
    public void Only_assigned_partitions_with_a_known_end_are_read_committed_falls_back_to_the_low_watermark()
    {
        var owned = LagMonitor.OwnedPartitions(Statistics);
        Assert.Equal([("bookings", 0, 40L, 52L), ("bookings", 1, 7L, 20L)], owned);
    }

    [Fact]
    public void Each_statistics_document_is_one_sample_and_partitions_no_longer_owned_are_forgotten()
    {
        var clock = new ManualClock();
        var monitor = new LagMonitor(windowSize: 3, clock);
        for (var i = 0; i < 3; i++)
        {
            monitor.OnStatistics(Statistics);
            clock.Advance(TimeSpan.FromSeconds(1));
        }
        var stalled = monitor.Snapshot();
        Assert.Equal(2, stalled.Count);
        Assert.All(stalled, p => Assert.Equal(LagState.Stalled, p.State)); // same committed offset, lag > 0, three times
        Assert.Equal(12, stalled[0].Lag);

        monitor.OnStatistics(Statistics.Replace("\"desired\": true, \"fetch_state\": \"active\", \"committed_offset\": 40", "\"desired\": false, \"fetch_state\": \"none\", \"committed_offset\": 40"));
        Assert.Equal([1], monitor.Snapshot().Select(p => p.Partition));
    }

    [Fact]
    public void A_malformed_document_changes_nothing()
    {
        var monitor = new LagMonitor();
        monitor.OnStatistics(Statistics);
        monitor.OnStatistics("{ not json");
        Assert.Equal(2, monitor.Snapshot().Count);
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
