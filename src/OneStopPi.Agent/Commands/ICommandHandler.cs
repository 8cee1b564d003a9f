using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands;

/// <summary>Carries out one type of remote command; <see cref="CommandRunner"/> takes it on, runs it and reports it.</summary>
public interface ICommandHandler
{
    CommandType Type { get; }

    Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken);

    /// <summary>
    /// A command of this type that a previous run took on and did not close: its outcome when this handler knows
    /// better than the journal's rule ("interrupted; not run a second time"), else null.
    /// </summary>
    CommandResult? Review(OpenCommand open) => null;

    /// <summary>After a review of the open commands: whatever this handler keeps for commands no longer open can go.</summary>
    void ForgetClosed(IReadOnlyCollection<long> open)
    {
    }
}

public enum CommandResultKind
{
    /// <summary>Finished: reported to the portal with its message.</summary>
    Done,

    /// <summary>Its result file is in the outbox: the uploader completes the command with it.</summary>
    ResultQueued,

    /// <summary>Someone else finishes it (the upgrade helper): it stays open and is reviewed again.</summary>
    StaysOpen,
}

/// <summary>What came of a command. <see cref="AfterReport"/> runs once the portal has the outcome (a restart).</summary>
public sealed record CommandResult(CommandResultKind Kind, bool Succeeded = false, string Message = "", Action? AfterReport = null)
{
    public static CommandResult ResultQueued { get; } = new(CommandResultKind.ResultQueued);

    public static CommandResult StaysOpen { get; } = new(CommandResultKind.StaysOpen);

    public static CommandResult Done(bool succeeded, string message, Action? afterReport = null) => new(CommandResultKind.Done, succeeded, message, afterReport);
}
