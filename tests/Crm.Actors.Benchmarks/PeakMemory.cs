using System.Diagnostics;

namespace Crm.Actors.Benchmarks;

/// <summary>The process's peak working set (Linux VmHWM), which can be reset between runs of one process.</summary>
public static class PeakMemory
{
    /// <summary>
    /// Starts a new peak from the current working set; false where the kernel does not allow it. A full, compacting,
    /// aggressive GC first gives the memory an earlier run of this process left behind back to the OS: without it the
    /// PostgreSQL rows, run after SQLite's, carried SQLite's run in their peak (611 to 654 MiB, against 398 to 422 MiB
    /// in runs of PostgreSQL alone).
    /// </summary>
    public static bool Reset()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5"); // 5: reset the peak resident set size (Linux 4.0+)
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or PlatformNotSupportedException)
        {
            return false;
        }
    }

    public static long Bytes()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }
}
