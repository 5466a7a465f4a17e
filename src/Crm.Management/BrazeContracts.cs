namespace Crm.Management;

/// <summary>Braze's <c>X-RateLimit-*</c> headers as last seen.</summary>
public sealed record RateLimitView(int? Limit, int? Remaining, DateTimeOffset? Reset);

public sealed record BrazeErrorView(DateTimeOffset At, string Reason);

/// <summary>
/// One node's Braze gateway: rates over the last seconds, totals, queue, backoff and last errors. <c>Halted</c>: sending
/// halts because an answer said the key or the endpoint is wrong, <c>HaltReason</c> says which (never the key itself).
/// </summary>
public sealed record BrazeNodeStatus(
    string Node, double RequestsPerSecond, double ObjectsPerSecond, long Requests, long FailedRequests,
    long ObjectsAccepted, long ObjectsRejected, int RequestsInFlight, int QueuedObjects, RateLimitView? RateLimit,
    bool Halted, string? HaltReason, int FailuresInARow, IReadOnlyList<BrazeErrorView> LastErrors);

/// <summary><c>braze status</c>: every Up node's gateway.</summary>
public sealed record BrazeView(IReadOnlyList<BrazeNodeStatus> Nodes, IReadOnlyList<NodeError> Unanswered);
