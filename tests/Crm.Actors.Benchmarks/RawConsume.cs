using System.Diagnostics;
using Confluent.Kafka;

namespace Crm.Actors.Benchmarks;

/// <summary>(a) The raw limit: a plain Confluent.Kafka consume loop over the records, nothing done with them.</summary>
public static class RawConsume
{
    public static double RecordsPerSecond(string bootstrap, IReadOnlyList<string> topics, int count)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "bench-raw",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe(topics);
        var seen = 0;
        Stopwatch? clock = null;
        while (seen < count)
        {
            var result = consumer.Consume(TimeSpan.FromSeconds(1));
            if (result is null) continue;
            clock ??= Stopwatch.StartNew(); // from the first record: joining the group is not consumption
            seen++;
        }
        var rate = (seen - 1) / clock!.Elapsed.TotalSeconds;
        consumer.Close();
        return rate;
    }
}
