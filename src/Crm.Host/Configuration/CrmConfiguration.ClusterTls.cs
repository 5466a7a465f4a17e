using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Crm.Actors.Hosting;

namespace Crm.Host.Configuration;

public sealed partial record CrmConfiguration
{
    private const string PfxKey = "Cluster:Tls:CertificatePath";
    private const string PemKey = "Cluster:Tls:CertificatePemPath";
    private const string KeyPemKey = "Cluster:Tls:KeyPemPath";
    private const string CaKey = "Cluster:Tls:TrustedCaPath";
    private const string ThumbprintsKey = "Cluster:Tls:TrustedThumbprints";

    /// <summary>
    /// <c>Cluster:Tls:*</c>, null when <c>Cluster:Tls:Enabled</c> is not true: the node's certificate (a PFX file and
    /// its password, or PEM certificate and key files) and what it trusts in peers. Every file is read and checked
    /// here, so that a wrong path, password or certificate stops the host at start-up naming its key, not at the first
    /// handshake. The password stays here: the settings keep the loaded certificate only.
    /// </summary>
    private static ClusterTlsSettings? LoadClusterTls(Reader reader)
    {
        if (!reader.Bool("Cluster:Tls:Enabled", false)) return null;
        var (certificate, certificateKey) = LoadCertificate(reader);
        var cas = reader.Optional(CaKey) is { } caPath ? LoadCas(caPath) : [];
        var thumbprints = reader.List(ThumbprintsKey, "").Select(t => t.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant()).ToList();
        if (thumbprints.FirstOrDefault(t => t.Length != 40 || !t.All(char.IsAsciiHexDigit)) is { } wrong)
            throw new ConfigurationException(ThumbprintsKey, $"entry '{wrong}' is not a SHA-1 thumbprint (40 hex digits)");
        // The machine's CA store would admit any certificate a public CA issued to anyone: trust must be stated.
        if (cas.Count == 0 && thumbprints.Count == 0)
            throw new ConfigurationException(CaKey, $"is required when Cluster:Tls:Enabled is true (the CA that issues the nodes' certificates), unless {ThumbprintsKey} pins them");

        var tls = new ClusterTlsSettings(certificate, cas, thumbprints) { ValidateHostname = reader.Bool("Cluster:Tls:ValidateHostname", false) };
        // Peers judge this node by the same rules: a certificate they would refuse is found now, not at every handshake.
        if (PeerCertificates.Refusal(tls, certificate, SslPolicyErrors.None, DateTime.Now) is { } refusal)
            throw new ConfigurationException(certificateKey, $"holds a certificate that peers with these settings refuse: {refusal}");
        return tls;
    }

    private static (X509Certificate2 Certificate, string Key) LoadCertificate(Reader reader)
    {
        var pfx = reader.Optional(PfxKey);
        var pem = reader.Optional(PemKey);
        var password = reader.Secret("Cluster:Tls:CertificatePassword");
        if (pfx is not null && pem is not null)
            throw new ConfigurationException(PemKey, $"is set together with {PfxKey}: give the certificate one way");
        if (pfx is null && pem is null)
            throw new ConfigurationException(PfxKey, $"is required when Cluster:Tls:Enabled is true (a PFX file; or {PemKey} and {KeyPemKey})");

        X509Certificate2 certificate;
        string key;
        if (pfx is not null)
        {
            key = PfxKey;
            try
            {
                certificate = X509CertificateLoader.LoadPkcs12FromFile(ExistingFile(PfxKey, pfx), password);
            }
            catch (CryptographicException e)
            {
                throw new ConfigurationException(PfxKey, $"({pfx}) cannot be opened as a PFX file with {(password is null ? "no password" : "the given password")} (Cluster:Tls:CertificatePassword): {e.Message}");
            }
        }
        else
        {
            key = PemKey;
            var keyPem = reader.Optional(KeyPemKey) ?? throw new ConfigurationException(KeyPemKey, $"is required with {PemKey} (the certificate's private key, PEM)");
            try
            {
                using var loaded = password is null
                    ? X509Certificate2.CreateFromPemFile(ExistingFile(PemKey, pem!), ExistingFile(KeyPemKey, keyPem))
                    : X509Certificate2.CreateFromEncryptedPemFile(ExistingFile(PemKey, pem!), password, ExistingFile(KeyPemKey, keyPem));
                // A key read from PEM lives only in memory, which SslStream on Windows cannot use: carry it as PKCS#12.
                certificate = X509CertificateLoader.LoadPkcs12(loaded.Export(X509ContentType.Pkcs12), null);
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw new ConfigurationException(KeyPemKey, $"and {PemKey} ({keyPem}, {pem}) do not make a certificate with its key: {e.Message}");
            }
        }
        if (!certificate.HasPrivateKey)
            throw new ConfigurationException(key, "holds a certificate without its private key");
        return (certificate, key);
    }

    private static List<X509Certificate2> LoadCas(string path)
    {
        var cas = new X509Certificate2Collection();
        try
        {
            cas.ImportFromPemFile(ExistingFile(CaKey, path));
        }
        catch (CryptographicException e)
        {
            throw new ConfigurationException(CaKey, $"({path}) is not a PEM file of certificates: {e.Message}");
        }
        return cas.Count > 0 ? [.. cas] : throw new ConfigurationException(CaKey, $"({path}) holds no PEM certificate");
    }

    private static string ExistingFile(string key, string path) =>
        File.Exists(path) ? path : throw new ConfigurationException(key, $"names a file that does not exist: {path}");
}
