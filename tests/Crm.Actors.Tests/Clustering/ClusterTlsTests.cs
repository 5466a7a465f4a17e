using Crm.Actors.Testing;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Remote;
using Crm.Actors.Hosting;
using Crm.Actors.Tests.Support;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Tests.Clustering;

/// <summary>
/// Nobody joins uninvited: nodes with certificates from the cluster's CA form a cluster and deliver over mutual TLS;
/// a node with a certificate they do not trust, or none (plain TCP), gets no association, so it neither joins nor
/// delivers a message; and remoting listens only where a node says it is.
/// </summary>
[Collection(Serial.Name)]
public sealed class ClusterTlsTests(TlsCluster cluster) : IClassFixture<TlsCluster>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Nodes_with_certificates_from_one_CA_form_a_cluster_over_TLS_and_deliver_every_event()
    {
        Assert.All(cluster.Nodes, node => Assert.Equal("akka.ssl.tcp", node.Address.Protocol));

        var produced = cluster.Deployment.Pipeline.ProduceCustomers(30, seed: 61);
        await PipelineDeployment.WaitUntil(
            () => cluster.Deployment.Pipeline.Count(produced).Lost == 0 && cluster.Deployment.Pipeline.AllCommitted(),
            Patience, cluster.Deployment.Pipeline.CommitState);

        var count = cluster.Deployment.Pipeline.Count(produced);
        Assert.Equal(0, count.Lost);
        Assert.Equal(0, count.Duplicates);
        Assert.All(cluster.Nodes, node => Assert.True(node.Locality.Local > 0, $"{node.Address} handled no record"));
    }

    [Fact]
    public async Task A_node_with_a_self_signed_certificate_is_refused_and_the_members_notice_only_a_log_line()
    {
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(cluster.Certificates.SelfSignedPfx("crm-intruder"), TestCertificates.Password);
        // The intruder trusts the nodes (their CA's certificate is no secret): the refusal is theirs.
        var seeds = cluster.Nodes.Select(n => n.Address.ToString()).ToList();
        await using var intruder = await BareNode.StartAsync(new ClusterSettings("127.0.0.1", 0, seeds)
        {
            Tls = new ClusterTlsSettings(certificate, [cluster.Certificates.Ca, certificate], []),
        });

        // The proof of the attempt is the member's refusal: the intruder itself may see no failure (with TLS 1.3 its side of
        // the handshake completes before the member checks its certificate and closes, and a refused address is gated).
        await AssertShutOut(intruder, cluster.Nodes[0].Address, "from the intruder",
            refused: () => Refusals(cluster.Nodes[0]).Any(e => e.Message.Contains("CN=crm-intruder")));

        var refusal = Refusals(cluster.Nodes[0]).First(e => e.Message.Contains("CN=crm-intruder"));
        Assert.Equal(LogLevel.Warning, refusal.Level);
        Assert.Contains("is not issued by a trusted CA", refusal.Message);
    }

    [Fact]
    public async Task A_plain_tcp_peer_gets_no_association()
    {
        var target = cluster.Nodes[0].Address;
        var plain = new Address("akka.tcp", target.System, target.Host, target.Port);
        await using var peer = await BareNode.StartAsync(new ClusterSettings("127.0.0.1", 0, [plain.ToString()]));

        await AssertShutOut(peer, plain, "from a plain peer", refused: () => peer.FailedToAssociateWith(plain));
    }

    [Fact]
    public async Task Remoting_listens_on_the_advertised_address_only_unless_Cluster_BindHostname_widens_it()
    {
        // Linux routes all of 127.0.0.0/8 to loopback: a socket bound to every interface answers on 127.0.0.2 too.
        var other = IPAddress.Parse("127.0.0.2");
        var port = cluster.Nodes[0].Address.Port!.Value;
        Assert.True(await Connects(IPAddress.Loopback, port));
        Assert.False(await Connects(other, port), $"remoting of {cluster.Nodes[0].Address} answers on {other}");

        await using var wide = await BareNode.StartAsync(new ClusterSettings("127.0.0.1", 0, []) { BindHostname = "0.0.0.0" });
        Assert.Equal("127.0.0.1", wide.Address.Host); // still advertised as itself
        Assert.True(await Connects(other, wide.Address.Port!.Value), "a node bound to 0.0.0.0 does not answer on 127.0.0.2: the check above proves nothing");
    }

    /// <summary>
    /// The outsider sends to the first node's probe until <paramref name="refused"/> shows its attempt to associate with
    /// <paramref name="target"/> was refused: no message of its got through, as none can without an association. Then
    /// a member's message takes the same path and arrives, the outsider is in no cluster, and the members still see
    /// each other only, all Up and reachable.
    /// </summary>
    private async Task AssertShutOut(BareNode outsider, Address target, string message, Func<bool> refused)
    {
        var probe = outsider.System.ActorSelection(new RootActorPath(target) / "user" / "probe");
        await Eventually.Holds(() =>
        {
            probe.Tell(message);
            return refused();
        }, Patience, () => $"association errors: {string.Join("; ", outsider.AssociationErrors)}; the first node logged:\n{cluster.Nodes[0].Log}");

        var control = $"from a member, after {message}";
        cluster.Nodes[1].System.ActorSelection(new RootActorPath(cluster.Nodes[0].Address) / "user" / "probe").Tell(control);
        await Eventually.Holds(() => cluster.Probed.Contains(control), Patience);

        Assert.DoesNotContain(message, cluster.Probed);
        Assert.Empty(Akka.Cluster.Cluster.Get(outsider.System).State.Members);
        Assert.All(cluster.Nodes, node =>
        {
            Assert.Equal(3, node.Members);
            Assert.Equal(3, node.UpMembers);
            Assert.Empty(Akka.Cluster.Cluster.Get(node.System).State.Unreachable);
        });
    }

    private static IEnumerable<ServiceLog.Entry> Refusals(ClusterNode node) =>
        node.Log.Entries.Where(e => e.Message.StartsWith("Refused cluster peer", StringComparison.Ordinal));

    private static async Task<bool> Connects(IPAddress address, int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(address, port);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return false;
        }
    }
}
