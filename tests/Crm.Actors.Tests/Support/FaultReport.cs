namespace Crm.Actors.Tests.Support;

/// <summary>
/// One line per fault scenario, written to the test output and appended to <c>fault-report.md</c> in the test
/// output folder, so a run of the suite yields the table of faults, events, losses, duplicates and recovery times
/// (and <c>locality-report.md</c>, the share of events served by an entity on the node that read them).
/// </summary>
public static class FaultReport
{
    private static readonly object Gate = new();

    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "fault-report.md");

    public static string LocalityFilePath => Path.Combine(AppContext.BaseDirectory, "locality-report.md");

    /// <param name="crash">
    /// For a crash: what it may repeat, the objects of Braze requests in flight at the kill or answered and not yet
    /// written to a ledger (<see cref="CrashReport.Bound"/>). Null for other faults, which may repeat nothing.
    /// </param>
    public static void Write(string fault, DeliveryCount count, TimeSpan recovery, CrashReport? crash = null) => Append(
        FilePath,
        "| fault | events | delivered | lost | duplicates | crash bound: objects in flight or unrecorded (requests) | time to recover |\n|---|---:|---:|---:|---:|---:|---:|",
        $"| {fault} | {count.Sent} | {count.Delivered} | {count.Lost} | {count.Duplicates}" +
        (crash is null ? " | - " : $" | {crash.Bound} ({crash.InFlightRequests} + {crash.UnrecordedRequests} requests) ") +
        $"| {recovery.TotalSeconds:F1} s |");

    public static void WriteLocality(string scenario, long local, long remote) => Append(
        LocalityFilePath,
        "| scenario | events to a local entity | events over the network | local fraction |\n|---|---:|---:|---:|",
        $"| {scenario} | {local} | {remote} | {(double)local / Math.Max(1, local + remote):P1} |");

    private static void Append(string path, string header, string line)
    {
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        lock (Gate)
        {
            if (!File.Exists(path)) File.WriteAllText(path, header + "\n");
            File.AppendAllText(path, line + "\n");
        }
    }
}
