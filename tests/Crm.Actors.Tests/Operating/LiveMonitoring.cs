using Crm.Actors.Pipeline;
using Crm.Actors.Tests.Support;
using Crm.Host.Demo;

namespace Crm.Actors.Tests.Operating;

/// <summary>
/// One node that has handled some traffic (customer stories with bookings, one malformed record) and a real Prometheus
/// configured by <c>deploy/prometheus/prometheus.yml</c> (the compose file's) but scraping this node's <c>/metrics</c> every
/// second, with the bearer token the endpoint demands read from a credentials file, and the alert rules of
/// <c>deploy/prometheus/crm-alerts.yml</c> evaluated every second.
/// The one change to the rules: <see cref="HaltedFor"/>, so that the live test sees CrmBrazeHalted fire in seconds.
/// </summary>
public sealed class LiveMonitoring : IAsyncLifetime
{
    /// <summary>The scrape job of deploy/prometheus/prometheus.yml.</summary>
    public const string Job = "crm";
    private const string Token = "live-monitoring-token-7d1e2f";

    /// <summary>CrmBrazeHalted's <c>for:</c> in the rules Prometheus loads here (1m in the file).</summary>
    public const string HaltedFor = "3s";

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private int _disposed;

    public KafkaTestCluster Kafka { get; } = new();
    public PipelineDeployment Deployment { get; private set; } = null!;
    public CrmTestHost Node { get; private set; } = null!;
    public PrometheusServer Prometheus { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // whatever started (Prometheus above all) goes
            throw;
        }
    }

    private async Task StartAsync()
    {
        Deployment = await PipelineDeployment.StartAsync(Kafka);
        Deployment.Settings["Management:Token"] = Token;
        var records = Deployment.ProduceCustomers(6, seed: 61);
        Deployment.Produce([new SampleEvents(seed: 62).Malformed("cus_bad_61")]);
        Node = await Deployment.StartHostAsync();
        var stats = Node.Service<PipelineStats>();
        await Eventually.Holds(() => stats.Delivered == records.Count && stats.DeadLettered == 1 && Deployment.AllCommitted(), Patience,
            () => $"delivered {stats.Delivered}/{records.Count}, dead letters {stats.DeadLettered}");

        Prometheus = await PrometheusServer.StartAsync(new Dictionary<string, string>
        {
            ["prometheus.yml"] = Replace(RepositoryFiles.Read("deploy/prometheus/prometheus.yml"),
                ("scrape_interval: 15s", "scrape_interval: 1s"),
                ("evaluation_interval: 15s", "evaluation_interval: 1s"),
                ("/run/secrets/management_token", "management-token"),
                ("""["crm-1:9110", "crm-2:9110", "crm-3:9110"]""", $"[\"{Node.ManagementUri().Authority}\"]")),
            ["crm-alerts.yml"] = WithFor(RepositoryFiles.Read("deploy/prometheus/crm-alerts.yml"), "CrmBrazeHalted", HaltedFor),
            ["management-token"] = Token,
        });
        await Eventually.Holds(() => Prometheus.QueryAsync($"crm_node_ready{{job=\"{Job}\"}} == 1").GetAwaiter().GetResult().Length == 1, Patience,
            () => Prometheus.Log);
    }

    /// <summary>
    /// The compose file's Prometheus configuration made to scrape this node: every second, with the token from a file in
    /// the server's folder. Each replaced text must be there.
    /// </summary>
    private static string Replace(string text, params (string Old, string New)[] replacements) => replacements.Aggregate(text, (current, r) =>
        current.Contains(r.Old, StringComparison.Ordinal)
            ? current.Replace(r.Old, r.New, StringComparison.Ordinal)
            : throw new InvalidOperationException($"deploy/prometheus/prometheus.yml no longer has {r.Old}"));

    /// <summary><paramref name="rules"/> with the <c>for:</c> of alert <paramref name="alert"/> set to <paramref name="duration"/>.</summary>
    public static string WithFor(string rules, string alert, string duration)
    {
        var start = rules.IndexOf($"- alert: {alert}\n", StringComparison.Ordinal);
        var next = start < 0 ? -1 : rules.IndexOf("- alert: ", start + 1, StringComparison.Ordinal);
        var @for = start < 0 ? -1 : rules.IndexOf("for: ", start, StringComparison.Ordinal);
        if (@for < 0 || (next >= 0 && @for > next)) throw new InvalidOperationException($"no for: of {alert} in the rules");
        var end = rules.IndexOf('\n', @for);
        return rules[..@for] + "for: " + duration + rules[end..];
    }

    /// <summary>Stops what started, once (a failed start disposes before xunit may).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (Prometheus is not null) await Prometheus.DisposeAsync();
        if (Node is not null) await Node.DisposeAsync();
        if (Deployment is not null) await Deployment.DisposeAsync();
        Kafka.Dispose();
    }
}
