using Akka.Actor;
using Crm.Management;

namespace Crm.Actors.Operating;

/// <summary><c>actor hierarchy</c>: the local actors under a path, walked through the actor cells of this node.</summary>
public static class ActorHierarchy
{
    /// <summary>Beyond this many actors the listing stops (a node may hold hundreds of thousands of entities).</summary>
    public const int MaxActors = 5000;

    public static ActorHierarchyView Of(ActorSystem system, string path, int depth)
    {
        if (depth < 1) throw ManagementException.BadRequest($"depth {depth} must be 1 or more");
        var elements = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        IActorRef current = ((ExtendedActorSystem)system).Provider.RootGuardian;
        foreach (var name in elements)
        {
            current = current is ActorRefWithCell cell ? cell.GetSingleChild(name) : ActorRefs.Nobody;
            if (current.IsNobody()) throw ManagementException.NotFound($"no actor at /{string.Join('/', elements)}");
        }

        var actors = new List<ActorEntry>();
        Walk(current, 0, depth, actors);
        return new ActorHierarchyView(Akka.Cluster.Cluster.Get(system).SelfAddress.ToString(), "/" + string.Join('/', elements), depth, actors);
    }

    private static void Walk(IActorRef actor, int level, int depth, List<ActorEntry> actors)
    {
        if (actors.Count >= MaxActors) return;
        var children = actor is ActorRefWithCell cell ? cell.Children.OrderBy(c => c.Path.Name, StringComparer.Ordinal).ToList() : [];
        actors.Add(new ActorEntry(actor.Path.ToStringWithoutAddress(), level, children.Count));
        if (level >= depth) return;
        foreach (var child in children) Walk(child, level + 1, depth, actors);
    }
}
