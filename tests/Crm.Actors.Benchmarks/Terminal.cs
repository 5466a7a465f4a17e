using System.Runtime.InteropServices;

namespace Crm.Actors.Benchmarks;

/// <summary>
/// The benchmark's own output (progress and the final table) goes to the real standard output; everything else the
/// process prints (the services' logs, librdkafka's warnings) goes to a log file, named at the start of the run.
/// </summary>
public static class Terminal
{
    private static TextWriter _out = Console.Out;

    public static void WriteLine(string line = "") => _out.WriteLine(line);

    /// <summary>
    /// From now on <see cref="Console"/> and the native standard error (where librdkafka logs when no handler is set)
    /// write to <paramref name="path"/>; <see cref="WriteLine"/> still to the terminal.
    /// </summary>
    public static void SendEverythingElseTo(string path)
    {
        _out = Console.Out;
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite);
        var log = TextWriter.Synchronized(new StreamWriter(file) { AutoFlush = true });
        Console.SetOut(log);
        Console.SetError(log);
        if (OperatingSystem.IsLinux())
            _ = Dup2((int)file.SafeFileHandle.DangerousGetHandle(), StandardError);
    }

    private const int StandardError = 2;

    [DllImport("libc", EntryPoint = "dup2", SetLastError = true)]
    private static extern int Dup2(int oldFd, int newFd);
}
