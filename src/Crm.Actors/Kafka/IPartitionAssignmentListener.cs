using Confluent.Kafka;

namespace Crm.Actors.Kafka;

/// <summary>Told, on the consumer's thread, which partitions the group gave this consumer. Must not block.</summary>
public interface IPartitionAssignmentListener
{
    void Assigned(IReadOnlyCollection<TopicPartition> partitions);
}
