using Akka.Actor;
using Akka.Cluster;
using Crm.Management;

namespace Crm.Actors.Operating;

/// <summary>Asks the <see cref="ManagementActor"/> of every Up member at once and combines the answers.</summary>
public static class NodeReports
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    public static async Task<(IReadOnlyList<ManagementActor.NodeReport> Reports, IReadOnlyList<NodeError> Unanswered)> CollectAsync(ActorSystem system)
    {
        var members = Cluster.Get(system).State.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address).ToList();
        var answers = await Task.WhenAll(members.Select(address => AskAsync(system, address))).ConfigureAwait(false);
        return (answers.Select(a => a.Report).OfType<ManagementActor.NodeReport>().ToList(), answers.Select(a => a.Error).OfType<NodeError>().ToList());
    }

    /// <param name="topics">The topics consumed, each expected with <paramref name="partitions"/> partitions.</param>
    public static async Task<PipelineView> PipelineAsync(ActorSystem system, IReadOnlyList<string> topics, int partitions)
    {
        var (reports, unanswered) = await CollectAsync(system).ConfigureAwait(false);
        var owned = reports.SelectMany(r => r.Partitions)
            .OrderBy(p => p.Topic, StringComparer.Ordinal).ThenBy(p => p.Partition).ToList();
        // Each partition counts the same: the SLO is per partition, so the worst ones should show, not hide in a sum.
        var ratio = owned.Count == 0 ? 1.0 : owned.Average(p => p.NotLaggingRatio);
        return new PipelineView(owned, reports.Select(r => r.Pipeline).ToList(), unanswered, LagMonitor.SloTarget, ratio,
            Unowned(topics, partitions, owned));
    }

    /// <summary>The configured partitions (as <c>topic[partition]</c>) that no node reported owning.</summary>
    public static IReadOnlyList<string> Unowned(IReadOnlyList<string> topics, int partitions, IEnumerable<PartitionStatus> owned)
    {
        var reported = owned.Select(p => (p.Topic, p.Partition)).ToHashSet();
        return topics.SelectMany(t => Enumerable.Range(0, partitions).Where(p => !reported.Contains((t, p))).Select(p => $"{t}[{p}]")).ToList();
    }

    public static async Task<BrazeView> BrazeAsync(ActorSystem system)
    {
        var (reports, unanswered) = await CollectAsync(system).ConfigureAwait(false);
        return new BrazeView(reports.Select(r => r.Braze).ToList(), unanswered);
    }

    private static async Task<(ManagementActor.NodeReport? Report, NodeError? Error)> AskAsync(ActorSystem system, Address address)
    {
        try
        {
            var agent = system.ActorSelection(new RootActorPath(address) / "user" / ManagementActor.Name);
            return (await agent.Ask<ManagementActor.NodeReport>(ManagementActor.GetNodeReport.Instance, Patience).ConfigureAwait(false), null);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException)
        {
            return (null, new NodeError(address.ToString(), $"no answer within {Patience.TotalSeconds:0} s"));
        }
        catch (Exception e)
        {
            // The agent answered with a failure (e.g. its gateway did not answer): report it, keep the other nodes' answers.
            return (null, new NodeError(address.ToString(), e.Message));
        }
    }
}
