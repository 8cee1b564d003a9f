using System.Text.Json;
using System.Text.Json.Serialization;
using OneStopPi.Contracts;

namespace OneStopPi.Portal.Api;

/// <summary>
/// The operator API's records and the stored credentials, source-generated; registered in the HTTP JSON options after
/// the agent API's ContractsJsonContext.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(SnmpConfig))]
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
[JsonSerializable(typeof(AlertView[]))]
[JsonSerializable(typeof(AlertEventMessage))]
[JsonSerializable(typeof(AlertSettingsView))]
[JsonSerializable(typeof(AlertSettingsUpdate))]
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
