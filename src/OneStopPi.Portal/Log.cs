using Microsoft.Extensions.Logging;

namespace OneStopPi.Portal;

/// <summary>Every log line of the portal, source-generated, with stable event ids.</summary>
internal static partial class Log
{
    [LoggerMessage(1000, LogLevel.Information, "Portal data directory {DataDirectory}, database {Provider}")]
    public static partial void Starting(this ILogger logger, string dataDirectory, string provider);

    [LoggerMessage(1001, LogLevel.Warning, "First start: operator token written to {Path} (readable by its owner only)")]
    public static partial void OperatorTokenCreated(this ILogger logger, string path);

    [LoggerMessage(1002, LogLevel.Warning, "No certificate configured: using the self-signed one in {Path}, SHA-256 {Thumbprint}")]
    public static partial void SelfSignedCertificate(this ILogger logger, string path, string thumbprint);

    [LoggerMessage(1003, LogLevel.Warning, "Data Protection keys are in the database, encrypted to the certificate the portal created in {Path}: give every portal process on this database a copy (Portal:KeyEncryptionCertificatePath) and back it up apart from the database")]
    public static partial void GeneratedKeyEncryptionCertificate(this ILogger logger, string path);

    [LoggerMessage(1100, LogLevel.Information, "Agent {AgentId} enrolled at site {SiteId} (hardware {HardwareId}, re-enrolment {Again})")]
    public static partial void Enrolled(this ILogger logger, Guid agentId, int siteId, string hardwareId, bool again);

    [LoggerMessage(1101, LogLevel.Warning, "Agent request refused: {Reason}")]
    public static partial void AgentRefused(this ILogger logger, string reason);

    [LoggerMessage(1102, LogLevel.Warning, "Operator request refused: {Reason}")]
    public static partial void OperatorRefused(this ILogger logger, string reason);

    [LoggerMessage(1103, LogLevel.Warning, "Rate limit {Policy}: client {Client} refused (429) for up to {WindowSeconds} s; further refusals in this window are not logged")]
    public static partial void RateLimited(this ILogger logger, string policy, string client, int windowSeconds);

    [LoggerMessage(1104, LogLevel.Warning, "Portal busy: agent calls beyond {InFlight} in flight and {Queued} waiting are answered 503 (the agents retry later); further refusals in the next {WindowSeconds} s are not logged. A lasting state means more portal processes or a larger database are needed")]
    public static partial void PortalBusy(this ILogger logger, int inFlight, int queued, int windowSeconds);

    [LoggerMessage(1200, LogLevel.Information, "Batch {BatchId} from agent {AgentId}: {Documents} documents, {Readings} readings stored")]
    public static partial void BatchStored(this ILogger logger, string batchId, Guid agentId, int documents, int readings);

    [LoggerMessage(1201, LogLevel.Information, "Batch {BatchId} from agent {AgentId} was already stored: acknowledged again")]
    public static partial void BatchDuplicate(this ILogger logger, string batchId, Guid agentId);

    [LoggerMessage(1202, LogLevel.Warning, "Upload from agent {AgentId} refused ({Status}): {Detail}")]
    public static partial void UploadRefused(this ILogger logger, Guid agentId, int status, string detail);

    [LoggerMessage(1203, LogLevel.Information, "Batch {BatchId}: concurrent insert lost the race (attempt {Attempt})")]
    public static partial void BatchRace(this ILogger logger, string batchId, int attempt);

    [LoggerMessage(1204, LogLevel.Information,
        "Batch {BatchId} from agent {AgentId}: {Readings} reading(s) of meter slot {Slot:u} not stored again: another box's reading of the same device and slot came first")]
    public static partial void SlotAlreadyRead(this ILogger logger, string batchId, Guid agentId, int readings, DateTime slot);

    [LoggerMessage(1300, LogLevel.Information, "Command {CommandId} (type {Type}) queued for agent {AgentId}")]
    public static partial void CommandQueued(this ILogger logger, long commandId, int type, Guid agentId);

    [LoggerMessage(1301, LogLevel.Information, "Command {CommandId} of agent {AgentId} is now {State}")]
    public static partial void CommandState(this ILogger logger, long commandId, Guid agentId, string state);

    [LoggerMessage(1400, LogLevel.Warning, "Release {Version} for {Architecture} stored: {Size} bytes, SHA-256 {Sha256}, signed with {Key}")]
    public static partial void ReleaseStored(this ILogger logger, string version, string architecture, long size, string sha256, string key);

    [LoggerMessage(1401, LogLevel.Warning, "Release upload {Version} for {Architecture} refused ({Status}): {Reason}")]
    public static partial void ReleaseRefused(this ILogger logger, string version, string architecture, int status, string reason);

    [LoggerMessage(1402, LogLevel.Warning, "Release key {Path} is unusable and is ignored: {Reason}")]
    public static partial void ReleaseKeyUnusable(this ILogger logger, string path, string reason);
}
