using System.Text.Json;
using System.Text.RegularExpressions;
using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;

namespace Crm.Actors.Tests.Operating;

/// <summary>
/// The alert rules and the Grafana dashboard against a real Prometheus scraping a running node (<see cref="LiveMonitoring"/>):
/// the Braze-halted alert fires and resolves with the fault, every dashboard query answers, every series the rules
/// read is one the node exports.
/// </summary>
[Collection(Serial.Name)]
public sealed partial class LiveMonitoringTests(LiveMonitoring live) : IClassFixture<LiveMonitoring>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task The_braze_halted_alert_fires_while_braze_refuses_the_key_and_resolves_when_it_accepts_it_again()
    {
        var deployment = live.Deployment;
        var stats = live.Node.Service<PipelineStats>();
        Assert.Null(await Alert("CrmBrazeHalted"));
        try
        {
            deployment.Braze.ApiKey = "rotated-key";
            var delivered = stats.Delivered;
            var records = deployment.ProduceCustomers(2, seed: 63);
            // Fires after the rule's for: (LiveMonitoring.HaltedFor here; 1m in deploy/prometheus/crm-alerts.yml).
            await Eventually.Holds(() => Alert("CrmBrazeHalted").GetAwaiter().GetResult()?.State == "firing", Patience,
                () => $"alerts: {string.Join(", ", live.Prometheus.AlertsAsync().GetAwaiter().GetResult().Select(a => $"{a.Name} {a.State}"))}");
            var firing = (await Alert("CrmBrazeHalted"))!.Value.Alert.GetProperty("labels");
            Assert.Equal("critical", firing.GetProperty("severity").GetString());
            Assert.Equal(live.Node.ManagementUri().Authority, firing.GetProperty("instance").GetString());
            Assert.Contains(deployment.Braze.Log, l => l.Status == 401); // the fault is real: the local Braze refused the key

            deployment.Braze.ApiKey = PipelineDeployment.ApiKey;
            await Eventually.Holds(() => Alert("CrmBrazeHalted").GetAwaiter().GetResult() is null, Patience,
                () => $"still {Alert("CrmBrazeHalted").GetAwaiter().GetResult()?.State}");
            await Eventually.Holds(() => stats.Delivered == delivered + records.Count, Patience, () => $"delivered {stats.Delivered}");
        }
        finally
        {
            deployment.Braze.ApiKey = PipelineDeployment.ApiKey;
        }
    }

    [Fact]
    public async Task Every_dashboard_query_answers_with_series_from_the_running_node()
    {
        using var dashboard = JsonDocument.Parse(RepositoryFiles.Read("deploy/grafana/crm-dashboard.json"));
        var root = dashboard.RootElement;
        var variables = root.GetProperty("templating").GetProperty("list").EnumerateArray().ToList();
        Assert.Contains(variables, v => v.GetProperty("type").GetString() == "datasource" && v.GetProperty("name").GetString() == "datasource");
        foreach (var variable in variables.Where(v => v.GetProperty("type").GetString() == "query"))
        {
            var match = LabelValues().Match(variable.GetProperty("definition").GetString()!);
            Assert.True(match.Success, variable.ToString());
            Assert.NotEmpty(await live.Prometheus.LabelValuesAsync(match.Groups["label"].Value, match.Groups["metric"].Value));
        }

        var queries = root.GetProperty("panels").EnumerateArray().Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Query: Substitute(t.GetProperty("expr").GetString()!))))
            .ToList();
        Assert.True(queries.Count >= 20, $"{queries.Count} queries");
        Assert.All(root.GetProperty("panels").EnumerateArray().Where(p => p.TryGetProperty("targets", out _)),
            p => Assert.Equal("${datasource}", p.GetProperty("datasource").GetProperty("uid").GetString()));

        // A query Prometheus refuses fails at once; one without series yet is asked again (rates need two scrapes). The
        // stage breakdown is held to it too: the fixture's records went through every stage but the permit wait.
        foreach (var (panel, query) in queries) await live.Prometheus.QueryAsync(query);
        await Eventually.Holds(() => Empty(queries).Count == 0, Patience, () => string.Join('\n', Empty(queries)));
    }

    [Fact]
    public async Task Every_series_the_rules_read_is_exported_by_the_node()
    {
        var names = SeriesName().Matches(RepositoryFiles.Read("deploy/prometheus/crm-alerts.yml")).Select(m => m.Value).Distinct().ToList();
        Assert.True(names.Count >= 9, string.Join(", ", names));
        var queries = names.Select(name => (Panel: "rules", Query: $"{name}{{job=\"{LiveMonitoring.Job}\"}}")).ToList();
        await Eventually.Holds(() => Empty(queries).Count == 0, Patience, () => string.Join('\n', Empty(queries)));
    }

    private async Task<(string Name, string State, JsonElement Alert)?> Alert(string name) =>
        (await live.Prometheus.AlertsAsync()).Where(a => a.Name == name).Select(a => ((string, string, JsonElement)?)a).FirstOrDefault();

    private List<string> Empty(IEnumerable<(string Panel, string Query)> queries) => queries
        .Where(q => live.Prometheus.QueryAsync(q.Query).GetAwaiter().GetResult().Length == 0)
        .Select(q => $"{q.Panel}: {q.Query} has no series")
        .ToList();

    /// <summary>What Grafana puts in place of the dashboard's variables: all groups and nodes, a rate window of a few scrapes.</summary>
    private static string Substitute(string query)
    {
        var substituted = query.Replace("$__rate_interval", "10s", StringComparison.Ordinal)
            .Replace("$group", ".*", StringComparison.Ordinal)
            .Replace("$instance", ".*", StringComparison.Ordinal);
        Assert.DoesNotContain("$", substituted, StringComparison.Ordinal);
        return substituted;
    }

    [GeneratedRegex(@"^label_values\((?<metric>\w+), (?<label>\w+)\)$")]
    private static partial Regex LabelValues();

    /// <summary>Exported series names (recording rules' names have colons: <c>group:crm_...:ratio_rate5m</c>).</summary>
    [GeneratedRegex(@"(?<![:\w])crm_[a-z_]+\b(?!:)")]
    private static partial Regex SeriesName();
}
