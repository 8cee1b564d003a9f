namespace OneStopPi.Agent.Lan.Http;

// Bodies of the changing LAN endpoints (docs/lan-discovery.md). Serialised through AgentJsonContext.

/// <summary>PUT /api/portal: where to enrol, before enrolment. The key is written to agent.json (0600), never echoed.</summary>
public sealed record PortalSetupRequest(Uri? PortalUrl, string? EnrolmentKey);

/// <summary>What a changing endpoint accepted.</summary>
public sealed record LanAccepted(string Message);

/// <summary>Any refusal: a short reason, never an exception's details.</summary>
public sealed record LanError(string Error);
