using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crm.Actors.Kafka;

namespace Crm.Actors.Pipeline;

public sealed record PipelineSettings(int MaxRecordsInFlight, TimeSpan RecordTimeout)
{
    public static readonly PipelineSettings Default = new(2000, TimeSpan.FromSeconds(60));
}

/// <summary>
/// One run of Kafka → decode → customer entity (→ gateway → Braze) → commit: the source's records go, in groups taken
/// while the dispatcher is busy, to a <see cref="RecordDispatcher"/> that acknowledges each group once it has room
/// (<c>Pipeline:MaxRecordsInFlight</c>). A slow Braze fills the window and the source pauses: backpressure end to end.
/// </summary>
public sealed class RecordPipeline(
    IActorRef customers, EventTypes.EventCatalog eventTypes, IDeadLetters deadLetters, PipelineSettings settings, KafkaSettings kafka, PipelineStats stats)
{
    /// <summary>Records per message to the dispatcher, at most; they group only while it has not acknowledged the last.</summary>
    private const int MaxRecordsPerMessage = 256;

    private static long _runs;

    /// <summary>Runs until the source completes and every record is done and committed; fails when the run fails.</summary>
    public Task Run(ActorSystem system, CommittableKafkaSource source, IMaterializer materializer) =>
        Run(system, source.Source, source, materializer);

    /// <summary>Runs <paramref name="records"/> through, committing to <paramref name="committer"/>.</summary>
    public Task Run(ActorSystem system, Source<CommittableRecord, Akka.NotUsed> records, IOffsetCommitter committer, IMaterializer materializer)
    {
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var dispatcher = system.ActorOf(
            RecordDispatcher.Props(customers, eventTypes, deadLetters, committer, settings, kafka, stats, finished),
            $"record-dispatcher-{Interlocked.Increment(ref _runs)}");
        records
            .Batch(MaxRecordsPerMessage, record => new List<CommittableRecord> { record }, (group, record) =>
            {
                group.Add(record);
                return group;
            })
            .Select(group => new RecordDispatcher.Records(group))
            .RunWith(Sink.ActorRefWithAck<RecordDispatcher.Records>(
                dispatcher,
                RecordDispatcher.StreamStarted.Instance,
                RecordDispatcher.Ack.Instance,
                RecordDispatcher.StreamCompleted.Instance,
                e => new RecordDispatcher.StreamFailed(e)), materializer);
        return finished.Task;
    }
}
