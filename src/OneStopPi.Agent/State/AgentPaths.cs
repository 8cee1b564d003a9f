namespace OneStopPi.Agent.State;

/// <summary>
/// Where the agent keeps things, the systemd way: the unit's StateDirectory=, LogsDirectory= and
/// ConfigurationDirectory= arrive as $STATE_DIRECTORY, $LOGS_DIRECTORY and $CONFIGURATION_DIRECTORY
/// (systemd.exec(5); a colon-separated list when several are named: the first is ours).
/// </summary>
public sealed record AgentPaths(string StateDirectory, string LogsDirectory, string ConfigurationDirectory)
{
    public static AgentPaths FromEnvironment(Func<string, string?>? getVariable = null)
    {
        getVariable ??= Environment.GetEnvironmentVariable;
        return new AgentPaths(
            First(getVariable("STATE_DIRECTORY")) ?? "/var/lib/onestoppi",
            First(getVariable("LOGS_DIRECTORY")) ?? "/var/log/onestoppi",
            First(getVariable("CONFIGURATION_DIRECTORY")) ?? "/etc/onestoppi");
    }

    public string OutboxDirectory => Path.Combine(StateDirectory, "outbox");

    public string State(string fileName) => Path.Combine(StateDirectory, fileName);

    /// <summary>Creates the directories the agent writes to (systemd has usually done so already).</summary>
    public void EnsureCreated()
    {
        Directory.CreateDirectory(StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(OutboxDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(LogsDirectory);
    }

    private static string? First(string? list) =>
        string.IsNullOrWhiteSpace(list) ? null : list.Split(':', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
