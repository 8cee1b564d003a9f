using System.Text.Json;
using System.Text.Json.Serialization;

namespace OneStopPi.Portal.Api;

/// <summary>Every DTO of both APIs, source-generated; registered first in the HTTP JSON options.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(EnrolRequest))]
[JsonSerializable(typeof(EnrolResponse))]
[JsonSerializable(typeof(AgentConfig))]
[JsonSerializable(typeof(SnmpCredentials))]
[JsonSerializable(typeof(BatchAccepted))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(CommandDto[]))]
[JsonSerializable(typeof(CommandOutcome))]
[JsonSerializable(typeof(CreateSiteRequest))]
[JsonSerializable(typeof(SiteCreated))]
[JsonSerializable(typeof(SiteView[]))]
[JsonSerializable(typeof(SiteConfigUpdate))]
[JsonSerializable(typeof(SiteConfigView))]
[JsonSerializable(typeof(AgentView))]
[JsonSerializable(typeof(AgentView[]))]
[JsonSerializable(typeof(AssignRequest))]
[JsonSerializable(typeof(QueueCommandRequest))]
[JsonSerializable(typeof(CommandView))]
[JsonSerializable(typeof(CommandView[]))]
[JsonSerializable(typeof(DeviceView[]))]
[JsonSerializable(typeof(CounterHistoryPoint[]))]
[JsonSerializable(typeof(FleetSupplyView[]))]
[JsonSerializable(typeof(ReleaseView))]
[JsonSerializable(typeof(ReleaseView[]))]
[JsonSerializable(typeof(UpgradeRequest))]
[JsonSerializable(typeof(UpgradeParameter))]
public sealed partial class PortalJsonContext : JsonSerializerContext;

/// <summary>The same records, indented, for the CLI's output.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(SiteCreated))]
[JsonSerializable(typeof(SiteView[]))]
[JsonSerializable(typeof(SiteConfigView))]
[JsonSerializable(typeof(AgentView))]
[JsonSerializable(typeof(AgentView[]))]
[JsonSerializable(typeof(CommandView))]
[JsonSerializable(typeof(CommandView[]))]
[JsonSerializable(typeof(DeviceView[]))]
[JsonSerializable(typeof(FleetSupplyView[]))]
[JsonSerializable(typeof(ReleaseView))]
[JsonSerializable(typeof(ReleaseView[]))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
