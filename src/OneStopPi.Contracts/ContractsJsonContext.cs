using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneStopPi.Contracts;

/// <summary>
/// Every message of the agent API, source-generated (Native AOT): camelCase, nulls written, the command type as its
/// number. The portal's HTTP JSON options are the same web defaults, so what it sends is what this context writes.
/// </summary>
// Metadata only: the fast-path writers repeated what the metadata does (54 KiB of the AOT image for the 7 contexts).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EnrolRequest))]
[JsonSerializable(typeof(EnrolResponse))]
[JsonSerializable(typeof(AgentConfig))]
[JsonSerializable(typeof(SnmpConfig))]
[JsonSerializable(typeof(ScheduleConfig))]
[JsonSerializable(typeof(BatchAccepted))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(PendingCommand[]))]
[JsonSerializable(typeof(CommandOutcome))]
[JsonSerializable(typeof(UpgradeParameter))]
[JsonSerializable(typeof(ProblemDetailsBody))]
public sealed partial class ContractsJsonContext : JsonSerializerContext;
