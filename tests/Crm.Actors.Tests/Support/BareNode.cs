using Akka.Actor;
using Akka.Hosting;
using Crm.Actors.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// An Akka.NET node built with the service's cluster wiring alone (<see cref="AkkaHostingExtensions.WithCrmCluster"/>;
/// no Kafka, journal or Braze): a peer, wanted or not, for the remoting tests.
/// </summary>
public sealed class BareNode : IAsyncDisposable
{
    private readonly IHost _host;

    private BareNode(IHost host) => _host = host;

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    public static async Task<BareNode> StartAsync(ClusterSettings settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(ClusterSettings.SystemName, (akka, sp) => akka.WithCrmCluster(settings, sp.GetRequiredService<ILoggerFactory>()));
        var host = builder.Build();
        await host.StartAsync();
        return new BareNode(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
