using Akka.Cluster.Sharding;
using Crm.Actors.Kafka;

namespace Crm.Actors.Customers;

/// <summary>
/// Entity id = customer id; shard id = the Kafka partition the producers put the customer's records on, so a
/// shard is a partition and shard ids never change in the cluster's life.
/// </summary>
public sealed class CustomerMessageExtractor(int partitions, Func<string, int, int> partitioner) : IMessageExtractor
{
    /// <summary>The extractor for <paramref name="settings"/>' partition count and partitioner.</summary>
    public static CustomerMessageExtractor For(Hosting.CustomerSettings settings) =>
        new(settings.Partitions, KafkaPartitioner.ByName(settings.Partitioner)
            ?? throw new ArgumentException($"unknown partitioner '{settings.Partitioner}'", nameof(settings)));

    public string? EntityId(object message) => (message as ICustomerMessage)?.CustomerId;

    public object? EntityMessage(object message) => message;

    public string? ShardId(object message) => EntityId(message) is { } id ? ShardId(id) : null;

    public string ShardId(string entityId, object? messageHint = null) =>
        partitioner(entityId, partitions).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
