namespace OneStopPi.Contracts;

/// <summary>The remote commands an operator can queue for an agent (docs/portal-api.md, "Commands"); a number on the wire.</summary>
public enum CommandType
{
    RestartAgent = 1,
    ForceDiscoveryScan = 2,
    UploadLogFiles = 3,
    DeleteLogFiles = 4,

    /// <summary>Parameter: one of <see cref="LogModes"/>.</summary>
    SetLogMode = 5,

    /// <summary>Parameter: <see cref="WalkTarget"/>.</summary>
    WalkMib = 6,

    /// <summary>Parameter: <see cref="UpgradeParameter"/> as JSON, written by the portal from an uploaded release.</summary>
    Upgrade = 7,
}

/// <summary>GET /commands: one queued command; the agent acknowledges it before running it.</summary>
public sealed record PendingCommand(long Id, CommandType Type, string? Parameter, DateTime CreatedAt);

/// <summary>POST /commands/{id}/complete.</summary>
public sealed record CommandOutcome(bool Succeeded, string? Message);

/// <summary>What both sides know about each command type: its name, its result, and which parameter it takes.</summary>
public static class CommandRules
{
    public const int MaxParameterLength = 1024;

    public static bool IsKnown(CommandType type) => type is >= CommandType.RestartAgent and <= CommandType.Upgrade;

    /// <summary>The name operators see (the operator API, the web pages, the agent's log).</summary>
    public static string Name(CommandType type) => type switch
    {
        CommandType.RestartAgent => "restart-agent",
        CommandType.ForceDiscoveryScan => "force-discovery",
        CommandType.UploadLogFiles => "upload-logs",
        CommandType.DeleteLogFiles => "delete-logs",
        CommandType.SetLogMode => "set-log-mode",
        CommandType.WalkMib => "walk-mib",
        CommandType.Upgrade => "upgrade",
        _ => "unknown",
    };

    /// <summary>Commands whose result is a ZIP the agent uploads (PUT /commands/{id}/result) rather than a message.</summary>
    public static bool HasResultFile(CommandType type) => type is CommandType.UploadLogFiles or CommandType.WalkMib;

    /// <summary>An error sentence, or null when the parameter fits the command type. The upgrade's JSON parameter is the portal's own to write.</summary>
    public static string? CheckParameter(CommandType type, string? parameter)
    {
        if (!IsKnown(type))
        {
            return $"command type {(int)type} is unknown (1 restart agent, 2 force discovery, 3 upload logs, 4 delete logs, 5 set log mode, 6 walk MIB, 7 upgrade)";
        }

        if (parameter is { Length: > MaxParameterLength })
        {
            return $"the parameter is longer than {MaxParameterLength} characters";
        }

        return type switch
        {
            CommandType.SetLogMode when !LogModes.IsKnown(parameter) =>
                $"set-log-mode needs one of {string.Join(", ", LogModes.All)} as its parameter",
            CommandType.WalkMib when !WalkTarget.TryParse(parameter, out _, out string? error) => error,
            _ => null,
        };
    }
}
