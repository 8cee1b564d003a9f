using System.Text.Json;
using System.Text.Json.Serialization;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Lan.Http;
using OneStopPi.Agent.State;

namespace OneStopPi.Agent.Portal;

/// <summary>Every type the agent serialises, source-generated for Native AOT.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = false, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EnrolRequest))]
[JsonSerializable(typeof(EnrolResponse))]
[JsonSerializable(typeof(PortalAgentConfig))]
[JsonSerializable(typeof(BatchAccepted))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(PortalCommand[]))]
[JsonSerializable(typeof(CommandOutcome))]
[JsonSerializable(typeof(ProblemDetailsBody))]
[JsonSerializable(typeof(AgentSettings))]
[JsonSerializable(typeof(EnrolmentState))]
[JsonSerializable(typeof(CachedPortalConfig))]
[JsonSerializable(typeof(AgentRunState))]
[JsonSerializable(typeof(DeviceSummaryList))]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(DevicesReport))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(PortalSetupRequest))]
[JsonSerializable(typeof(LanAccepted))]
[JsonSerializable(typeof(LanError))]
[JsonSerializable(typeof(DiscoveredAgent[]))]
internal sealed partial class AgentJsonContext : JsonSerializerContext;
