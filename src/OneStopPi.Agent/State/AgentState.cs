using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.State;

/// <summary>What enrolment gave us: the agent's identity and its secret token (state/enrolment.json, 0600).</summary>
public sealed record EnrolmentState(Guid AgentId, string Token, Uri PortalUrl);

/// <summary>The last good configuration from the portal and its ETag (state/portal-config.json, 0600).</summary>
public sealed record CachedPortalConfig(string? ETag, AgentConfig Config, DateTimeOffset FetchedAt);

/// <summary>Progress that must survive restarts (state/run.json).</summary>
public sealed record AgentRunState
{
    /// <summary>The site day of the last scheduled meter read (kept for agents before several reads a day).</summary>
    public DateOnly? LastMeterDay { get; init; }

    /// <summary>The scheduled occurrence (UTC) of the last meter read run: each slot of the schedule runs once.</summary>
    public DateTimeOffset? LastMeterSlot { get; init; }

    public DateTimeOffset? LastMeterScan { get; init; }

    public DateTimeOffset? LastStatusScan { get; init; }

    /// <summary>Commands already taken on: each runs once even if the agent restarts mid-way.</summary>
    public IReadOnlyList<long> StartedCommands { get; init; } = [];

    /// <summary>
    /// Commands taken on whose outcome the portal has not heard yet. The portal never delivers an
    /// acknowledged command again, so a run cut short reports these itself when it is back.
    /// </summary>
    public IReadOnlyList<OpenCommand> OpenCommands { get; init; } = [];
}

/// <summary>A command taken on; <paramref name="Succeeded"/> is null while it runs (or when a restart cut it short).</summary>
public sealed record OpenCommand(long Id, int Type, bool? Succeeded = null, string? Message = null);
