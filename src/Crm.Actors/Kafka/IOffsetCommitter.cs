namespace Crm.Actors.Kafka;

/// <summary>Where the pipeline hands the offsets it may commit: the consumer that read them.</summary>
public interface IOffsetCommitter
{
    /// <summary>
    /// Marks <paramref name="offsets"/> done (the next offset to read is each + 1); at most one per partition and
    /// generation, each higher than the last given for it. Completes once stored; committed in the background.
    /// </summary>
    Task CommitAsync(IReadOnlyCollection<CommittableOffset> offsets);

    /// <summary>
    /// <see cref="CommitAsync"/>, with a task that completes once the offsets are committed to Kafka: true once the
    /// commit carrying them returned, false when none of them was this consumer's to commit any more (or it closed
    /// first). A committer with no background commit completes it with <see cref="CommitAsync"/>'s task.
    /// </summary>
    Task<bool> CommitToKafkaAsync(IReadOnlyCollection<CommittableOffset> offsets) =>
        CommitAsync(offsets).ContinueWith(stored => stored.IsCompletedSuccessfully, CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
