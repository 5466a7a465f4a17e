using System.Globalization;

namespace Crm.Actors.Benchmarks;

/// <summary>
/// The command line: <c>[records] [Key=Value ...]</c>. Keys of the benchmark itself (Records, LatencySeconds,
/// ThrottleSeconds, Journals, Only) set the run; any other Key=Value overrides a service setting, e.g.
/// <c>Pipeline:MaxRecordsInFlight=4000</c>.
/// </summary>
public sealed record BenchmarkOptions(
    int Records, double LatencySeconds, TimeSpan ThrottleDuration, IReadOnlyList<string> Journals, IReadOnlyDictionary<string, string?> ServiceSettings)
{
    /// <summary><c>Only=plugin</c>: just the journal plugin alone, (e), for each journal.</summary>
    public bool PluginAloneOnly { get; init; }

    public static BenchmarkOptions Parse(string[] args)
    {
        var pairs = args.Where(a => a.Contains('=')).Select(a => a.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.OrdinalIgnoreCase);
        string Take(string key, string fallback) => pairs.Remove(key, out var value) ? value : fallback;
        var positional = args.FirstOrDefault(a => !a.Contains('='));
        var only = Take("Only", "").ToLowerInvariant();
        return new BenchmarkOptions(
            int.Parse(Take("Records", positional ?? "20000"), CultureInfo.InvariantCulture),
            double.Parse(Take("LatencySeconds", "10"), CultureInfo.InvariantCulture),
            TimeSpan.FromSeconds(double.Parse(Take("ThrottleSeconds", "10"), CultureInfo.InvariantCulture)),
            Take("Journals", "sqlite,postgres").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            pairs.ToDictionary(kv => kv.Key, kv => (string?)kv.Value)) { PluginAloneOnly = only == "plugin" };
    }
}
