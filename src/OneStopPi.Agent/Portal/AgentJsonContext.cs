using System.Text.Json;
using System.Text.Json.Serialization;
using OneStopPi.Agent.Configuration;
using OneStopPi.Agent.Lan;
using OneStopPi.Agent.Lan.Discovery;
using OneStopPi.Agent.Lan.Http;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Portal;

/// <summary>The agent's own files and LAN answers, source-generated for Native AOT; the portal's messages go through ContractsJsonContext.</summary>
// Metadata only: the fast-path writers repeated what the metadata does (54 KiB of the AOT image for the 7 contexts).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata, WriteIndented = false, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
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
