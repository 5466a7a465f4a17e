using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Crm.Actors.Tests.Support;

/// <summary>
/// Captures what the in-process service logs through Microsoft.Extensions.Logging from the moment it is attached
/// (loggers created earlier get it too), with the time since attaching: the service's own account of a fault.
/// </summary>
public sealed class ServiceLog : ILoggerProvider
{
    private readonly ConcurrentQueue<Entry> _entries = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly LogLevel _minimum;

    private ServiceLog(LogLevel minimum) => _minimum = minimum;

    public sealed record Entry(TimeSpan At, LogLevel Level, string Category, string Message)
    {
        public override string ToString() => $"{At.TotalSeconds,6:F2}s {Level} {Category}: {Message}";
    }

    /// <summary>Starts capturing the host's log at <paramref name="minimum"/> and above.</summary>
    public static ServiceLog Attach(CrmTestHost host, LogLevel minimum = LogLevel.Information)
    {
        var log = new ServiceLog(minimum);
        host.Service<ILoggerFactory>().AddProvider(log);
        return log;
    }

    public IReadOnlyCollection<Entry> Entries => _entries;

    public IReadOnlyList<Entry> Errors => _entries.Where(e => e.Level >= LogLevel.Error).ToList();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public override string ToString() => string.Join('\n', _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(ServiceLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= log._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var message = formatter(state, exception) + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})");
            log._entries.Enqueue(new Entry(log._clock.Elapsed, logLevel, category, message));
        }
    }
}
