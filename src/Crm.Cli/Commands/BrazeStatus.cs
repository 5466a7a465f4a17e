using Crm.Cli.Output;
using Crm.Management;

namespace Crm.Cli.Commands;

public sealed class BrazeStatus : CliCommand
{
    public override string Name => "braze status";
    public override string Summary => "per node: requests/s, objects/s, in flight, rate-limit budget, backoff state, last errors";

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.GetAsync<BrazeView>("api/braze", ct), (view, output) =>
        {
            var table = new Table("NODE", "REQ/S", "OBJ/S", "IN FLIGHT", "QUEUED", "REQUESTS", "FAILED", "ACCEPTED", "REJECTED", "STATE");
            foreach (var n in view.Nodes)
                table.Row(n.Node, n.RequestsPerSecond, n.ObjectsPerSecond, n.RequestsInFlight, n.QueuedObjects, n.Requests, n.FailedRequests,
                    n.ObjectsAccepted, n.ObjectsRejected, State(n));
            table.Write(output);
            foreach (var n in view.Nodes)
            {
                output.WriteLine(n.RateLimit is { } limit
                    ? $"{n.Node} rate limit: {limit.Remaining?.ToString() ?? "?"} of {limit.Limit?.ToString() ?? "?"} left, reset {limit.Reset?.ToUniversalTime().ToString("HH:mm:ss'Z'") ?? "?"}"
                    : $"{n.Node} rate limit: not seen yet");
                foreach (var error in n.LastErrors) output.WriteLine($"  {error.At.ToUniversalTime():HH:mm:ss'Z'} {error.Reason}");
            }
            Unanswered.Write(view.Unanswered, output);
        });

    private static string State(BrazeNodeStatus n) => n switch
    {
        { Halted: true } => $"halted: {n.HaltReason}",
        { FailuresInARow: > 0 } => $"backing off ({n.FailuresInARow} failures in a row)",
        _ => "sending",
    };
}
