using System.Text.Json;
using System.Text.Json.Serialization;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Upgrade;

// The files of a remote upgrade (docs: deploy/README.md, "Remote upgrade"). The command's parameter
// comes from the portal; the request, package and signature go from the agent to the privileged
// helper through the agent's state directory; the outcome comes back the same way. The journal is the
// helper's own, in its own directory.

/// <summary>What the agent hands to the helper, beside package.deb and package.deb.sig (upgrade/request.json).</summary>
public sealed record UpgradeRequest(long CommandId, string Version, string Architecture, bool AllowDowngrade, long Size, string Sha256, string FromVersion);

/// <summary>The helper's verdict on one command (upgrade/outcome-ID.json): the agent reports it to the portal once.</summary>
public sealed record UpgradeOutcome(long CommandId, bool Succeeded, string Message, string? InstalledVersion);

/// <summary>Written by the agent after each heartbeat the portal answered (state/portal-contact.json): how the helper knows a new version works.</summary>
public sealed record PortalContact(string Version, int ProcessId, DateTimeOffset At);

/// <summary>The helper's progress, one step at a time (journal.json in the helper's directory).</summary>
public sealed record UpgradeJournal(
    long CommandId,
    [property: JsonConverter(typeof(DeclaredNameEnumConverter<UpgradeStep>))] UpgradeStep Step,
    string Version,
    string Architecture,
    string FromVersion,
    string Package,
    bool RootReadOnly,
    string? PreviousPackage = null,
    int? AgentProcessBefore = null,
    string? Reason = null);

/// <summary>
/// The helper's state machine: Verified → SavedPrevious → Installing → Waiting → Done, or from
/// Installing/Waiting → RollingBack → RolledBack. Refused and RollbackFailed end it too.
/// </summary>
public enum UpgradeStep
{
    Verified,
    SavedPrevious,
    Installing,
    Waiting,
    Done,
    RollingBack,
    RolledBack,
    Refused,
    RollbackFailed,
}

// Metadata only: the fast-path writers repeated what the metadata does (54 KiB of the AOT image for the 7 contexts).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Metadata, WriteIndented = true, UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(UpgradeRequest))]
[JsonSerializable(typeof(UpgradeOutcome))]
[JsonSerializable(typeof(PortalContact))]
[JsonSerializable(typeof(UpgradeJournal))]
internal sealed partial class UpgradeJsonContext : JsonSerializerContext;
