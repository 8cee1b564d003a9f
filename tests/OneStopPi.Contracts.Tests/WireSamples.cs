using System.Text.Json.Serialization.Metadata;

namespace OneStopPi.Contracts.Tests;

/// <summary>One filled-in example of every agent API message, each with its golden file's name (Golden/NAME.json).</summary>
internal static class WireSamples
{
    private static readonly Guid Agent = Guid.Parse("0193a6c2-3c1e-7b9a-9f4e-6d2f0e1a2b3c");
    private static readonly DateTime Morning = new(2026, 3, 2, 6, 5, 0, DateTimeKind.Utc);

    public static IEnumerable<TestCaseData> All()
    {
        ContractsJsonContext json = ContractsJsonContext.Default;
        yield return Case("enrol-request", new EnrolRequest("site-key-1234", "10000000abcdef01", "b8:27:eb:12:34:56", "onestop-3456", "0.1.0"), json.EnrolRequest);
        yield return Case("enrol-response", new EnrolResponse(Agent, "token-43-characters-base64url-aaaaaaaaaaaaa", false), json.EnrolResponse);
        yield return Case("agent-config", new AgentConfig(Agent, 3, true, 7, ["10.1.0.0/24", "10.1.1.10-10.1.1.60"], ["10.1.0.1"],
            new SnmpConfig(["public", "mps-read"], [new SnmpV3User("mps", "SHA256", "auth-password", "AES", "priv-password", null)]),
            ScheduleConfig.ForTimes(["06:00", "12:30", "17:30"], "Europe/Berlin", 15, 300), LogModes.Normal), json.AgentConfig);
        yield return Case("agent-config-unassigned", new AgentConfig(Agent, null, false, 0, [], [], new SnmpConfig([], []),
            ScheduleConfig.ForTimes(["06:00"], "UTC", 15, 300), LogModes.Normal), json.AgentConfig);
        yield return Case("batch-accepted", new BatchAccepted("0193a6c2-batch-0001", false, 2, 57), json.BatchAccepted);
        yield return Case("heartbeat-request", new HeartbeatRequest("0.1.0", 86400, Morning, Morning.AddMinutes(55), 3, 0, "ABCD-EFGH-JKLM", 1, true,
            ClockSources.Portal), json.HeartbeatRequest);
        yield return Case("heartbeat-request-minimal", new HeartbeatRequest(null, 5, null, null, 0, 0), json.HeartbeatRequest);
        yield return Case("heartbeat-response", new HeartbeatResponse("\"5f2b9c\"", 2, Morning), json.HeartbeatResponse);
        yield return Case("pending-commands", new PendingCommand[]
        {
            new(41, CommandType.WalkMib, "10.1.0.7:1161 1.3.6.1.2.1.43", Morning),
            new(42, CommandType.RestartAgent, null, Morning.AddSeconds(1)),
        }, json.PendingCommandArray);
        yield return Case("command-outcome", new CommandOutcome(true, "scan done: 12 device(s), 11 answered"), json.CommandOutcome);
        yield return Case("upgrade-parameter", new UpgradeParameter("0.2.0", false,
            [new UpgradePackage("arm64", 5_242_880, new string('a', 64), "MEUCIQD0signature"), new UpgradePackage("amd64", 5_500_000, new string('b', 64), "MEQCIF1signature")]),
            json.UpgradeParameter);
        yield return Case("problem-details", new ProblemDetailsBody("Conflict", 409, "the agent is not assigned to a site"), json.ProblemDetailsBody);
    }

    private static TestCaseData Case<T>(string name, T value, JsonTypeInfo<T> typeInfo) =>
        new TestCaseData(name, new WireSample<T>(value, typeInfo)).SetArgDisplayNames(name);
}
