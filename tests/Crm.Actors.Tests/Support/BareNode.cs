using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Hosting;
using Akka.Remote;
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

    private BareNode(IHost host, ConcurrentQueue<AssociationErrorEvent> associationErrors)
    {
        _host = host;
        AssociationErrors = associationErrors;
    }

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>
    /// Every association error the node published since it started: its first tries are its seeds', before any test
    /// code runs, and a failed address is then gated, so a subscription made later may see none.
    /// </summary>
    public ConcurrentQueue<AssociationErrorEvent> AssociationErrors { get; }

    public static async Task<BareNode> StartAsync(ClusterSettings settings)
    {
        var errors = new ConcurrentQueue<AssociationErrorEvent>();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(ClusterSettings.SystemName, (akka, sp) => akka
            .AddStartup((system, _) => system.EventStream.Subscribe(
                system.ActorOf(Props.Create(() => new ErrorRecorder(errors))), typeof(AssociationErrorEvent)))
            .WithCrmCluster(settings, sp.GetRequiredService<ILoggerFactory>()));
        var host = builder.Build();
        await host.StartAsync();
        return new BareNode(host, errors);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    private sealed class ErrorRecorder : ReceiveActor
    {
        public ErrorRecorder(ConcurrentQueue<AssociationErrorEvent> errors) => Receive<AssociationErrorEvent>(errors.Enqueue);
    }
}
