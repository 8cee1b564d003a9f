using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.State;

/// <summary>What enrolment gave us: the agent's identity and its secret token (state/enrolment.json, 0600).</summary>
public sealed record EnrolmentState(Guid AgentId, string Token, Uri PortalUrl);

/// <summary>The last good configuration from the portal and its ETag (state/portal-config.json, 0600).</summary>
public sealed record CachedPortalConfig(string? ETag, PortalAgentConfig Config, DateTimeOffset FetchedAt);

/// <summary>Progress that must survive restarts (state/run.json).</summary>
public sealed record AgentRunState
{
    public DateOnly? LastMeterDay { get; init; }

    public DateTimeOffset? LastMeterScan { get; init; }

    public DateTimeOffset? LastStatusScan { get; init; }

    /// <summary>Commands already taken on: each runs once even if the agent restarts mid-way.</summary>
    public IReadOnlyList<long> StartedCommands { get; init; } = [];
}
