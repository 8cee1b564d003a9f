using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Tests.Lan;

/// <summary>
/// Test credentials, distinctive enough to grep for: the portal token, the site's enrolment key and
/// SNMP credentials seeded into the agent's state. None may appear in a LAN response or a log line.
/// </summary>
internal static class LanSecrets
{
    public const string Token = "osp-test-token-9d1c5e77";
    public const string EnrolmentKey = "osp-test-enrolment-key-41b7";
    public const string Community = "osp-test-community-7f3a";
    public const string AuthPassword = "osp-test-authpass-c2e8";
    public const string PrivPassword = "osp-test-privpass-a5d0";

    public static readonly Guid AgentId = Guid.Parse("6a0e6f1c-2d43-4f53-9b8e-0c1d2e3f4a5b");

    /// <summary>Nothing listens there: the portal is "unreachable" and the agent works from its cached config.</summary>
    public static readonly Uri Portal = new("https://127.0.0.1:9/");

    public static string[] All => [Token, EnrolmentKey, Community, AuthPassword, PrivPassword];

    /// <summary>Enrolled and assigned to a site that scans <paramref name="range"/> with the test credentials, then "public".</summary>
    public static Func<AgentPaths, Task> Enrolled(string range) => async paths =>
    {
        await new JsonStateFile<EnrolmentState>(paths.State("enrolment.json"), AgentJsonContext.Default.EnrolmentState)
            .SaveAsync(new EnrolmentState(AgentId, Token, Portal)).ConfigureAwait(false);
        var config = new AgentConfig(AgentId, 7, true, 3, [range], [],
            new SnmpConfig([Community, "public"], [new SnmpV3User("osp-test-user", "SHA", AuthPassword, "AES", PrivPassword, null)]),
            new ScheduleConfig("03:00", "UTC", 0, 0), "normal");
        await new JsonStateFile<CachedPortalConfig>(paths.State("portal-config.json"), AgentJsonContext.Default.CachedPortalConfig)
            .SaveAsync(new CachedPortalConfig("\"3\"", config, DateTimeOffset.UtcNow)).ConfigureAwait(false);
    };
}
