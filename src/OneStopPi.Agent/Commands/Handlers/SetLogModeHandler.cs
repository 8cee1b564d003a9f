using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>Command 5: the log level until the next restart or configuration change (LogModeFollower).</summary>
public sealed class SetLogModeHandler(LogControl logs) : ICommandHandler
{
    public CommandType Type => CommandType.SetLogMode;

    public Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        bool set = logs.TrySetMode(command.Parameter);
        return Task.FromResult(CommandResult.Done(set, set
            ? $"log mode {logs.Mode}"
            : $"unknown log mode '{command.Parameter}' ({string.Join(", ", LogModes.All)})"));
    }
}
