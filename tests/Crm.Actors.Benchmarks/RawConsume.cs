using System.Diagnostics;
using Confluent.Kafka;

namespace Crm.Actors.Benchmarks;

/// <summary>(a) The raw limit: a plain Confluent.Kafka consume loop over the records, nothing done with them.</summary>
public static class RawConsume
{
    /// <summary>The best of <paramref name="passes"/> passes: a limit, and a single short pass is at the mercy of the neighbours.</summary>
    public static double RecordsPerSecond(string bootstrap, IReadOnlyList<string> topics, int count, int passes) =>
        Enumerable.Range(1, passes).Max(pass => OnePass(bootstrap, topics, count, $"bench-raw-{pass}"));

    private static double OnePass(string bootstrap, IReadOnlyList<string> topics, int count, string groupId)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = groupId,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            FetchWaitMaxMs = int.Parse(MockBroker.FetchWaitMs, System.Globalization.CultureInfo.InvariantCulture),
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
