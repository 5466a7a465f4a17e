using System.Security.Cryptography.X509Certificates;
using Crm.Actors.Testing;
using Crm.Host.Configuration;
using static Crm.Actors.Testing.TestConfiguration;

namespace Crm.Actors.UnitTests.Host;

/// <summary><c>Cluster:BindHostname</c> and <c>Cluster:Tls:*</c>: what they turn on, and every way they can be wrong (one message naming the key).</summary>
public sealed class ClusterTlsConfigurationTests : IDisposable
{
    private readonly TestCertificates _certificates = new();

    [Fact]
    public void By_default_TLS_is_off_and_remoting_listens_on_the_advertised_hostname()
    {
        var defaults = Load(Required()).Cluster;
        Assert.Null(defaults.Tls);
        Assert.Equal("127.0.0.1", defaults.BindHostname);
        Assert.Equal("akka.tcp", defaults.Protocol);

        var container = Load(Required(("Cluster:Hostname", "crm-1"), ("Cluster:BindHostname", "0.0.0.0"))).Cluster;
        Assert.Equal(("crm-1", "0.0.0.0"), (container.Hostname, container.BindHostname));
        Assert.Equal("crm-1", Load(Required(("Cluster:Hostname", "crm-1"))).Cluster.BindHostname);
    }

    [Fact]
    public void A_PFX_with_its_password_and_the_cluster_CA_turn_TLS_on()
    {
        var configuration = Load(Tls(("Cluster:SeedNodes", "akka.ssl.tcp://crm@crm-1:4053")));

        var tls = configuration.Cluster.Tls!;
        Assert.Equal("CN=crm-1", tls.Certificate.Subject);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Equal(["CN=Crm Test Cluster CA"], tls.TrustedCas.Select(ca => ca.Subject));
        Assert.Empty(tls.TrustedThumbprints);
        Assert.False(tls.ValidateHostname);
        Assert.Equal("akka.ssl.tcp", configuration.Cluster.Protocol);
        Assert.DoesNotContain(TestCertificates.Password, configuration.ToString());
    }

    [Fact]
    public void PEM_certificate_and_key_with_pinned_thumbprints_and_hostname_validation()
    {
        var (certificate, key) = _certificates.SignedPem("crm-2");
        var thumbprint = X509CertificateLoader.LoadCertificateFromFile(certificate).Thumbprint;
        // Thumbprints as tools print them: lower case, colon-separated.
        var printed = string.Join(':', thumbprint.ToLowerInvariant().Chunk(2).Select(pair => new string(pair)));

        var tls = Load(Required(
            ("Cluster:Tls:Enabled", "true"), ("Cluster:Tls:CertificatePemPath", certificate), ("Cluster:Tls:KeyPemPath", key),
            ("Cluster:Tls:TrustedThumbprints", $"{printed}, {new string('A', 40)}"), ("Cluster:Tls:ValidateHostname", "true"))).Cluster.Tls!;

        Assert.Equal("CN=crm-2", tls.Certificate.Subject);
        Assert.True(tls.Certificate.HasPrivateKey);
        Assert.Empty(tls.TrustedCas);
        Assert.Equal([thumbprint, new string('A', 40)], tls.TrustedThumbprints);
        Assert.True(tls.ValidateHostname);
    }

    [Fact]
    public void An_encrypted_PEM_key_opens_with_the_certificate_password()
    {
        var (certificate, key) = _certificates.SignedPem("crm-3", encryptKey: true);
        var pem = Tls(("Cluster:Tls:CertificatePath", null), ("Cluster:Tls:CertificatePemPath", certificate), ("Cluster:Tls:KeyPemPath", key));

        Assert.Equal("CN=crm-3", Load(pem).Cluster.Tls!.Certificate.Subject);
        pem.Remove("Cluster:Tls:CertificatePassword");
        Assert.Equal("Cluster:Tls:KeyPemPath", Assert.Throws<ConfigurationException>(() => Load(pem)).Key);
    }

