using System.Globalization;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>
/// Command 3: a ZIP of the log files into the outbox, the uploader sends it as the command's result. The ZIP is
/// written straight to the outbox's file (<see cref="LogArchive"/>).
/// </summary>
public sealed class UploadLogsHandler(LogControl logs, FileOutbox outbox) : ICommandHandler
{
    public CommandType Type => CommandType.UploadLogFiles;

    public async Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        OutboxItem? queued = await outbox.AppendStreamAsync(OutboxItemKind.CommandResult, command.Id.ToString(CultureInfo.InvariantCulture),
            (zip, ct) => LogArchive.WriteZipAsync(logs.LogsDirectory, zip, ct), cancellationToken).ConfigureAwait(false);
        return queued is null
            ? CommandResult.Done(false, "the outbox is full: the logs could not be queued")
            : CommandResult.ResultQueued;
    }
}
