using Crm.Cli.Output;
using Crm.Management;

namespace Crm.Cli.Commands;

public sealed class ClusterShow : CliCommand
{
    public override string Name => "cluster show";
    public override string Summary => "members with roles, status and reachability; leader and oldest node";

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.GetAsync<ClusterView>("api/cluster", ct), (view, output) =>
        {
            output.WriteLine($"Self:   {view.Self}");
            output.WriteLine($"Leader: {view.Leader ?? "(none)"}");
            output.WriteLine($"Oldest: {view.Oldest ?? "(none)"}");
            var table = new Table("ADDRESS", "STATUS", "REACHABLE", "ROLES");
            foreach (var m in view.Members) table.Row(m.Address, m.Status, m.Reachable ? "yes" : "NO", m.Roles.Count == 0 ? "-" : string.Join(',', m.Roles));
            table.Write(output);
        });
}

/// <summary>A membership change of the member at <c>&lt;address&gt;</c>, through the node asked.</summary>
public abstract class MemberCommand(string action, string summary, Func<string, string> done) : CliCommand
{
    public override string Name => $"cluster {action}";
    public override string Summary => summary;
    public override IReadOnlyList<string> Arguments => ["address"];

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.PostAsync<ClusterActionResult>($"api/cluster/{action}", new ClusterAddressRequest(context.Argument(0)), ct),
            (result, output) => output.WriteLine(done(result.Addresses[0])));
}

public sealed class ClusterLeave() : MemberCommand(
    "leave", "the member at the address leaves the cluster gracefully (hands its shards over)", address => $"Asked {address} to leave the cluster.");

public sealed class ClusterDown() : MemberCommand(
    "down", "marks the member at the address down (only for a node known to be dead)", address => $"Marked {address} down.");

public sealed class ClusterDownUnreachable : CliCommand
{
    public override string Name => "cluster down-unreachable";
    public override string Summary => "marks every member this node sees as unreachable down";

    public override Task<int> RunAsync(CommandContext context) =>
        context.RenderAsync((client, ct) => client.PostAsync<ClusterActionResult>("api/cluster/down-unreachable", null, ct),
            (result, output) => output.WriteLine(result.Addresses.Count == 0
                ? "No unreachable member: nothing downed."
                : $"Marked {result.Addresses.Count} unreachable member(s) down: {string.Join(", ", result.Addresses)}"));
}
