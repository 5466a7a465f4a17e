using Confluent.Kafka;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Kafka;

/// <summary>
/// A position that can be committed once its record is done. <see cref="Generation"/> names the assignment the
/// record was read under: after a partition is revoked, offsets of an older generation are not committed.
/// </summary>
public readonly record struct CommittableOffset(string Topic, int Partition, long Offset, long Generation);

/// <summary>A consumed record and the offset to commit when everything derived from it is done.</summary>
public sealed record CommittableRecord(
    string Topic, int Partition, long Offset, byte[]? Key, byte[] Value, Timestamp Timestamp, long Generation)
{
    public CommittableOffset CommittableOffset => new(Topic, Partition, Offset, Generation);

    public RecordSource Source => new(Topic, Partition, Offset);
}
