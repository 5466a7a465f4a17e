using System.Diagnostics;

namespace Crm.Actors.Benchmarks;

public static class Waiting
{
    /// <summary>Waits for <paramref name="condition"/>, printing <paramref name="progress"/> every 5 s; fails after <paramref name="timeout"/>.</summary>
    public static async Task Until(Func<bool> condition, TimeSpan timeout, Func<string>? progress = null)
    {
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        while (!condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"not done after {timeout}: {progress?.Invoke()}");
            await Task.Delay(10);
            if (progress is not null && clock.Elapsed - lastReport > TimeSpan.FromSeconds(5))
            {
                lastReport = clock.Elapsed;
                Terminal.WriteLine($"    … {progress()}");
            }
        }
    }
}
