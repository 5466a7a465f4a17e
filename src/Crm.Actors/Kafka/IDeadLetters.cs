using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Kafka;

/// <summary>A record, or an object Braze refused, on its way to the dead-letter topic, byte for byte.</summary>
public sealed record DeadLetter(byte[]? Key, byte[] Value, string Reason, RecordSource? Source);

/// <summary>Writes dead letters; the task completes once the write is durable (acks=all).</summary>
public interface IDeadLetters
{
    Task PublishAsync(DeadLetter letter, CancellationToken cancellationToken = default);
}
