using Akka;
using Akka.Actor;
using Akka.Streams;
using Akka.Streams.Dsl;
using Crm.Actors.Braze;
using Crm.Actors.Customers;
using Crm.Actors.Domain;
using Crm.Actors.Kafka;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Pipeline;

public sealed record PipelineSettings(int MaxRecordsInFlight, TimeSpan RecordTimeout)
{
    public static readonly PipelineSettings Default = new(2000, TimeSpan.FromSeconds(60));
}

/// <summary>
/// Kafka → decode → customer entity (→ gateway → Braze) → commit, as one stream.
/// Up to <c>MaxRecordsInFlight</c> records are processed at once; <c>SelectAsync</c> keeps their order, so the
/// committer sees offsets in record order and commits only what is done. A slow Braze fills the window and the
/// source pauses: backpressure end to end. A malformed record is dead-lettered and a record of an unknown type
/// is skipped, each in its place in the order: neither stops the stream.
/// </summary>
public sealed class RecordPipeline(
    IActorRef customers, IDeadLetters deadLetters, PipelineSettings settings, PipelineStats stats, ILogger logger)
{
    public Task<Done> Run(CommittableKafkaSource source, KafkaSettings kafka, IMaterializer materializer) =>
        source.Source
            .SelectAsync(settings.MaxRecordsInFlight, ProcessAsync)
            .RunWith(KafkaCommitter.Sink(source, kafka.CommitBatchSize, kafka.CommitInterval), materializer);

    public async Task<CommittableOffset> ProcessAsync(CommittableRecord record)
    {
        var decoded = EventDecoder.Decode(record.Topic, record.Key, record.Value);
        stats.RecordIn(record.Topic, decoded);
        switch (decoded)
        {
            case DecodeResult.Valid valid:
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                await DeliverAsync(new CustomerEvent(valid.Event, record.Source)).ConfigureAwait(false);
                stats.RecordDelivered(System.Diagnostics.Stopwatch.GetElapsedTime(started));
                stats.RecordReachedBraze(record.Timestamp);
                break;
            case DecodeResult.Malformed malformed:
                logger.LogWarning("Malformed record {Source}: {Reason}; dead-lettered", record.Source, malformed.Reason);
                await deadLetters.PublishAsync(new DeadLetter(record.Key, record.Value, malformed.Reason, record.Source)).ConfigureAwait(false);
                stats.RecordDeadLetter(malformed.Reason);
                break;
            case DecodeResult.UnknownType unknown:
                stats.RecordSkipped(unknown.EventType);
                break;
        }
        return record.CommittableOffset;
    }

    /// <summary>
    /// Asks the entity and waits for Braze's acceptance. An unanswered ask (entity restarting under backoff, node
    /// gone, Braze down for long) is sent again: entities are idempotent and the gateway joins a repeated event
    /// id to the delivery already queued, so repeating never loses and rarely duplicates.
    /// </summary>
    private async Task DeliverAsync(CustomerEvent message)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await customers.Ask<BrazeGateway.Delivered>(message, settings.RecordTimeout).ConfigureAwait(false);
                return;
            }
            catch (AskTimeoutException)
            {
                stats.RecordRetry();
                logger.LogWarning("Event {EventId} of {Source} not delivered after {Timeout} (attempt {Attempt}); asking again",
                    message.Event.EventId, message.Source, settings.RecordTimeout, attempt);
            }
        }
    }
}
