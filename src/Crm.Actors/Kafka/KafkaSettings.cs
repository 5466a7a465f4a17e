using Confluent.Kafka;

namespace Crm.Actors.Kafka;

public sealed record KafkaSettings(
    string BootstrapServers,
    string GroupId,
    IReadOnlyList<string> Topics,
    string DeadLetterTopic,
    int BufferSize,
    int CommitBatchSize,
    TimeSpan CommitInterval,
    IReadOnlyDictionary<string, string> ClientProperties)
{
    /// <summary>
    /// The group's assignor. <c>range</c> gives every member the same partition numbers of every topic (the topics
    /// have equal partition counts), which is what puts a customer's records of all topics, and so its shard, on
    /// one node; <c>cooperative-sticky</c> moves fewer partitions but scatters a partition number over members.
    /// </summary>
    public PartitionAssignmentStrategy AssignmentStrategy { get; init; } = PartitionAssignmentStrategy.Range;

    /// <summary>
    /// On revocation, how long to wait for records already handed to the stream to finish, so their offsets are
    /// committed before the partition moves (no duplicates at the new owner). Bounded: a stuck record must not hold
    /// the group's rebalance; what is still in flight after it is redelivered to the new owner.
    /// </summary>
    public TimeSpan RevokeDrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public static KafkaSettings For(string bootstrapServers, IReadOnlyList<string> topics, string groupId = "crm-actors") => new(
        bootstrapServers, groupId, topics, "crm.deadletter", BufferSize: 1000, CommitBatchSize: 1000,
        CommitInterval: TimeSpan.FromMilliseconds(200), new Dictionary<string, string>());
}
