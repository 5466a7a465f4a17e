using System.Text;
using Confluent.Kafka;
using Crm.Actors.Kafka;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.Support;

/// <summary>A mock Kafka cluster (real protocol over TCP) for one test class, with helpers to produce and inspect.</summary>
public sealed class KafkaTestCluster : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private int _topicNumber;

    public KafkaTestCluster()
    {
        Cluster = new MockKafkaCluster(brokers: 3);
        // Large enough for the over-1-MiB poison records of the contract.
        _producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
        {
            BootstrapServers = Cluster.BootstrapServers,
            LingerMs = 2,
            MessageMaxBytes = 4 * 1024 * 1024,
        }).Build();
    }

    public MockKafkaCluster Cluster { get; }

    /// <summary>
    /// The mock coordinator waits out a departed member's session before completing a rebalance: a short session
    /// keeps group changes in tests to seconds.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> FastGroupProperties = new Dictionary<string, string>
    {
        ["session.timeout.ms"] = "6000",
        ["heartbeat.interval.ms"] = "500",
    };

    public string BootstrapServers => Cluster.BootstrapServers;

    /// <summary>A topic name not used before in this cluster, created with 4 partitions.</summary>
    public string NewTopic(string prefix = "topic")
    {
        var topic = $"{prefix}-{Interlocked.Increment(ref _topicNumber)}";
        Cluster.CreateTopic(topic, partitions: 4);
        return topic;
    }

    public void Produce(string topic, string? key, byte[] value, int? partition = null) =>
        Produce(topic, key is null ? null : Encoding.UTF8.GetBytes(key), value, headers: null, partition);

    /// <summary>A record exactly as given: a null key or value (a tombstone) stays null, headers keep their order.</summary>
    public void Produce(string topic, byte[]? key, byte[]? value, Headers? headers, int? partition = null)
    {
        var message = new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = headers };
        if (partition is { } p) _producer.Produce(new TopicPartition(topic, new Partition(p)), message);
        else _producer.Produce(topic, message);
    }

    public void Produce(SampleRecord record, string? topic = null) => Produce(topic ?? record.Topic, record.Key, record.Value);

    public void Flush() => _producer.Flush(TimeSpan.FromSeconds(30));

    /// <summary>High watermark (end offset) of each partition.</summary>
    public Dictionary<int, long> EndOffsets(string topic)
    {
        using var consumer = Consumer("inspector-" + Guid.NewGuid());
        return Enumerable.Range(0, 4).ToDictionary(p => p,
            p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, new Partition(p)), TimeSpan.FromSeconds(10)).High.Value);
    }

    /// <summary>The group's committed offset of each partition (-1001 when none).</summary>
    public Dictionary<int, long> CommittedOffsets(string groupId, string topic)
    {
        using var consumer = Consumer(groupId);
        return consumer.Committed(Enumerable.Range(0, 4).Select(p => new TopicPartition(topic, new Partition(p))), TimeSpan.FromSeconds(10))
            .ToDictionary(tpo => tpo.Partition.Value, tpo => tpo.Offset.Value);
    }

    /// <summary>True when the group committed every partition up to its end (an empty partition needs no commit).</summary>
    public bool IsFullyCommitted(string groupId, string topic)
    {
        var committed = CommittedOffsets(groupId, topic);
        return EndOffsets(topic).All(end => end.Value == 0 || committed[end.Key] == end.Value);
    }

    /// <summary>Every record of the topic, read from the beginning.</summary>
    public List<ConsumeResult<byte[]?, byte[]?>> ReadAll(string topic)
    {
        using var consumer = Consumer("reader-" + Guid.NewGuid());
        var ends = EndOffsets(topic);
        consumer.Assign(ends.Keys.Select(p => new TopicPartitionOffset(topic, new Partition(p), Offset.Beginning)));
        var records = new List<ConsumeResult<byte[]?, byte[]?>>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (records.Count < ends.Values.Sum() && DateTime.UtcNow < deadline)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (result is not null && !result.IsPartitionEOF) records.Add(result);
        }
        return records;
    }

    private IConsumer<byte[]?, byte[]?> Consumer(string groupId) =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = groupId,
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();

    public void Dispose()
    {
        _producer.Dispose();
        Cluster.Dispose();
    }
}

public static class HeaderExtensions
{
    public static string? Text(this Headers headers, string name) =>
        headers.TryGetLastBytes(name, out var bytes) ? Encoding.UTF8.GetString(bytes) : null;
}
