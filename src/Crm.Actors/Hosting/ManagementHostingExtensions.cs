using Akka.Hosting;
using Crm.Actors.Braze;
using Crm.Actors.Customers;
using Crm.Actors.Operating;
using Crm.Actors.Pipeline;

namespace Crm.Actors.Hosting;

/// <summary>The operator's side of a node, as one step of the Akka.Hosting chain.</summary>
public static class ManagementHostingExtensions
{
    /// <summary>
    /// Starts the node's <see cref="ManagementActor"/> once the gateway and the customer region are registered (in
    /// whatever order).
    /// </summary>
    public static AkkaConfigurationBuilder WithCrmManagement(
        this AkkaConfigurationBuilder builder, CrmMetrics metrics, LagMonitor lag, PipelineStats pipeline, BrazeCounters braze) =>
        builder
            .AddStartup(async (system, registry) =>
            {
                var gateway = await registry.GetAsync<BrazeGateway>().ConfigureAwait(false);
                var customers = await registry.GetAsync<CustomerActor>().ConfigureAwait(false);
                var agent = system.ActorOf(
                    ManagementActor.Props(new ManagementActor.Dependencies(lag, pipeline, braze, metrics, gateway, customers)), ManagementActor.Name);
                registry.Register<ManagementActor>(agent);
            });
}
