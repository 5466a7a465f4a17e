using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Kafka;

/// <summary>
/// A record, or an object Braze refused, on its way to the dead-letter topic, byte for byte: a null key or value
/// stays null, an empty one stays empty. <see cref="Headers"/> are the original record's, in order, duplicates
/// included; the writer adds its <c>crm-*</c> headers after them (as Kafka Connect's dead-letter queue does).
/// </summary>
public sealed record DeadLetter(byte[]? Key, byte[]? Value, string Reason, RecordSource? Source)
{
    public IReadOnlyList<RecordHeader> Headers { get; init; } = [];
}

/// <summary>Writes dead letters; the task completes once the write is durable (acks=all).</summary>
public interface IDeadLetters
{
    Task PublishAsync(DeadLetter letter, CancellationToken cancellationToken = default);
}
