using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Agent.Upgrade;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>
/// Command 7: checks the release and hands it to the privileged helper (<see cref="UpgradeHandover"/>). Handed
/// over, the command stays open: the helper's outcome is reported when it is there, across agent restarts.
/// </summary>
public sealed class UpgradeCommandHandler(UpgradeHandover upgrade) : ICommandHandler
{
    public CommandType Type => CommandType.Upgrade;

    public async Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken) =>
        await upgrade.HandOverAsync(session, command.Id, command.Parameter, cancellationToken).ConfigureAwait(false) is { } refusal
            ? CommandResult.Done(false, refusal)
            : CommandResult.StaysOpen;

    public CommandResult? Review(OpenCommand open)
    {
        switch (upgrade.ProgressOf(open.Id))
        {
            case UpgradeProgress.InProgress:
                // Else the helper is at work (and may restart this agent): its outcome comes later.
                return upgrade.AbandonIfUnclaimed(open.Id) is { } abandoned ? CommandResult.Done(false, abandoned) : CommandResult.StaysOpen;
            case UpgradeProgress.Finished:
                UpgradeOutcome outcome = upgrade.ReadOutcome(open.Id);
                return CommandResult.Done(outcome.Succeeded, outcome.Message, () => upgrade.ForgetOutcome(open.Id));
            default:
                return null;
        }
    }

    /// <summary>An outcome whose command is closed was reported before a crash could remove it.</summary>
    public void ForgetClosed(IReadOnlyCollection<long> open) => upgrade.ForgetOutcomesExcept(open);
}
