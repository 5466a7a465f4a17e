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
    public static KafkaSettings For(string bootstrapServers, IReadOnlyList<string> topics, string groupId = "crm-actors") => new(
        bootstrapServers, groupId, topics, "crm.deadletter", BufferSize: 1000, CommitBatchSize: 1000,
        CommitInterval: TimeSpan.FromMilliseconds(200), new Dictionary<string, string>());
}
