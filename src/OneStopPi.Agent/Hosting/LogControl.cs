using Serilog.Core;
using Serilog.Events;

namespace OneStopPi.Agent.Hosting;

/// <summary>The log mode, switchable at run time (remote command 5): normal, verbose or debug.</summary>
public sealed class LogControl
{
    public LogControl(string logsDirectory) => LogsDirectory = logsDirectory;

    public LoggingLevelSwitch Switch { get; } = new(LogEventLevel.Information);

    public string LogsDirectory { get; }

    public string Mode => Switch.MinimumLevel switch
    {
        LogEventLevel.Verbose => "debug",
        LogEventLevel.Debug => "verbose",
        _ => "normal",
    };

    /// <summary>Sets the mode; false for a name that is not a mode.</summary>
    public bool TrySetMode(string? mode)
    {
        LogEventLevel? level = mode?.Trim().ToLowerInvariant() switch
        {
            "normal" => LogEventLevel.Information,
            "verbose" => LogEventLevel.Debug,
            "debug" => LogEventLevel.Verbose,
            _ => null,
        };
        if (level is null)
        {
            return false;
        }

        Switch.MinimumLevel = level.Value;
        return true;
    }
}
