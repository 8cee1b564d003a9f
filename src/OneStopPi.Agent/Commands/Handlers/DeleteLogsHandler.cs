using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>Command 4: deletes the log files but the newest, which Serilog is writing.</summary>
public sealed class DeleteLogsHandler(LogControl logs) : ICommandHandler
{
    public CommandType Type => CommandType.DeleteLogFiles;

    public Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        FileInfo[] files = [.. new DirectoryInfo(logs.LogsDirectory).EnumerateFiles().OrderByDescending(f => f.LastWriteTimeUtc)];
        foreach (FileInfo file in files.Skip(1))
        {
            file.Delete();
        }

        return Task.FromResult(CommandResult.Done(true, $"deleted {Math.Max(0, files.Length - 1)} log file(s); the current one is kept"));
    }
}
