namespace OneStopPi.Contracts;

/// <summary>POST /enrol: the box's hardware identity and the site's enrolment key.</summary>
public sealed record EnrolRequest(string EnrolmentKey, string HardwareId, string? Mac, string? Hostname, string? Version);

/// <summary>The agent keeps both; the token is never shown again.</summary>
public sealed record EnrolResponse(Guid AgentId, string Token, bool Assigned);
