using Akka.Actor;
using Crm.Actors.Operating;
using Crm.Management;
using Serilog.Core;
using Serilog.Events;

namespace Crm.Host.Management;

/// <summary><c>log level</c>: sets the node's Serilog switch and Akka's own level together (Akka filters before Serilog sees).</summary>
public static class LogLevels
{
    public static LogLevelView Set(ActorSystem system, LoggingLevelSwitch serilog, string level)
    {
        if (!Enum.TryParse<LogEventLevel>(level, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(level, out _))
            throw ManagementException.BadRequest($"'{level}' is not one of {string.Join(", ", Enum.GetNames<LogEventLevel>())}");
        serilog.MinimumLevel = parsed;
        system.EventStream.SetLogLevel(ToAkka(parsed));
        return Current(system, serilog);
    }

    public static LogLevelView Current(ActorSystem system, LoggingLevelSwitch serilog) =>
        new(Akka.Cluster.Cluster.Get(system).SelfAddress.ToString(), serilog.MinimumLevel.ToString(), system.EventStream.LogLevel.ToString());

    /// <summary>Akka's level for a Serilog level (Akka has no Verbose: Debug is its lowest).</summary>
    public static Akka.Event.LogLevel ToAkka(LogEventLevel level) => level switch
    {
        LogEventLevel.Verbose or LogEventLevel.Debug => Akka.Event.LogLevel.DebugLevel,
        LogEventLevel.Information => Akka.Event.LogLevel.InfoLevel,
        LogEventLevel.Warning => Akka.Event.LogLevel.WarningLevel,
        _ => Akka.Event.LogLevel.ErrorLevel,
    };
}
