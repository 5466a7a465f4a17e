using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Akka.Remote.Transport.DotNetty;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Hosting;

/// <summary>
/// Whether a cluster peer's certificate is trusted under <see cref="ClusterTlsSettings"/>. Akka.Remote asks on both
/// ends of every connection during the TLS handshake (mutual authentication: the connecting node shows its
/// certificate too, and a connection without one is refused before this is asked).
/// </summary>
public static class PeerCertificates
{
    /// <summary>
    /// Why <paramref name="peer"/> is refused at <paramref name="now"/> (local time, as certificates' dates are read),
    /// or null when it is trusted. The chain is built here against the configured CAs alone, not the machine's store,
    /// so of SslStream's <paramref name="errors"/> only a name mismatch is read (when hostnames are validated).
    /// </summary>
    public static string? Refusal(ClusterTlsSettings tls, X509Certificate2? peer, SslPolicyErrors errors, DateTime now)
    {
        if (peer is null) return "it presented no certificate";
        var name = $"certificate '{peer.Subject}' ({peer.Thumbprint})";
        if (tls.TrustedCas.Count > 0)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.AddRange(tls.TrustedCas.ToArray());
            // A private cluster CA publishes no revocation list: certificates are replaced instead (README, rotation).
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = now;
            if (!chain.Build(peer))
                return $"{name} is not issued by a trusted CA ({string.Join(", ", chain.ChainStatus.Select(s => s.Status).Distinct())})";
        }
        else if (now < peer.NotBefore || now > peer.NotAfter)
        {
            return $"{name} is valid only from {peer.NotBefore:u} to {peer.NotAfter:u}";
        }
        if (tls.TrustedThumbprints.Count > 0 && !tls.TrustedThumbprints.Contains(peer.Thumbprint, StringComparer.OrdinalIgnoreCase))
            return $"{name} is not one of the trusted thumbprints";
        if (tls.ValidateHostname && errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
            return $"{name} does not name the host connected to";
        return null;
    }

    /// <summary>Akka.Remote's validation callback over <see cref="Refusal"/>: a refused peer costs one warning that names it and why.</summary>
    public static CertificateValidationCallback Validator(ClusterTlsSettings tls, ILogger logger) => (certificate, _, peer, errors, _) =>
    {
        var refusal = Refusal(tls, certificate, errors, DateTime.Now);
        if (refusal is not null) logger.LogWarning("Refused cluster peer {Peer}: {Reason}", peer, refusal);
        return refusal is null;
    };
}
