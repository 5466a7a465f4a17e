using Akka;
using Akka.Actor;
using Akka.Streams;
using Crm.Actors.Kafka;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Pipeline;

/// <summary>
/// Runs the record pipeline for the life of the actor system, restarting it (after a pause) if it fails, and
/// stops it in order on shutdown: stop fetching, let the in-flight records reach Braze, commit, leave the group.
/// The source's partition progress goes to <paramref name="lag"/> when given.
/// </summary>
public sealed class KafkaPipeline(
    KafkaSettings kafka, PipelineSettings settings, IDeadLetters deadLetters, PipelineStats stats, ILoggerFactory loggers,
    Operating.LagMonitor? lag = null)
{
    private static readonly TimeSpan RestartDelay = TimeSpan.FromSeconds(5);
    private readonly ILogger _logger = loggers.CreateLogger<KafkaPipeline>();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile CommittableKafkaSource? _source;
    private volatile bool _stopping;

    public PipelineStats Stats => stats;

    /// <summary>Partitions this node owns, with committed offsets and lag.</summary>
    public IReadOnlyList<PartitionProgress> Progress => _source?.Progress ?? [];

    /// <summary>Starts consuming into <paramref name="customers"/>; <paramref name="listener"/> hears of each assignment.</summary>
    public void Start(ActorSystem system, IActorRef customers, IPartitionAssignmentListener? listener = null)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceUnbind, "stop-kafka-fetching", () =>
        {
            _stopping = true;
            _source?.StopFetching();
            return Task.FromResult(Done.Instance);
        });
        shutdown.AddTask(CoordinatedShutdown.PhaseServiceRequestsDone, "drain-and-commit", async () =>
        {
            await _stopped.Task.ConfigureAwait(false);
            return Done.Instance;
        });
        _ = RunAsync(system, customers, listener);
    }

    private async Task RunAsync(ActorSystem system, IActorRef customers, IPartitionAssignmentListener? listener)
    {
        var materializer = system.Materializer(namePrefix: "kafka-pipeline");
        var eventTypes = EventTypes.EventCatalog.Of(system);
        stats.RecordsInFromStart(eventTypes, kafka.Topics);
        var pipeline = new RecordPipeline(customers, eventTypes, deadLetters, settings, kafka, stats);
        while (!_stopping)
        {
            var source = new CommittableKafkaSource(
                kafka, loggers.CreateLogger<CommittableKafkaSource>(), listener, lag is null ? null : lag.Record);
            _source = source;
            source.Start();
            if (_stopping) source.StopFetching();
            try
            {
                await pipeline.Run(system, source, materializer).ConfigureAwait(false);
                if (!_stopping) _logger.LogWarning("Kafka pipeline completed unexpectedly; restarting in {Delay}", RestartDelay);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Kafka pipeline failed; restarting in {Delay}", RestartDelay);
            }
            finally
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
            if (!_stopping) await Task.Delay(RestartDelay).ConfigureAwait(false);
        }
        _logger.LogInformation("Kafka pipeline stopped: in-flight records delivered and committed");
        _stopped.TrySetResult();
    }
}
