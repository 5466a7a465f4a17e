using System.Globalization;
using Crm.Cli.Output;
using Crm.Management;

namespace Crm.Cli.Commands;

public sealed class PipelineStatus : CliCommand
{
    public override string Name => "pipeline status";
    public override string Summary => "per partition: owner, offsets, lag, records/s, lag SLO; totals and dead letters by reason";

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.GetAsync<PipelineView>("api/pipeline", ct), (view, output) =>
        {
            var partitions = new Table("TOPIC", "PARTITION", "NODE", "COMMITTED", "END", "LAG", "REC/S", "SLO", "NOT LAGGING");
            foreach (var p in view.Partitions)
                partitions.Row(p.Topic, p.Partition, p.Node, p.Committed, p.EndOffset, p.Lag, p.RecordsPerSecond, p.Slo, Percent(p.NotLaggingRatio));
            partitions.Write(output);
            output.WriteLine($"Lag SLO: not lagging {Percent(view.NotLaggingRatio)} of the time (target {Percent(view.SloTarget)}); " +
                             $"{view.Partitions.Count(p => p.Slo is "lagging" or "stalled")} partition(s) lagging or stalled now");
            if (view.Unowned is { Count: > 0 }) // absent from nodes older than this CLI
                output.WriteLine($"! {view.Unowned.Count} partition(s) consumed by no node: {string.Join(", ", view.Unowned)}");
            output.WriteLine();

            var nodes = new Table("NODE", "RECORDS IN", "DELIVERED", "DEAD LETTERS", "SKIPPED", "RETRIES");
            foreach (var n in view.Nodes) nodes.Row(n.Node, n.RecordsIn, n.Delivered, n.DeadLettered, n.Skipped, n.Retries);
            nodes.Write(output);

            var reasons = view.Nodes.SelectMany(n => n.DeadLettersByReason)
                .GroupBy(kv => kv.Key, kv => kv.Value).Select(g => (Reason: g.Key, Count: g.Sum()))
                .OrderByDescending(r => r.Count).ThenBy(r => r.Reason, StringComparer.Ordinal).ToList();
            if (reasons.Count > 0)
            {
                output.WriteLine();
                var table = new Table("DEAD LETTERS", "REASON");
                foreach (var (reason, count) in reasons) table.Row(count, reason);
                table.Write(output);
            }
            Unanswered.Write(view.Unanswered, output);
        });

    private static string Percent(double ratio) => (ratio * 100).ToString("0.000", CultureInfo.InvariantCulture) + "%";
}

/// <summary>The nodes that did not answer a cluster-wide question, under the answers of the others.</summary>
internal static class Unanswered
{
    public static void Write(IReadOnlyList<NodeError> unanswered, TextWriter output)
    {
        foreach (var node in unanswered) output.WriteLine($"! {node.Node} did not answer: {node.Error}");
    }
}
