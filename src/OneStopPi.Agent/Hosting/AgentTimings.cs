using System.Globalization;

namespace OneStopPi.Agent.Hosting;

/// <summary>
/// How often the service loops go round. The defaults are the product's. <c>ONESTOPPI_TIMINGS</c>
/// shortens them for tests and bench work without waiting minutes: comma-separated
/// <c>name=seconds</c> pairs, e.g. <c>sync=0.2,scheduler=0.2,heartbeat=1,unassignedConfig=0.5</c>.
/// </summary>
public sealed record AgentTimings
{
    public const string EnvironmentVariable = "ONESTOPPI_TIMINGS";

    /// <summary>The portal loop: enrolment, config, heartbeat and command poll are checked this often.</summary>
    public TimeSpan SyncTick { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The scheduler looks for a due daily scan or status scan this often.</summary>
    public TimeSpan SchedulerTick { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromMinutes(5);

    public TimeSpan ConfigRefresh { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>An agent waiting to be assigned looks for its configuration more often, so a technician is not kept waiting.</summary>
    public TimeSpan UnassignedConfigRefresh { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>The uploader looks at an idle outbox this often (an append wakes it at once).</summary>
    public TimeSpan UploadIdleWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Upload retries back off from this floor …</summary>
    public TimeSpan UploadRetryFloor { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>… doubling up to this cap.</summary>
    public TimeSpan UploadRetryCap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A status scan sweeps the site's ranges for known devices that did not answer at their last address at most
    /// this often (<see cref="Scheduling.RefindLimiter"/>): a printer that is simply switched off costs one sweep an hour.
    /// </summary>
    public TimeSpan RefindInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest a scan may go without reading a device (discovery of a large range reads none until it ends);
    /// longer, the scan worker counts as hung and the watchdog lets systemd restart the agent.
    /// </summary>
    public TimeSpan ScanStallLimit { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The defaults, with what <c>ONESTOPPI_TIMINGS</c> overrides.</summary>
    /// <exception cref="ArgumentException">An unknown name or a value that is not a positive number of seconds.</exception>
    public static AgentTimings FromEnvironment(Func<string, string?> getVariable)
    {
        var timings = new AgentTimings();
        string? text = getVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return timings;
        }

        foreach (string pair in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || seconds <= 0)
            {
                throw new ArgumentException($"{EnvironmentVariable}: '{pair}' is not name=seconds with a positive number of seconds.");
            }

            TimeSpan value = TimeSpan.FromSeconds(seconds);
            timings = parts[0].ToLowerInvariant() switch
            {
                "sync" => timings with { SyncTick = value },
                "scheduler" => timings with { SchedulerTick = value },
                "heartbeat" => timings with { Heartbeat = value },
                "config" => timings with { ConfigRefresh = value },
                "unassignedconfig" => timings with { UnassignedConfigRefresh = value },
                "uploadidle" => timings with { UploadIdleWait = value },
                "uploadretryfloor" => timings with { UploadRetryFloor = value },
                "uploadretrycap" => timings with { UploadRetryCap = value },
                "refind" => timings with { RefindInterval = value },
                "scanstall" => timings with { ScanStallLimit = value },
                _ => throw new ArgumentException(
                    $"{EnvironmentVariable}: unknown name '{parts[0]}' (sync, scheduler, heartbeat, config, unassignedConfig, uploadIdle, uploadRetryFloor, uploadRetryCap, refind, scanStall)."),
            };
        }

        return timings;
    }
}
