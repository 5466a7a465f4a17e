using System.Globalization;

namespace Crm.Actors.Tests.Operating;

/// <summary>A Prometheus text exposition, parsed into series (name with labels) and values.</summary>
public sealed class PrometheusScrape
{
    private PrometheusScrape(IReadOnlyDictionary<string, double> series) => Series = series;

    public IReadOnlyDictionary<string, double> Series { get; }

    public static PrometheusScrape Parse(string text) => new(text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Where(line => !line.StartsWith('#'))
        .Select(line => (Series: line[..line.LastIndexOf(' ')], Value: line[(line.LastIndexOf(' ') + 1)..]))
        .ToDictionary(s => s.Series, s => double.Parse(s.Value, NumberStyles.Float, CultureInfo.InvariantCulture)));

    /// <summary>Series of the metric <paramref name="name"/> whose labels include every one of <paramref name="labels"/> (k="v").</summary>
    public IReadOnlyList<KeyValuePair<string, double>> Of(string name, params string[] labels) => Series
        .Where(s => (s.Key == name || s.Key.StartsWith(name + "{", StringComparison.Ordinal)) && labels.All(l => s.Key.Contains(l, StringComparison.Ordinal)))
        .ToList();

    public double Sum(string name, params string[] labels) => Of(name, labels).Sum(s => s.Value);

    public override string ToString() => string.Join('\n', Series.Select(s => $"{s.Key} {s.Value}"));
}
