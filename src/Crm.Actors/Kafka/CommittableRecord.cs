using Confluent.Kafka;
using Crm.Actors.Domain;
using Crm.Actors.EventTypes;

namespace Crm.Actors.Kafka;

/// <summary>
/// A position that can be committed once its record is done. <see cref="Generation"/> names the assignment the
/// record was read under: after a partition is revoked, offsets of an older generation are not committed.
/// </summary>
public readonly record struct CommittableOffset(string Topic, int Partition, long Offset, long Generation);

/// <summary>One header of a Kafka record: its key and its value byte for byte (Kafka allows a null value; it stays null).</summary>
public sealed record RecordHeader(string Key, byte[]? Value);

/// <summary>
/// A consumed record and the offset to commit when everything derived from it is done. Key and value are the bytes
/// Kafka holds: null stays null (a tombstone has a null value), empty stays empty, so a dead-letter copy is exact.
/// </summary>
public sealed record CommittableRecord(
    string Topic, int Partition, long Offset, byte[]? Key, byte[]? Value, Timestamp Timestamp, long Generation)
{
    /// <summary>The record's headers in their order, duplicates included; empty when it had none.</summary>
    public IReadOnlyList<RecordHeader> Headers { get; init; } = [];

    public CommittableOffset CommittableOffset => new(Topic, Partition, Offset, Generation);

    public RecordSource Source => new(Topic, Partition, Offset);

    /// <summary>Confluent's mutable headers as an immutable list, in order (null or none: empty).</summary>
    public static IReadOnlyList<RecordHeader> HeadersOf(Headers? headers)
    {
        if (headers is null || headers.Count == 0) return [];
        var copy = new RecordHeader[headers.Count];
        for (var i = 0; i < copy.Length; i++) copy[i] = new RecordHeader(headers[i].Key, headers[i].GetValueBytes());
        return copy;
    }
}
