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

    private BareNode(IHost host, ConcurrentQueue<RemotingLifecycleEvent> associationErrors)
    {
        _host = host;
        AssociationErrors = associationErrors;
    }

    public ActorSystem System => _host.Services.GetRequiredService<ActorSystem>();

    public Address Address => Akka.Cluster.Cluster.Get(System).SelfAddress;

    /// <summary>
    /// Every association that failed since the node started: an <see cref="AssociationErrorEvent"/>, or a
    /// <see cref="DisassociatedEvent"/> when the connection was cut after it seemed made (with TLS 1.3 a client finishes
    /// its handshake before the server checks the client's certificate and closes). Its first tries are its seeds',
    /// before any test code runs, and a failed address is then gated, so a subscription made later may see none.
    /// </summary>
    public ConcurrentQueue<RemotingLifecycleEvent> AssociationErrors { get; }

    /// <summary>An association with <paramref name="remote"/> failed or was cut.</summary>
    public bool FailedToAssociateWith(Address remote) => AssociationErrors.Any(e => e switch
    {
        AssociationErrorEvent error => error.RemoteAddress == remote,
        DisassociatedEvent cut => cut.RemoteAddress == remote,
        _ => false,
    });

    public static async Task<BareNode> StartAsync(ClusterSettings settings)
    {
        var errors = new ConcurrentQueue<RemotingLifecycleEvent>();
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAkka(ClusterSettings.SystemName, (akka, sp) => akka
            .AddStartup((system, _) =>
            {
                var recorder = system.ActorOf(Props.Create(() => new ErrorRecorder(errors)));
                system.EventStream.Subscribe(recorder, typeof(AssociationErrorEvent));
                system.EventStream.Subscribe(recorder, typeof(DisassociatedEvent));
            })
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
        public ErrorRecorder(ConcurrentQueue<RemotingLifecycleEvent> errors) => Receive<RemotingLifecycleEvent>(errors.Enqueue);
    }
}
