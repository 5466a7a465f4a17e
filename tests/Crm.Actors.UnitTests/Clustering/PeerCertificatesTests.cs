using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Crm.Actors.Hosting;
using Crm.Actors.Testing;

namespace Crm.Actors.UnitTests.Clustering;

/// <summary>Which peer certificates a node accepts (<see cref="PeerCertificates.Refusal"/>), for each way of stating trust.</summary>
public sealed class PeerCertificatesTests : IDisposable
{
    private readonly TestCertificates _certificates = new();
    private readonly X509Certificate2 _node;
    private readonly X509Certificate2 _selfSigned;

    public PeerCertificatesTests()
    {
        _node = Load(_certificates.SignedPfx("crm-1"));
        _selfSigned = Load(_certificates.SelfSignedPfx("crm-intruder"));
    }

    [Fact]
    public void A_CA_admits_the_certificates_it_signed_while_they_are_valid_and_nothing_else()
    {
        var tls = new ClusterTlsSettings(_node, [_certificates.Ca], []);

        Assert.Null(PeerCertificates.Refusal(tls, _node, SslPolicyErrors.None, DateTime.Now));
        Assert.Null(PeerCertificates.Refusal(tls, Load(_certificates.SignedPfx("crm-2")), SslPolicyErrors.RemoteCertificateChainErrors, DateTime.Now));
        Assert.Contains("is not issued by a trusted CA", PeerCertificates.Refusal(tls, _selfSigned, SslPolicyErrors.None, DateTime.Now));
        Assert.Contains("NotTimeValid", PeerCertificates.Refusal(tls, _node, SslPolicyErrors.None, DateTime.Now.AddDays(60)));
        Assert.Equal("it presented no certificate", PeerCertificates.Refusal(tls, null, SslPolicyErrors.RemoteCertificateNotAvailable, DateTime.Now));
    }

    [Fact]
    public void Pinned_thumbprints_admit_exactly_those_certificates_while_they_are_valid()
    {
        var tls = new ClusterTlsSettings(_node, [], [_selfSigned.Thumbprint.ToLowerInvariant(), _node.Thumbprint]);

        Assert.Null(PeerCertificates.Refusal(tls, _selfSigned, SslPolicyErrors.RemoteCertificateChainErrors, DateTime.Now));
        Assert.Null(PeerCertificates.Refusal(tls, _node, SslPolicyErrors.None, DateTime.Now));
        Assert.Contains("is not one of the trusted thumbprints", PeerCertificates.Refusal(tls, Load(_certificates.SignedPfx("crm-2")), SslPolicyErrors.None, DateTime.Now));
        Assert.Contains("is valid only from", PeerCertificates.Refusal(tls, _selfSigned, SslPolicyErrors.None, DateTime.Now.AddDays(60)));

        // With a CA as well, a pinned certificate must also chain to it.
        var both = tls with { TrustedCas = [_certificates.Ca] };
        Assert.Null(PeerCertificates.Refusal(both, _node, SslPolicyErrors.None, DateTime.Now));
        Assert.Contains("is not issued by a trusted CA", PeerCertificates.Refusal(both, _selfSigned, SslPolicyErrors.None, DateTime.Now));
    }

    [Fact]
    public void A_name_mismatch_is_refused_only_when_hostnames_are_validated()
    {
        var tls = new ClusterTlsSettings(_node, [_certificates.Ca], []);

        Assert.Null(PeerCertificates.Refusal(tls, _node, SslPolicyErrors.RemoteCertificateNameMismatch, DateTime.Now));
        Assert.Contains("does not name the host", PeerCertificates.Refusal(
            tls with { ValidateHostname = true }, _node, SslPolicyErrors.RemoteCertificateNameMismatch, DateTime.Now));
        Assert.Null(PeerCertificates.Refusal(tls with { ValidateHostname = true }, _node, SslPolicyErrors.None, DateTime.Now));
    }

    public void Dispose() => _certificates.Dispose();

    private static X509Certificate2 Load(string pfx) => X509CertificateLoader.LoadPkcs12FromFile(pfx, TestCertificates.Password);
}
