namespace Crm.Actors.Benchmarks;

/// <summary>
/// The benchmark's own output (progress and the final table) goes to the real standard output; everything else the
/// process prints (the services' logs, librdkafka's warnings) goes to a log file, named at the start of the run.
/// </summary>
public static class Terminal
{
    private static TextWriter _out = Console.Out;

    public static void WriteLine(string line = "") => _out.WriteLine(line);

    /// <summary>From now on <see cref="Console"/> writes to <paramref name="path"/>; <see cref="WriteLine"/> still to the terminal.</summary>
    public static void SendEverythingElseTo(string path)
    {
        _out = Console.Out;
        var log = TextWriter.Synchronized(new StreamWriter(File.Create(path)) { AutoFlush = true });
        Console.SetOut(log);
        Console.SetError(log);
    }
}
