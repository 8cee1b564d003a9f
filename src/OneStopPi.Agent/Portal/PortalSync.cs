using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Commands;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Upgrade;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Portal;

/// <summary>
/// Keeps the agent in touch with the portal: enrols, refreshes the configuration, sends the
/// heartbeat, and polls for remote commands at the configured interval (0 = never), which the
/// <see cref="CommandRunner"/> runs beside this loop.
/// </summary>
public sealed partial class PortalSync : SupervisedStage
{
    private readonly PortalLink _link;
    private readonly PortalClient _client;
    private readonly CommandQueue _commands;
    private readonly FileOutbox _outbox;
    private readonly RunStateStore _runState;
    private readonly TimeProvider _time;
    private readonly string _version;
    private readonly ILogger<PortalSync> _logger;
    private readonly long _started;
    private readonly AgentTimings _timings;
    private readonly string? _setupKey;
    private readonly AgentStages _stages;
    private readonly SiteClock? _siteClock;
    private readonly PortalContactFile? _contact;

    /// <summary>One round is a few portal calls, each bounded by the client's 2-minute timeout.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(15);

    public PortalSync(PortalLink link, PortalClient client, CommandQueue commands, FileOutbox outbox, RunStateStore runState, TimeProvider time,
        AgentVersion version, ILogger<PortalSync> logger, AgentStages stages, AgentTimings? timings = null, LanSettings? lan = null, SetupKey? setupKey = null,
        SiteClock? siteClock = null, PortalContactFile? contact = null)
        : base(stages.Stage(AgentStages.PortalSync, Period), time, logger)
    {
        _siteClock = siteClock;
        _stages = stages;
        _contact = contact;
        // The setup key is reported (to this agent's own portal, over its authenticated TLS channel) only when the LAN face,
        // which it guards, is enabled. Never logged.
        _setupKey = lan is { Enabled: true } ? setupKey?.Value : null;
        _timings = timings ?? new AgentTimings();
        _link = link;
        _client = client;
        _commands = commands;
        _outbox = outbox;
        _runState = runState;
        _time = time;
        _version = version.Value;
        _logger = logger;
        _started = time.GetTimestamp();
    }

    protected override async Task RunStageAsync(CancellationToken stoppingToken)
    {
        long? lastHeartbeat = null, lastConfig = null, lastPoll = null;
        using var timer = new PeriodicTimer(_timings.SyncTick, _time);
        do
        {
            Liveness.Beat();
            if (!await _link.EnsureEnrolledAsync(stoppingToken).ConfigureAwait(false) || _link.Session is not { } session)
            {
                continue;
            }

            TimeSpan configInterval = _link.Plan is { Assigned: true } ? _timings.ConfigRefresh : _timings.UnassignedConfigRefresh;
            if (lastConfig is null || _time.GetElapsedTime(lastConfig.Value) >= configInterval)
            {
                lastConfig = _time.GetTimestamp();
                await _link.RefreshConfigAsync(stoppingToken).ConfigureAwait(false);
            }

            if (lastHeartbeat is null || _time.GetElapsedTime(lastHeartbeat.Value) >= _timings.Heartbeat)
            {
                lastHeartbeat = _time.GetTimestamp();
                if (await HeartbeatAsync(session, stoppingToken).ConfigureAwait(false) is { } etag && etag != _link.Cached?.ETag)
                {
                    await _link.RefreshConfigAsync(stoppingToken).ConfigureAwait(false);
                }
            }

            TimeSpan poll = _link.Plan?.CommandPollInterval ?? TimeSpan.Zero;
            if (poll > TimeSpan.Zero && (lastPoll is null || _time.GetElapsedTime(lastPoll.Value) >= poll))
            {
                lastPoll = _time.GetTimestamp();
                if (_runState.Current.OpenCommands.Count > 0)
                {
                    _commands.RequestReview(session);
                }

                await PollCommandsAsync(session, stoppingToken).ConfigureAwait(false);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task<string?> HeartbeatAsync(PortalSession session, CancellationToken cancellationToken)
    {
        AgentRunState state = _runState.Current;
        var heartbeat = new HeartbeatRequest(_version, (long)_time.GetElapsedTime(_started).TotalSeconds,
            state.LastMeterScan?.UtcDateTime, state.LastStatusScan?.UtcDateTime, _outbox.Count, _outbox.Dropped, _setupKey,
            _stages.Restarts, _outbox.Full, _siteClock?.Source.ToString().ToLowerInvariant());
        try
        {
            long sent = _time.GetTimestamp();
            HeartbeatResponse response = await _client.HeartbeatAsync(session, heartbeat, cancellationToken).ConfigureAwait(false);
            if (response.ServerTime is { } serverTime)
            {
                _siteClock?.RecordPortalTime(new DateTimeOffset(DateTime.SpecifyKind(serverTime, DateTimeKind.Utc)), sent);
            }

            _link.RecordContact();
            await RecordContactAsync(cancellationToken).ConfigureAwait(false);
            return response.ConfigEtag;
        }
        catch (PortalRejectedException e) when (e.IsAuthentication)
        {
            await _link.ForgetEnrolmentAsync(e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PortalUnavailableException or PortalRejectedException)
        {
            LogPortalProblem("heartbeat", e.Message);
        }

        return null;
    }

    /// <summary>For the upgrade helper, which waits for a new version's first heartbeat (Upgrade/PortalContactFile).</summary>
    private async Task RecordContactAsync(CancellationToken cancellationToken)
    {
        try
        {
            await (_contact?.RecordAsync(cancellationToken) ?? Task.CompletedTask).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogPortalProblem("contact record", e.Message);
        }
    }

    private async Task PollCommandsAsync(PortalSession session, CancellationToken cancellationToken)
    {
        PendingCommand[] commands;
        try
        {
            commands = await _client.PollCommandsAsync(session, cancellationToken).ConfigureAwait(false);
            _link.RecordContact();
        }
        catch (PortalRejectedException e) when (e.IsAuthentication)
        {
            await _link.ForgetEnrolmentAsync(e.Message).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (e is PortalUnavailableException or PortalRejectedException)
        {
            LogPortalProblem("command poll", e.Message);
            return;
        }

        // Run beside this loop (CommandRunner): a forced scan or a 10-minute walk holds up no heartbeat.
        _commands.Offer(session, commands);
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogPortalProblem(string what, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(3101, nameof(LogPortalProblem)),
                "Portal {What} failed: {Reason}", what, reason);
        }
    }
}

/// <summary>The agent's version as reported to the portal and on the LAN.</summary>
public sealed record AgentVersion(string Value)
{
    public static AgentVersion FromAssembly() =>
        new(typeof(AgentVersion).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion?.Split('+')[0] ?? "0.0.0");
}
