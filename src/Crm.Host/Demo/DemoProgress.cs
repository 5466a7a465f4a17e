using System.Text.Json;
using Crm.Actors.Braze;
using Crm.Actors.Pipeline;

namespace Crm.Host.Demo;

/// <summary>The demo's progress line every two seconds, and a summary with example Braze bodies at the end.</summary>
public sealed class DemoProgress(DemoEnvironment demo, PipelineStats stats, BrazeCounters braze, KafkaPipeline pipeline) : BackgroundService
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
                Console.WriteLine(Line(DateTimeOffset.UtcNow - started));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private string Line(TimeSpan elapsed)
    {
        var lag = pipeline.Progress.Sum(p => p.Lag ?? 0);
        return $"[demo {elapsed:mm\\:ss}] produced {demo.Produced} | records in {stats.RecordsIn} ({stats.RecordsIn / Math.Max(1, elapsed.TotalSeconds):F0}/s) " +
               $"| delivered {stats.Delivered} | objects sent {braze.ObjectsAccepted} in {braze.SucceededRequests} requests " +
               $"| dead letters {stats.DeadLettered + braze.ObjectsRejected} | skipped {stats.Skipped} | lag {lag}";
    }

    public void PrintSummary()
    {
        Console.WriteLine();
        Console.WriteLine("=== Crm.Actors demo summary ===");
        Console.WriteLine($"records produced {demo.Produced}, consumed {stats.RecordsIn}, delivered {stats.Delivered}, dead-lettered {stats.DeadLettered}, skipped {stats.Skipped}");
        Console.WriteLine($"Braze: {braze.SucceededRequests} requests accepted, {braze.ObjectsAccepted} objects, {braze.FailedRequests} failed attempts, {demo.Braze.TooManyRequests} answered 429");
        foreach (var (reason, count) in stats.DeadLettersByReason.OrderByDescending(kv => kv.Value))
            Console.WriteLine($"  dead letters: {count} x {reason}");
        Console.WriteLine("Example /users/track bodies:");
        foreach (var request in demo.Braze.Accepted.Where(r => r.Path == "/users/track").Where(r => r.Body.Contains("booking_completed", StringComparison.Ordinal)).Take(2)
                     .Concat(demo.Braze.Accepted.Where(r => r.Path == "/users/track").Take(1)))
        {
            var text = JsonSerializer.Serialize(request.Json, Indented);
            Console.WriteLine(text.Length <= 4000 ? text : text[..4000] + "\n  … (cut)");
        }
    }
}
