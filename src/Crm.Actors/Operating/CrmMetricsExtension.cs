using Akka.Actor;

namespace Crm.Actors.Operating;

/// <summary>
/// Makes the node's <see cref="CrmMetrics"/> reachable from actors without threading it through every Props (the
/// customer entity measures its journal writes this way). Absent in systems that did not register it (unit tests).
/// </summary>
public sealed class CrmMetricsExtension(CrmMetrics metrics) : IExtension
{
    public CrmMetrics Metrics { get; } = metrics;

    /// <summary>The node's metrics, or null when the actor system has none registered.</summary>
    public static CrmMetrics? Of(ActorSystem system) =>
        system.HasExtension<CrmMetricsExtension>() ? system.GetExtension<CrmMetricsExtension>().Metrics : null;

    /// <summary>The id that creates the extension over a given instance.</summary>
    public sealed class Id(CrmMetrics metrics) : ExtensionIdProvider<CrmMetricsExtension>
    {
        public override CrmMetricsExtension CreateExtension(ExtendedActorSystem system) => new(metrics);
    }
}
