using System.Security.Cryptography.X509Certificates;

namespace Crm.Actors.Hosting;

/// <summary>
/// Mutual TLS between the nodes (Akka.Remote's DotNetty transport): this node's <see cref="Certificate"/> (with its
/// private key), presented both when it connects and when it is connected to, and what it trusts in a peer's. A peer
/// is accepted when its certificate chains to one of <see cref="TrustedCas"/> (if any) and is one of
/// <see cref="TrustedThumbprints"/> (if any; SHA-1, hex); configuration always sets at least one of the two, since the
/// machine's CA store would trust whatever certificate any public CA issued to anyone.
/// </summary>
public sealed record ClusterTlsSettings(X509Certificate2 Certificate, IReadOnlyList<X509Certificate2> TrustedCas, IReadOnlyList<string> TrustedThumbprints)
{
    /// <summary>
    /// Also refuse a peer whose certificate does not name the host this node connected to (checked on the connecting
    /// side only, as HTTPS does). Off by default, as in Akka: every certificate of the cluster's CA is a node.
    /// </summary>
    public bool ValidateHostname { get; init; }

    /// <summary>Describes the certificates by subject and thumbprint (public); nothing secret is held here.</summary>
    public override string ToString() =>
        $"ClusterTlsSettings {{ Certificate = {Certificate.Subject} ({Certificate.Thumbprint}), " +
        $"TrustedCas = [{string.Join(", ", TrustedCas.Select(ca => ca.Subject))}], " +
        $"TrustedThumbprints = [{string.Join(", ", TrustedThumbprints)}], ValidateHostname = {ValidateHostname} }}";
}
