namespace OneStopPi.Agent.Outbox;

/// <summary>What a stored batch is; the drop policy spares meter readings longest.</summary>
public enum OutboxItemKind
{
    /// <summary>A status scan's readings: the first to go when the outbox is over its bounds.</summary>
    Status,

    /// <summary>A remote command's result (log or walk zip), uploaded against the command.</summary>
    CommandResult,

    /// <summary>A discovery + meter scan's readings: what dealers bill from; dropped last.</summary>
    Meter,
}

/// <summary>One durable batch waiting for the portal's acknowledgement.</summary>
/// <param name="Sequence">Position in the outbox; lower is older.</param>
/// <param name="Key">The batch ID (idempotency key) or, for a command result, the command ID.</param>
/// <param name="Queued">When this process queued it or found it on disk (<see cref="TimeProvider.GetTimestamp"/>): monotonic, never the wall clock.</param>
public sealed record OutboxItem(long Sequence, OutboxItemKind Kind, string Key, long Queued, long Size, string Path)
{
    /// <summary>A command result's key is the command's number.</summary>
    public static bool TryParseCommandId(string key, out long commandId) =>
        long.TryParse(key, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out commandId) && commandId > 0;
}
