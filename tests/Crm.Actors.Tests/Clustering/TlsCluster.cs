using Crm.Actors.Testing;
using System.Collections.Concurrent;
using Akka.Actor;
using Crm.Actors.Tests.Support;

namespace Crm.Actors.Tests.Clustering;

/// <summary>
/// Three nodes of one cluster talking mutual TLS, with certificates from one test CA given three ways (PFX and
/// password; PFX with the password from a <c>_FILE</c>; PEM certificate and key), on PostgreSQL and the mock Kafka,
/// otherwise with README's defaults (<c>Cluster:Hostname</c> 127.0.0.1, no <c>Cluster:BindHostname</c>). The first
/// node hosts <c>/user/probe</c>, which keeps every message it receives in <see cref="Probed"/>.
/// </summary>
public sealed class TlsCluster : IAsyncLifetime
{
    public const int AllPartitions = 4 * 5;

    public KafkaTestCluster Kafka { get; } = new();
    public TestCertificates Certificates { get; } = new();
    public ClusterDeployment Deployment { get; private set; } = null!;
    public List<ClusterNode> Nodes { get; } = [];
    public ConcurrentQueue<object> Probed { get; } = new();

    public async ValueTask InitializeAsync()
    {
        Deployment = await ClusterDeployment.StartAsync(Kafka, shared: new Dictionary<string, string?>
        {
            ["Cluster:Tls:Enabled"] = "true",
            ["Cluster:Tls:TrustedCaPath"] = Certificates.CaPath,
        });
        var pem = Certificates.SignedPem("crm-3");
        Nodes.Add(await Deployment.StartNodeAsync(new Dictionary<string, string?>
        {
            ["Cluster:Tls:CertificatePath"] = Certificates.SignedPfx("crm-1"),
            ["Cluster:Tls:CertificatePassword"] = TestCertificates.Password,
        }));
        Nodes.Add(await Deployment.StartNodeAsync(new Dictionary<string, string?>
        {
            ["Cluster:Tls:CertificatePath"] = Certificates.SignedPfx("crm-2"),
            ["Cluster:Tls:CertificatePassword_FILE"] = Certificates.Write("pfx-password", TestCertificates.Password + "\n"),
        }));
        Nodes.Add(await Deployment.StartNodeAsync(new Dictionary<string, string?>
        {
            ["Cluster:Tls:CertificatePemPath"] = pem.Certificate,
            ["Cluster:Tls:KeyPemPath"] = pem.Key,
        }));
        await ClusterDeployment.WaitForMembers(Nodes[0], 3);
        await ClusterDeployment.WaitForAssignment(Nodes, AllPartitions);
        Nodes[0].System.ActorOf(Props.Create(() => new Recorder(Probed)), "probe");
    }

    public async ValueTask DisposeAsync()
    {
        // Also after a failed start: dispose whatever was started.
        if (Deployment is not null) await Deployment.DisposeAsync();
        Certificates.Dispose();
        Kafka.Dispose();
    }

    /// <summary>Keeps every message it receives (also subscribed to event streams).</summary>
    public sealed class Recorder : ReceiveActor
    {
        public Recorder(ConcurrentQueue<object> received) => ReceiveAny(received.Enqueue);
    }
}
