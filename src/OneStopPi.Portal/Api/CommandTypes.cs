using System.Net;

namespace OneStopPi.Portal.Api;

/// <summary>The command queue's numeric types (docs/portal-api.md, "Commands").</summary>
internal static class CommandTypes
{
    public const int RestartAgent = 1;
    public const int ForceDiscovery = 2;
    public const int UploadLogs = 3;
    public const int DeleteLogs = 4;
    public const int SetLogMode = 5;
    public const int WalkMib = 6;
    public const int Upgrade = 7;

    public static string Name(int type) => type switch
    {
        RestartAgent => "restart-agent",
        ForceDiscovery => "force-discovery",
        UploadLogs => "upload-logs",
        DeleteLogs => "delete-logs",
        SetLogMode => "set-log-mode",
        WalkMib => "walk-mib",
        Upgrade => "upgrade",
        _ => "unknown",
    };

    /// <summary>Commands whose result is a ZIP the agent uploads.</summary>
    public static bool HasResultFile(int type) => type is UploadLogs or WalkMib;

    /// <summary>An error sentence, or null when type and parameter fit together.</summary>
    public static string? Check(int type, string? parameter)
    {
        if (type == Upgrade)
        {
            return "queue an upgrade (7) with POST /agents/{id}/upgrade or /sites/{id}/upgrade: the portal writes its parameter from the uploaded release";
        }

        if (type is < RestartAgent or > Upgrade)
        {
            return $"command type {type} is unknown (1 restart agent, 2 force discovery, 3 upload logs, 4 delete logs, 5 set log mode, 6 walk MIB, 7 upgrade)";
        }

        if (parameter is { Length: > 1024 })
        {
            return "the parameter is longer than 1024 characters";
        }

        return type switch
        {
            SetLogMode when parameter is null || !SiteSettings.LogModes.Contains(parameter) =>
                $"set-log-mode needs one of {string.Join(", ", SiteSettings.LogModes)} as its parameter",
            WalkMib when !IsWalkTarget(parameter) =>
                "walk-mib needs an IP address, optionally followed by a space and the OID to start from",
            _ => null,
        };
    }

    private static bool IsWalkTarget(string? parameter)
    {
        var parts = parameter?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];
        return parts.Length is 1 or 2
            && IPAddress.TryParse(parts[0], out _)
            && (parts.Length == 1 || parts[1].Split('.').All(p => p.Length > 0 && p.All(char.IsAsciiDigit)));
    }
}
