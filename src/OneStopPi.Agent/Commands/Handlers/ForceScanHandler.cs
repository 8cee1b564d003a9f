using System.Threading.Channels;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.Scheduling;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands.Handlers;

/// <summary>Command 2: a discovery + meter scan now, through the scan worker like the scheduler's, reported with its figures.</summary>
public sealed class ForceScanHandler(ChannelWriter<ScanJob> jobs) : ICommandHandler
{
    public CommandType Type => CommandType.ForceDiscoveryScan;

    public async Task<CommandResult> RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<ScanOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        await jobs.WriteAsync(new ScanJob(ScanKind.Meter, false, null, $"command {command.Id}", done), cancellationToken).ConfigureAwait(false);
        try
        {
            ScanOutcome outcome = await done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return CommandResult.Done(true, $"scan done: {outcome.Devices} device(s), {outcome.Answered} answered, batch {outcome.BatchId}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The scan's failure is the command's outcome, whatever it was; the scan worker logged it.
            return CommandResult.Done(false, $"scan failed: {e.Message}");
        }
    }
}
