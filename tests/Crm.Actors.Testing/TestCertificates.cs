using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Crm.Actors.Testing;

/// <summary>
/// Certificates for the cluster TLS tests, made with .NET's <see cref="CertificateRequest"/> in a temporary folder
/// (deleted on dispose): a test CA, node certificates it signs (for 127.0.0.1 and localhost, server and client use,
/// as deploy/cluster-certs.sh makes them), and self-signed ones that no node trusts.
/// </summary>
public sealed class TestCertificates : IDisposable
{
    /// <summary>The password of every PFX file written here.</summary>
    public const string Password = "pfx-password-3b9e1d7c";

    private readonly string _folder = Directory.CreateTempSubdirectory("crm-certs-").FullName;
    private readonly X509Certificate2 _ca;

    public TestCertificates()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Crm Test Cluster CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-90), DateTimeOffset.UtcNow.AddYears(1));
        CaPath = Write("ca.crt", _ca.ExportCertificatePem());
    }

    /// <summary>The CA's certificate (PEM), what nodes trust (<c>Cluster:Tls:TrustedCaPath</c>).</summary>
    public string CaPath { get; }

    /// <summary>The CA's certificate, loaded.</summary>
    public X509Certificate2 Ca => X509CertificateLoader.LoadCertificate(_ca.RawData);

    /// <summary>A node certificate signed by the CA, valid from yesterday for 30 days (or as given), as a PFX file with <see cref="Password"/>.</summary>
    public string SignedPfx(string name, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null) =>
        WritePfx(name, Issue(name, _ca, notBefore, notAfter));

    /// <summary>A node certificate signed by the CA as PEM files: the certificate and its private key, encrypted with <see cref="Password"/> if asked.</summary>
    public (string Certificate, string Key) SignedPem(string name, bool encryptKey = false)
    {
        using var certificate = Issue(name, _ca);
        using var key = certificate.GetECDsaPrivateKey()!;
        var keyPem = encryptKey
            ? key.ExportEncryptedPkcs8PrivateKeyPem(Password, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000))
            : key.ExportPkcs8PrivateKeyPem();
        return (Write(name + ".crt", certificate.ExportCertificatePem()), Write(name + ".key", keyPem));
    }

    /// <summary>A self-signed certificate shaped like a node's, as a PFX file with <see cref="Password"/>.</summary>
    public string SelfSignedPfx(string name) => WritePfx(name, Issue(name, signer: null));

    /// <summary>A file holding <paramref name="content"/> (e.g. a secret for a <c>_FILE</c> key).</summary>
    public string Write(string name, string content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, content);
        return path;
    }

    private string WritePfx(string name, X509Certificate2 certificate)
    {
        using (certificate)
        {
            var path = Path.Combine(_folder, name + ".pfx");
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pkcs12, Password));
            return path;
        }
    }

    private static X509Certificate2 Issue(string name, X509Certificate2? signer, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        // TLS server and client authentication: a node is both, as it accepts and makes connections.
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var from = notBefore ?? DateTimeOffset.UtcNow.AddDays(-1);
        var to = notAfter ?? DateTimeOffset.UtcNow.AddDays(30);
        if (signer is null) return request.CreateSelfSigned(from, to);
        using var issued = request.Create(signer, from, to, RandomNumberGenerator.GetBytes(16));
        return issued.CopyWithPrivateKey(key);
    }

    public void Dispose()
    {
        _ca.Dispose();
        Directory.Delete(_folder, recursive: true);
    }
}
