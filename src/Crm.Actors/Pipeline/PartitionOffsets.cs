using Crm.Actors.Kafka;

namespace Crm.Actors.Pipeline;

/// <summary>
/// Which offsets can be committed, per partition: records finish in any order, and a partition's committable offset is
/// its highest one whose record and every earlier record of the partition are done. A record held back (a slow
/// customer, Braze retrying) holds back only its own partition. Offsets are tracked per assignment generation
/// (<see cref="CommittableOffset.Generation"/>), since a partition given back re-reads offsets already tracked.
/// Offsets of one partition and generation must be added in increasing order (as a consumer reads them). Not thread-safe.
/// </summary>
public sealed class PartitionOffsets
{
    private readonly Dictionary<(string Topic, int Partition, long Generation), Partition> _partitions = [];

    /// <summary>Records added and not yet done, over every partition.</summary>
    public int Pending { get; private set; }

    /// <summary>Starts tracking <paramref name="offset"/>'s record.</summary>
    public void Add(CommittableOffset offset)
    {
        var key = (offset.Topic, offset.Partition, offset.Generation);
        if (!_partitions.TryGetValue(key, out var partition)) _partitions[key] = partition = new Partition();
        if (offset.Offset <= partition.Last)
            throw new ArgumentException($"{offset} is not after the last offset added for its partition ({partition.Last})", nameof(offset));
        partition.Last = offset.Offset;
        partition.Order.Enqueue(offset.Offset);
        partition.DoneAt[offset.Offset] = null;
        Pending++;
    }

    /// <summary>
    /// Marks <paramref name="offset"/>'s record done at <paramref name="doneAt"/> (the caller's timestamp, handed back by
    /// <see cref="TakeCommittable"/>); an offset not tracked (or done already) is ignored.
    /// </summary>
    public void Done(CommittableOffset offset, long doneAt = 0)
    {
        if (!_partitions.TryGetValue((offset.Topic, offset.Partition, offset.Generation), out var partition)) return;
        if (!partition.DoneAt.TryGetValue(offset.Offset, out var done) || done is not null) return;
        partition.DoneAt[offset.Offset] = doneAt;
        Pending--;
        while (partition.Order.TryPeek(out var head) && partition.DoneAt[head] is { } headDoneAt)
        {
            partition.Order.Dequeue();
            partition.DoneAt.Remove(head);
            partition.Committable = head;
            partition.CommittableDoneAt.Add(headDoneAt);
        }
    }

    /// <summary>
    /// For each partition that moved since the last call: the offset of its last record done with all before it. A
    /// partition with nothing left pending stops being tracked once taken. <paramref name="doneAt"/>, when given, gets
    /// the <c>doneAt</c> of every record the offsets returned cover (one each).
    /// </summary>
    public IReadOnlyList<CommittableOffset> TakeCommittable(List<long>? doneAt = null)
    {
        var result = new List<CommittableOffset>();
        foreach (var ((topic, partitionNumber, generation), partition) in _partitions.ToList())
        {
            if (partition.Committable is { } offset)
            {
                result.Add(new CommittableOffset(topic, partitionNumber, offset, generation));
                partition.Committable = null;
                doneAt?.AddRange(partition.CommittableDoneAt);
                partition.CommittableDoneAt.Clear();
            }
            if (partition.Order.Count == 0) _partitions.Remove((topic, partitionNumber, generation));
        }
        return result;
    }

    private sealed class Partition
    {
        // Offsets added and not yet committable, in order, and when each was done (null: not yet).
        public Queue<long> Order { get; } = new();
        public Dictionary<long, long?> DoneAt { get; } = [];
        public long Last { get; set; } = -1;
        public long? Committable { get; set; }
        // When each record up to Committable was done, since the last take.
        public List<long> CommittableDoneAt { get; } = [];
    }
}
