using System.Text.Json;
using System.Text.Json.Serialization;
using OneStopPi.Agent.Configuration;
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
internal sealed partial class AgentJsonContext : JsonSerializerContext;