    [Theory]
    [InlineData("no certificate", "Cluster:Tls:CertificatePath")]
    [InlineData("certificate file missing", "Cluster:Tls:CertificatePath")]
    [InlineData("wrong password", "Cluster:Tls:CertificatePath")]
    [InlineData("no password", "Cluster:Tls:CertificatePath")]
    [InlineData("PFX and PEM", "Cluster:Tls:CertificatePemPath")]
    [InlineData("PEM without key", "Cluster:Tls:KeyPemPath")]
    [InlineData("key of another certificate", "Cluster:Tls:KeyPemPath")]
    [InlineData("nothing trusted", "Cluster:Tls:TrustedCaPath")]
    [InlineData("CA file without a certificate", "Cluster:Tls:TrustedCaPath")]
    [InlineData("malformed thumbprint", "Cluster:Tls:TrustedThumbprints")]
    [InlineData("self-signed certificate", "Cluster:Tls:CertificatePath")]
    [InlineData("expired certificate", "Cluster:Tls:CertificatePath")]
    [InlineData("own certificate not pinned", "Cluster:Tls:CertificatePath")]
    [InlineData("enabled is not a boolean", "Cluster:Tls:Enabled")]
    [InlineData("validate hostname is not a boolean", "Cluster:Tls:ValidateHostname")]
    [InlineData("plain seed with TLS", "Cluster:SeedNodes")]
    [InlineData("TLS seed without TLS", "Cluster:SeedNodes")]
    public void A_tls_setting_that_does_not_hold_stops_the_host_naming_the_key(string problem, string key)
    {
        var values = problem switch
        {
            "no certificate" => Tls(("Cluster:Tls:CertificatePath", null)),
            "certificate file missing" => Tls(("Cluster:Tls:CertificatePath", "/nonexistent/crm-1.pfx")),
            "wrong password" => Tls(("Cluster:Tls:CertificatePassword", "not-the-password")),
            "no password" => Tls(("Cluster:Tls:CertificatePassword", null)),
            "PFX and PEM" => Tls(("Cluster:Tls:CertificatePemPath", _certificates.SignedPem("crm-2").Certificate)),
            "PEM without key" => Tls(("Cluster:Tls:CertificatePath", null), ("Cluster:Tls:CertificatePemPath", _certificates.SignedPem("crm-2").Certificate)),
            "key of another certificate" => Tls(("Cluster:Tls:CertificatePath", null),
                ("Cluster:Tls:CertificatePemPath", _certificates.SignedPem("crm-2").Certificate), ("Cluster:Tls:KeyPemPath", _certificates.SignedPem("crm-3").Key)),
            "nothing trusted" => Tls(("Cluster:Tls:TrustedCaPath", null)),
            "CA file without a certificate" => Tls(("Cluster:Tls:TrustedCaPath", _certificates.Write("empty.crt", "not a certificate\n"))),
            "malformed thumbprint" => Tls(("Cluster:Tls:TrustedThumbprints", "1234")),
            "self-signed certificate" => Tls(("Cluster:Tls:CertificatePath", _certificates.SelfSignedPfx("crm-x"))),
            "expired certificate" => Tls(("Cluster:Tls:CertificatePath",
                _certificates.SignedPfx("crm-old", DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1)))),
            "own certificate not pinned" => Tls(("Cluster:Tls:TrustedThumbprints", new string('A', 40))),
            "enabled is not a boolean" => Tls(("Cluster:Tls:Enabled", "yes")),
            "validate hostname is not a boolean" => Tls(("Cluster:Tls:ValidateHostname", "1")),
            "plain seed with TLS" => Tls(("Cluster:SeedNodes", "akka.tcp://crm@crm-1:4053")),
            "TLS seed without TLS" => Required(("Cluster:SeedNodes", "akka.ssl.tcp://crm@crm-1:4053")),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };

        var e = Assert.Throws<ConfigurationException>(() => Load(values));

        Assert.Equal(key, e.Key);
        Assert.StartsWith($"Configuration error: {key} ", e.Message);
        Assert.DoesNotContain(TestCertificates.Password, e.Message);
        Assert.DoesNotContain("not-the-password", e.Message);
    }

    public void Dispose() => _certificates.Dispose();

    /// <summary>TLS on with a PFX signed by the test CA (CN=crm-1) and that CA trusted; <paramref name="more"/> on top (null removes a key).</summary>
    private Dictionary<string, string?> Tls(params (string Key, string? Value)[] more) => Required([
        ("Cluster:Tls:Enabled", "true"),
        ("Cluster:Tls:CertificatePath", _certificates.SignedPfx("crm-1")),
        ("Cluster:Tls:CertificatePassword", TestCertificates.Password),
        ("Cluster:Tls:TrustedCaPath", _certificates.CaPath),
        .. more,
    ]);
}
