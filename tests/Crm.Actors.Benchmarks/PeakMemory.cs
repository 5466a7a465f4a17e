using System.Diagnostics;

namespace Crm.Actors.Benchmarks;

/// <summary>The process's peak working set (Linux VmHWM), which can be reset between runs of one process.</summary>
public static class PeakMemory
{
    /// <summary>Starts a new peak from the current working set; false where the kernel does not allow it.</summary>
    public static bool Reset()
    {
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
