using Akka.Actor;
using Akka.Cluster;
using Crm.Management;

namespace Crm.Actors.Operating;

/// <summary><c>cluster show</c>, <c>leave</c>, <c>down</c> and <c>down-unreachable</c>, as the answering node sees the cluster.</summary>
public static class ClusterQueries
{
    public static ClusterView Show(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var state = cluster.State;
        var members = state.Members
            .Select(m => new ClusterMemberView(m.Address.ToString(), m.Status.ToString(), m.Roles.Order(StringComparer.Ordinal).ToList(),
                !state.Unreachable.Contains(m)))
            .OrderBy(m => m.Address, StringComparer.Ordinal)
            .ToList();
        var oldest = state.Members.Where(m => m.Status == MemberStatus.Up).Aggregate((Member?)null, (a, b) => a is null || b.IsOlderThan(a) ? b : a);
        return new ClusterView(cluster.SelfAddress.ToString(), state.Leader?.ToString(), oldest?.Address.ToString(), members);
    }

    public static ClusterActionResult Leave(ActorSystem system, string address)
    {
        var member = MemberAt(system, address);
        Cluster.Get(system).Leave(member);
        return new ClusterActionResult("leave", [member.ToString()]);
    }

    public static ClusterActionResult Down(ActorSystem system, string address)
    {
        var member = MemberAt(system, address);
        Cluster.Get(system).Down(member);
        return new ClusterActionResult("down", [member.ToString()]);
    }

    public static ClusterActionResult DownUnreachable(ActorSystem system)
    {
        var cluster = Cluster.Get(system);
        var unreachable = cluster.State.Unreachable.Select(m => m.Address).ToList();
        foreach (var address in unreachable) cluster.Down(address);
        return new ClusterActionResult("down", unreachable.Select(a => a.ToString()).ToList());
    }

    /// <summary>The member at <paramref name="address"/>; a malformed address or one that is not a member is refused.</summary>
    private static Address MemberAt(ActorSystem system, string address)
    {
        Address parsed;
        try
        {
            parsed = Address.Parse(address.Trim());
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            throw ManagementException.BadRequest($"'{address}' is not an Akka address like akka.tcp://crm@host:4053");
        }
        return Cluster.Get(system).State.Members.Any(m => m.Address == parsed)
            ? parsed
            : throw ManagementException.NotFound($"no cluster member at {parsed}");
    }
}
