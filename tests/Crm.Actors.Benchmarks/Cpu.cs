using System.Globalization;

namespace Crm.Actors.Benchmarks;

/// <summary>CPU time used so far, read before and after what is measured.</summary>
public static class Cpu
{
    /// <summary>This process, all its threads: less at the mercy of the neighbours than wall-clock rates.</summary>
    public static TimeSpan Process()
    {
        using var process = System.Diagnostics.Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    /// <summary>
    /// The local PostgreSQL server's processes (every process named <c>postgres</c>, from /proc; Linux only), which
    /// <see cref="Process"/> does not include. SQLite runs inside the process and is in that figure.
    /// </summary>
    public static TimeSpan PostgresServer()
    {
        if (!Directory.Exists("/proc")) return TimeSpan.Zero;
        long ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            try
            {
                if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
                if (File.ReadAllText(Path.Combine(dir, "comm")).Trim() != "postgres") continue;
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after the command's closing parenthesis: state is field 3, utime 14 and stime 15 (proc(5)).
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
            catch (IOException) { } // the process ended meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }
}
