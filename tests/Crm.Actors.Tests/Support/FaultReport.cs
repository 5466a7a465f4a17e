namespace Crm.Actors.Tests.Support;

/// <summary>
/// One line per fault scenario, written to the test output and appended to <c>fault-report.md</c> in the test
/// output folder, so a run of the suite yields the table of faults, events, losses, duplicates and recovery times.
/// </summary>
public static class FaultReport
{
    private static readonly object Gate = new();

    public static string FilePath => Path.Combine(AppContext.BaseDirectory, "fault-report.md");

    public static void Write(string fault, DeliveryCount count, TimeSpan recovery)
    {
        var line = $"| {fault} | {count.Sent} | {count.Delivered} | {count.Lost} | {count.Duplicates} | {recovery.TotalSeconds:F1} s |";
        TestContext.Current.TestOutputHelper?.WriteLine(line);
        lock (Gate)
        {
            if (!File.Exists(FilePath))
                File.WriteAllText(FilePath, "| fault | events | delivered | lost | duplicates | time to recover |\n|---|---:|---:|---:|---:|---:|\n");
            File.AppendAllText(FilePath, line + "\n");
        }
    }
}
