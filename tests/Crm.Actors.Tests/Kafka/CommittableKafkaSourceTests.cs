using System.Collections.Concurrent;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crm.Actors.Kafka;
using Crm.Actors.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Crm.Actors.Tests.Kafka;

/// <summary>The committable source (with the simplest in-order committer) against librdkafka's mock cluster over TCP.</summary>
public sealed class CommittableKafkaSourceTests : Akka.TestKit.Xunit.TestKit, IClassFixture<KafkaTestCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly KafkaTestCluster _kafka;
    private readonly IMaterializer _materializer;

    public CommittableKafkaSourceTests(KafkaTestCluster kafka)
    {
        _kafka = kafka;
        _materializer = Sys.Materializer();
    }

    private KafkaSettings Settings(string topic, string group, int bufferSize = 100, int commitBatch = 10, TimeSpan? interval = null) =>
        KafkaSettings.For(_kafka.BootstrapServers, [topic], group) with
        {
            BufferSize = bufferSize,
            CommitBatchSize = commitBatch,
            CommitInterval = interval ?? TimeSpan.FromMilliseconds(100),
            ClientProperties = KafkaTestCluster.FastGroupProperties,
        };

    private string ProduceNumbered(int count)
    {
        var topic = _kafka.NewTopic();
        for (var i = 0; i < count; i++) _kafka.Produce(topic, $"key-{i}", BitConverter.GetBytes(i));
        _kafka.Flush();
        return topic;
    }

    [Fact]
    public async Task Commits_every_record_in_batches_by_count()
    {
        var topic = ProduceNumbered(200);
        var group = "batching-" + Guid.NewGuid();
        await using var source = new CommittableKafkaSource(Settings(topic, group, commitBatch: 50, interval: TimeSpan.FromSeconds(30)), NullLogger.Instance);
        source.Start();
        var seen = 0;
        _ = source.Source
            .Select(record => { Interlocked.Increment(ref seen); return record.CommittableOffset; })
            .RunWith(OrderedCommitSink.For(source, 50, TimeSpan.FromSeconds(30)), _materializer);

        await AwaitAssertAsync(() =>
        {
            Assert.Equal(200, Volatile.Read(ref seen));
            Assert.Equal(_kafka.EndOffsets(topic), _kafka.CommittedOffsets(group, topic));
        }, Patience, TimeSpan.FromMilliseconds(200));
        // 200 records in batches of 50 (the 30 s interval never fires): at most one commit per batch (a batch done
        // while the previous commit is still running goes with the next one), never one per record.
        Assert.InRange(source.Commits, 1, 4);
    }

    [Fact]
    public async Task Commits_by_interval_when_the_batch_is_not_full()
    {
        var topic = ProduceNumbered(7);
        var group = "interval-" + Guid.NewGuid();
        await using var source = new CommittableKafkaSource(Settings(topic, group), NullLogger.Instance);
        source.Start();
        _ = source.Source.Select(r => r.CommittableOffset)
            .RunWith(OrderedCommitSink.For(source, 1000, TimeSpan.FromMilliseconds(100)), _materializer);

        await AwaitAssertAsync(() => Assert.Equal(_kafka.EndOffsets(topic), _kafka.CommittedOffsets(group, topic)), Patience, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Does_not_commit_past_a_record_that_is_not_done()
    {
        var topic = _kafka.NewTopic();
        for (var i = 0; i < 20; i++) _kafka.Produce(topic, "k", BitConverter.GetBytes(i), partition: 0);
        _kafka.Flush();
        var group = "held-" + Guid.NewGuid();
        var hold = new TaskCompletionSource();
        await using var source = new CommittableKafkaSource(Settings(topic, group), NullLogger.Instance);
        source.Start();
        var processed = 0;
        _ = source.Source
            .SelectAsync(8, async record =>
            {
                if (record.Offset == 5) await hold.Task; // record 5 is slow; 6.. finish first
                Interlocked.Increment(ref processed);
                return record.CommittableOffset;
            })
            .RunWith(OrderedCommitSink.For(source, 1, TimeSpan.FromMilliseconds(50)), _materializer);

        await AwaitAssertAsync(() =>
        {
            Assert.True(Volatile.Read(ref processed) >= 7);
            Assert.Equal(5, _kafka.CommittedOffsets(group, topic)[0]); // offsets 0..4 done: next to read is 5
        }, Patience, TimeSpan.FromMilliseconds(200));

        hold.SetResult();
        await AwaitAssertAsync(() => Assert.Equal(20, _kafka.CommittedOffsets(group, topic)[0]), Patience, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task Redelivers_uncommitted_records_after_a_restart()
    {
        var topic = ProduceNumbered(100);
        var group = "restart-" + Guid.NewGuid();
        var firstRun = new ConcurrentBag<(int Partition, long Offset)>();
        await using (var source = new CommittableKafkaSource(Settings(topic, group), NullLogger.Instance))
        {
            source.Start();
            // Only offsets below 10 of each partition get done; the rest stay in flight forever.
            _ = source.Source
                .Select(r => { firstRun.Add((r.Partition, r.Offset)); return r; })
                .Where(r => r.Offset < 10)
                .Select(r => r.CommittableOffset)
                .RunWith(OrderedCommitSink.For(source, 5, TimeSpan.FromMilliseconds(50)), _materializer);
            await AwaitAssertAsync(() =>
                Assert.All(_kafka.CommittedOffsets(group, topic).Values, committed => Assert.Equal(10, committed)), Patience, TimeSpan.FromMilliseconds(200));
        }

        var secondRun = new ConcurrentBag<(int Partition, long Offset)>();
        await using (var source = new CommittableKafkaSource(Settings(topic, group), NullLogger.Instance))
        {
            source.Start();
            _ = source.Source
                .Select(r => { secondRun.Add((r.Partition, r.Offset)); return r.CommittableOffset; })
                .RunWith(OrderedCommitSink.For(source, 5, TimeSpan.FromMilliseconds(50)), _materializer);
            await AwaitAssertAsync(() => Assert.Equal(_kafka.EndOffsets(topic), _kafka.CommittedOffsets(group, topic)), Patience, TimeSpan.FromMilliseconds(200));
        }

        // The restart resumes exactly at the committed offsets: nothing skipped, nothing done re-read.
        Assert.All(secondRun, r => Assert.True(r.Offset >= 10));
        var ends = _kafka.EndOffsets(topic);
        foreach (var (partition, end) in ends)
            Assert.Equal(Enumerable.Range(10, (int)end - 10).Select(o => (long)o), secondRun.Where(r => r.Partition == partition).Select(r => r.Offset).Order());
    }

    [Fact]
    public async Task Pauses_fetching_when_the_stream_is_behind()
    {
        var topic = ProduceNumbered(2000);
        var group = "backpressure-" + Guid.NewGuid();
        await using var source = new CommittableKafkaSource(Settings(topic, group, bufferSize: 50), NullLogger.Instance);
        source.Start();
        var release = new TaskCompletionSource();
        var taken = 0;
        _ = source.Source
            .SelectAsync(1, async r => { Interlocked.Increment(ref taken); await release.Task; return r.CommittableOffset; })
            .RunWith(OrderedCommitSink.For(source, 100, TimeSpan.FromMilliseconds(50)), _materializer);

        await AwaitAssertAsync(() => Assert.True(source.IsPaused), Patience, TimeSpan.FromMilliseconds(100));
        // Paused with 2000 records available: the buffer holds about BufferSize, not the topic.
        Assert.InRange(source.Buffered, 1, 60);
        Assert.InRange(Volatile.Read(ref taken), 1, 20);

        release.SetResult();
        await AwaitAssertAsync(() => Assert.Equal(_kafka.EndOffsets(topic), _kafka.CommittedOffsets(group, topic)), Patience, TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public async Task A_revoked_partition_is_not_committed_by_its_old_owner_and_nothing_is_lost()
    {
        var topic = ProduceNumbered(400);
        var group = "revoke-" + Guid.NewGuid();
        var done = new ConcurrentDictionary<(int, long), int>();
        var releaseFirst = new TaskCompletionSource();

        await using var first = new CommittableKafkaSource(Settings(topic, group, bufferSize: 20), NullLogger.Instance);
        first.Start();
        // The first consumer gets stuck on everything it reads, so whatever it holds is in flight at the rebalance.
        var firstCompletion = first.Source
            .SelectAsync(50, async r => { await releaseFirst.Task; done.AddOrUpdate((r.Partition, r.Offset), 1, (_, n) => n + 1); return r.CommittableOffset; })
            .RunWith(OrderedCommitSink.For(first, 10, TimeSpan.FromMilliseconds(50)), _materializer);
        await AwaitAssertAsync(() => Assert.True(first.IsPaused), Patience, TimeSpan.FromMilliseconds(100));

        await using var second = new CommittableKafkaSource(Settings(topic, group), NullLogger.Instance);
        second.Start();
        _ = second.Source
            .Select(r => { done.AddOrUpdate((r.Partition, r.Offset), 1, (_, n) => n + 1); return r.CommittableOffset; })
            .RunWith(OrderedCommitSink.For(second, 10, TimeSpan.FromMilliseconds(50)), _materializer);

        // Cooperative rebalance: the second consumer takes some partitions over and finishes them.
        await AwaitAssertAsync(() => Assert.True(second.Progress.Count > 0 && first.Progress.Count < 4), Patience, TimeSpan.FromMilliseconds(100));
        var moved = second.Progress.Select(p => p.Partition).ToHashSet();
        var ends = _kafka.EndOffsets(topic);
        await AwaitAssertAsync(() =>
        {
            var committed = _kafka.CommittedOffsets(group, topic);
            foreach (var partition in moved) Assert.Equal(ends[partition], committed[partition]);
        }, Patience, TimeSpan.FromMilliseconds(200));

        // Now the stuck records of the old owner finish; its late commits for moved partitions must be dropped,
        // and everything it still owns gets done and committed.
        var committedBefore = _kafka.CommittedOffsets(group, topic);
        releaseFirst.SetResult();
        await AwaitAssertAsync(() => Assert.Equal(ends, _kafka.CommittedOffsets(group, topic)), Patience, TimeSpan.FromMilliseconds(200));
        foreach (var partition in moved) Assert.Equal(committedBefore[partition], _kafka.CommittedOffsets(group, topic)[partition]);
        // Every record was done at least once.
        foreach (var (partition, end) in ends)
            for (long offset = 0; offset < end; offset++)
                Assert.True(done.ContainsKey((partition, offset)), $"record {partition}@{offset} was never processed");
        first.StopFetching();
        await firstCompletion;
    }
}
