using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace Crm.Actors.Tests.Support;

/// <summary>Which broker coordinates a consumer group, as a client finds it (FindCoordinator), and who leads each partition.</summary>
public static class KafkaCoordinator
{
    /// <summary>The id of the broker coordinating <paramref name="groupId"/>: asks for the group's committed offsets and reads the client's log.</summary>
    public static int Of(KafkaTestCluster kafka, string groupId, string anyTopic)
    {
        var logs = new ConcurrentQueue<string>();
        using (var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = groupId, Debug = "cgrp" })
                   .SetLogHandler((_, message) => logs.Enqueue(message.Message))
                   .Build())
        {
            consumer.Committed([new TopicPartition(anyTopic, 0)], TimeSpan.FromSeconds(10));
        }
        var pattern = CoordinatorLine(Regex.Escape(groupId));
        foreach (var line in logs)
            if (pattern.Match(line) is { Success: true } match) return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        throw new InvalidOperationException($"no coordinator found for group {groupId} in the client's log:\n{string.Join('\n', logs)}");
    }

    /// <summary>The current leader of each partition of <paramref name="topic"/>, from the cluster's metadata.</summary>
    public static Dictionary<int, int> Leaders(KafkaTestCluster kafka, string topic)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = kafka.BootstrapServers }).Build();
        return admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics.Single().Partitions.ToDictionary(p => p.PartitionId, p => p.Leader);
    }

    private static Regex CoordinatorLine(string escapedGroup) => new($"Group \"{escapedGroup}\" coordinator is \\S+ id (\\d+)");
}
