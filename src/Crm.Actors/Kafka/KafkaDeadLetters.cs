using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Kafka;

/// <summary>
/// Writes dead letters to <c>Kafka:DeadLetterTopic</c>: key and value byte for byte (null stays null), every header of the
/// original record in its order (duplicates and null values included), then <c>crm-error</c>, <c>crm-source-topic</c>,
/// <c>crm-source-partition</c> and <c>crm-source-offset</c>, the layout of Kafka Connect's dead-letter queue (original
/// headers first, its own <c>__connect.errors.*</c> after them). Idempotent producer, acks=all; a failed write is
/// retried with backoff, because a dead letter is the only copy the router keeps of what it could not deliver.
/// </summary>
public sealed class KafkaDeadLetters : IDeadLetters, IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly string _topic;
    private readonly ILogger _logger;
    private long _published;

    public KafkaDeadLetters(KafkaSettings settings, ILogger logger)
    {
        _topic = settings.DeadLetterTopic;
        _logger = logger;
        var config = new ProducerConfig(new Dictionary<string, string>(settings.ClientProperties))
        {
            BootstrapServers = settings.BootstrapServers,
            Acks = Acks.All,
            EnableIdempotence = true,
            LingerMs = 5,
            // A value over the 1 MiB input limit is itself a dead letter: it must fit.
            MessageMaxBytes = 8 * 1024 * 1024,
            CompressionType = CompressionType.Lz4,
        };
        _producer = new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => logger.LogWarning("Dead-letter producer error: {Reason}", error.Reason))
            .Build();
    }

    public long Published => Interlocked.Read(ref _published);

    public async Task PublishAsync(DeadLetter letter, CancellationToken cancellationToken = default)
    {
        var headers = new Headers();
        foreach (var original in letter.Headers) headers.Add(original.Key, original.Value);
        headers.Add("crm-error", Encoding.UTF8.GetBytes(letter.Reason));
        if (letter.Source is { } source)
        {
            headers.Add("crm-source-topic", Encoding.UTF8.GetBytes(source.Topic));
            headers.Add("crm-source-partition", Encoding.UTF8.GetBytes(source.Partition.ToString(CultureInfo.InvariantCulture)));
            headers.Add("crm-source-offset", Encoding.UTF8.GetBytes(source.Offset.ToString(CultureInfo.InvariantCulture)));
        }
        var message = new Message<byte[]?, byte[]?> { Key = letter.Key, Value = letter.Value, Headers = headers };
        var backoff = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            try
            {
                await _producer.ProduceAsync(_topic, message, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _published);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> e) when (!cancellationToken.IsCancellationRequested)
            {
                _logger.LogError("Writing a dead letter from {Source} failed ({Reason}); retrying in {Backoff}",
                    letter.Source?.ToString() ?? "Braze", e.Error.Reason, backoff);
            }
            await Task.Delay(backoff, cancellationToken).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    public void Dispose()
    {
        _producer.Flush(TimeSpan.FromSeconds(10));
        _producer.Dispose();
    }
}
