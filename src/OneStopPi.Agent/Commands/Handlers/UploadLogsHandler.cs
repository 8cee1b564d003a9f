using System.Globalization;
using System.IO.Compression;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>
/// Command 3: a ZIP of the log files into the outbox, the uploader sends it as the command's result. Each file is
/// copied into its entry as a stream straight to the outbox's file: a week of debug logs is never held in memory.
/// </summary>
public sealed class UploadLogsHandler(LogControl logs, FileOutbox outbox) : ICommandHandler
{
    public CommandType Type => CommandType.UploadLogFiles;

    public async Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        OutboxItem? queued = await outbox.AppendStreamAsync(OutboxItemKind.CommandResult, command.Id.ToString(CultureInfo.InvariantCulture),
            (zip, ct) => WriteZipAsync(logs.LogsDirectory, zip, ct), cancellationToken).ConfigureAwait(false);
        return queued is null
            ? CommandResult.Done(false, "the outbox is full: the logs could not be queued")
            : CommandResult.ResultQueued;
    }

    /// <summary>Every file of <paramref name="directory"/> as an entry of a ZIP written to <paramref name="destination"/>.</summary>
    public static async Task WriteZipAsync(string directory, Stream destination, CancellationToken cancellationToken)
    {
        await using var archive = new ZipArchive(destination, ZipArchiveMode.Create, leaveOpen: true);
        foreach (string path in Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal))
        {
            // The active file is open for writing by Serilog: share it.
            await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, FileOptions.Asynchronous);
            await using Stream entry = await archive.CreateEntry(Path.GetFileName(path), CompressionLevel.SmallestSize).OpenAsync(cancellationToken).ConfigureAwait(false);
            await source.CopyToAsync(entry, cancellationToken).ConfigureAwait(false);
        }
    }
}
