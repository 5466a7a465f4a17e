using Akka.Actor;
using Akka.Cluster;
using Akka.Hosting;
using Crm.Actors.Braze;
using Crm.Actors.Pipeline;
using Crm.Management;

namespace Crm.Host.Management;

/// <summary><c>/readyz</c>: the node is an Up cluster member, consumes partitions, and Braze accepts its key at its endpoint.</summary>
public static class Readiness
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    public static async Task<ReadinessView> CheckAsync(ActorSystem system, ActorRegistry registry, KafkaPipeline pipeline)
    {
        var reasons = new List<string>();
        var self = Cluster.Get(system).SelfMember;
        if (self.Status != MemberStatus.Up) reasons.Add($"cluster member is {self.Status}, not Up");
        if (pipeline.Progress.Count == 0) reasons.Add("no Kafka partition assigned to this node");
        if (!registry.TryGet<BrazeGateway>(out var gateway))
        {
            reasons.Add("Braze gateway not started");
        }
        else
        {
            try
            {
                var status = await gateway.Ask<BrazeGateway.GatewayStatus>(BrazeGateway.GetStatus.Instance, Patience).ConfigureAwait(false);
                if (status.Halted) reasons.Add($"Braze halted: {status.HaltReason}; nothing is being delivered");
            }
            catch (AskTimeoutException)
            {
                reasons.Add($"Braze gateway did not answer within {Patience.TotalSeconds:0} s");
            }
        }
        return new ReadinessView(reasons.Count == 0, reasons);
    }
}
