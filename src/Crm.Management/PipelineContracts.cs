namespace Crm.Management;

/// <summary>
/// One partition as its owning node's consumer sees it: offsets from the Kafka source's progress, committed records per
/// second over the SLO window, and the Burrow-style evaluation (<c>ok</c>, <c>lagging</c>, <c>stalled</c>, or
/// <c>unknown</c> until the window has enough samples) with the share of evaluated time it was not lagging.
/// </summary>
public sealed record PartitionStatus(
    string Topic, int Partition, string Node, long Committed, long EndOffset, long Lag, double RecordsPerSecond,
    string Slo, double NotLaggingRatio);

/// <summary>A node's record pipeline totals since it started.</summary>
public sealed record NodePipelineTotals(
    string Node, long RecordsIn, long Delivered, long DeadLettered, long Skipped, long Retries,
    IReadOnlyDictionary<string, long> DeadLettersByReason);

/// <summary>A node that did not answer the cluster-wide question, and why.</summary>
public sealed record NodeError(string Node, string Error);

/// <summary>
/// <c>pipeline status</c>: every Up node's partitions and totals; <paramref name="Unowned"/> lists the configured
/// partitions (<c>Kafka:Topics</c> × <c>Kafka:Partitions</c>) no node reports, e.g. during a rebalance.
/// </summary>
public sealed record PipelineView(
    IReadOnlyList<PartitionStatus> Partitions, IReadOnlyList<NodePipelineTotals> Nodes, IReadOnlyList<NodeError> Unanswered,
    double SloTarget, double NotLaggingRatio, IReadOnlyList<string> Unowned);
