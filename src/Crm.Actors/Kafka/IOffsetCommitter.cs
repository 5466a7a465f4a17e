namespace Crm.Actors.Kafka;

/// <summary>Where the pipeline hands the offsets it may commit: the consumer that read them.</summary>
public interface IOffsetCommitter
{
    /// <summary>
    /// Marks <paramref name="offsets"/> done (the next offset to read is each + 1); at most one per partition and
    /// generation, each higher than the last given for it. Completes once stored; committed in the background.
    /// </summary>
    Task CommitAsync(IReadOnlyCollection<CommittableOffset> offsets);
}
