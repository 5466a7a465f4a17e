using System.Diagnostics;
using System.Text.RegularExpressions;
using Crm.Actors.Tests.Support;

namespace Crm.Actors.Tests.Operating;

/// <summary>
/// <c>deploy/prometheus/crm-alerts.yml</c> through Prometheus's own tool: <c>promtool check rules</c> and the unit tests
/// of <c>crm-alerts.test.yml</c> (<c>promtool test rules</c>); and what every alert must carry for an operator.
/// </summary>
public sealed partial class AlertRulesTests
{
    private const string Rules = "deploy/prometheus/crm-alerts.yml";
    private const string RuleTests = "deploy/prometheus/crm-alerts.test.yml";

    [Fact]
    public async Task Promtool_finds_the_rules_valid() => await Promtool("check", "rules", RepositoryFiles.Path(Rules));

    [Fact]
    public async Task Promtool_passes_the_unit_tests_of_the_rules() => await Promtool("test", "rules", RepositoryFiles.Path(RuleTests));

    [Fact]
    public void Every_alert_has_a_severity_a_summary_a_crm_cmd_to_run_and_a_runbook_section()
    {
        var readme = RepositoryFiles.Read("README.md");
        var alerts = AlertBlocks();
        Assert.Equal(10, alerts.Count);
        Assert.All(alerts, alert =>
        {
            Assert.Matches(@"\n\s+severity: (critical|warning)\n", alert.Block);
            Assert.Matches(@"\n\s+summary: "".+""\n", alert.Block);
            Assert.Matches(@"\n\s+description: "".*`crm-cmd [a-z -]+.*""\n", alert.Block);
            Assert.Contains($"runbook: \"README.md#{alert.Name.ToLowerInvariant()}\"", alert.Block, StringComparison.Ordinal);
            Assert.Contains($"\n#### {alert.Name}\n", readme, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void Every_alert_has_a_unit_test_that_fires_it_and_one_that_must_not()
    {
        var tests = AlertTest().Matches(RepositoryFiles.Read(RuleTests)).Select(m => (Name: m.Groups["name"].Value, Fires: !m.Groups["none"].Success)).ToList();
        Assert.All(AlertBlocks(), alert =>
        {
            Assert.Contains((alert.Name, true), tests);
            Assert.Contains((alert.Name, false), tests);
        });
    }

    /// <summary>Each <c>- alert:</c> entry of the rules file with its text up to the next rule.</summary>
    private static List<(string Name, string Block)> AlertBlocks() => RuleStart().Split(RepositoryFiles.Read(Rules))
        .Select(block => AlertName().Match(block))
        .Where(m => m.Success)
        .Select(m => (m.Groups["name"].Value, m.Value))
        .ToList();

    private static async Task Promtool(params string[] arguments)
    {
        var start = new ProcessStartInfo("promtool") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"promtool {string.Join(' ', arguments)} exited {process.ExitCode}:\n{await output}\n{await error}");
    }

    [GeneratedRegex(@"(?=\n\s+- (?:alert|record): )")]
    private static partial Regex RuleStart();

    [GeneratedRegex(@"^\n\s+- alert: (?<name>\w+)\n[\s\S]*", RegexOptions.None)]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (?<name>\w+)\n\s+exp_alerts:(?<none> \[\])?")]
    private static partial Regex AlertTest();
}
