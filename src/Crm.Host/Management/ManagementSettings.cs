using System.Net;

namespace Crm.Host.Management;

/// <summary>
/// The operator endpoint: <c>Management:Hostname</c>:<c>Management:Port</c>, and the bearer token it demands when
/// <c>Management:Token</c> is set (required when the endpoint is reachable from other hosts).
/// </summary>
public sealed record ManagementSettings(string Hostname, int Port, string? Token)
{
    public bool IsLoopback => IsLoopbackHost(Hostname);

    /// <summary>The Kestrel URL to listen on (an IPv6 address goes in brackets).</summary>
    public string Url => IPAddress.TryParse(Hostname, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"http://[{Hostname}]:{Port}"
        : $"http://{Hostname}:{Port}";

    public static bool IsLoopbackHost(string hostname) =>
        string.Equals(hostname, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(hostname.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>The token is a secret: records print their members, so this one never shows it.</summary>
    public override string ToString() =>
        $"ManagementSettings {{ Hostname = {Hostname}, Port = {Port}, Token = {(Token is null ? "(none)" : "***")} }}";
}
