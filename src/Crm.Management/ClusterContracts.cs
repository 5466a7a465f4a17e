namespace Crm.Management;

/// <summary>One member as this node sees it (<c>cluster show</c>).</summary>
public sealed record ClusterMemberView(string Address, string Status, IReadOnlyList<string> Roles, bool Reachable);

/// <summary>The cluster as the answering node sees it.</summary>
public sealed record ClusterView(string Self, string? Leader, string? Oldest, IReadOnlyList<ClusterMemberView> Members);

/// <summary>Body of <c>cluster leave</c> and <c>cluster down</c>: an Akka address, e.g. akka.tcp://crm@10.0.0.5:4053.</summary>
public sealed record ClusterAddressRequest(string Address);

/// <summary>What a cluster command did, to which members.</summary>
public sealed record ClusterActionResult(string Action, IReadOnlyList<string> Addresses);
