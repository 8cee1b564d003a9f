using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Outbox;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands;

/// <summary>
/// The source of truth for "each command exactly once" (state/run.json): a command is recorded as taken on
/// (durably) before it is acknowledged and run, so an agent that restarts mid-way does not run it again; its
/// outcome is recorded before it is reported, so a report the portal did not get is sent again.
/// Used by the one <see cref="CommandRunner"/> only, one command or review at a time.
/// </summary>
public sealed partial class CommandJournal
{
    private readonly PortalClient _client;
    private readonly RunStateStore _runState;
    private readonly FileOutbox _outbox;
    private readonly ILogger<CommandJournal> _logger;
    private readonly HashSet<long> _startedHere = [];
    private readonly HashSet<long> _reportedNotClosed = [];

    public CommandJournal(PortalClient client, RunStateStore runState, FileOutbox outbox, ILogger<CommandJournal> logger)
    {
        _client = client;
        _runState = runState;
        _outbox = outbox;
        _logger = logger;
    }

    public IReadOnlyList<OpenCommand> Open => _runState.Current.OpenCommands;

    /// <summary>Records the command as taken on and acknowledges it; false when a previous run took it on (then it is reviewed, not run).</summary>
    public async Task<bool> TakeOnAsync(PortalSession session, PendingCommand command, Func<OpenCommand, CommandResult?> review, CancellationToken cancellationToken)
    {
        if (_runState.Current.StartedCommands.Contains(command.Id))
        {
            await _client.AcknowledgeCommandAsync(session, command.Id, cancellationToken).ConfigureAwait(false);
            OpenCommand open = _runState.Current.OpenCommands.FirstOrDefault(c => c.Id == command.Id) ?? new OpenCommand(command.Id, (int)command.Type);
            await ReviewAsync(session, open, review(open), cancellationToken).ConfigureAwait(false);
            return false;
        }

        await _runState.UpdateAsync(s => s with
        {
            StartedCommands = [.. s.StartedCommands, command.Id],
            OpenCommands = [.. s.OpenCommands, new OpenCommand(command.Id, (int)command.Type)],
        }, cancellationToken).ConfigureAwait(false);
        _startedHere.Add(command.Id);
        await _client.AcknowledgeCommandAsync(session, command.Id, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Reports or closes a command this run carried out.</summary>
    public async Task FinishAsync(PortalSession session, long id, CommandType type, CommandResult result, CancellationToken cancellationToken)
    {
        switch (result.Kind)
        {
            case CommandResultKind.Done:
                await ReportAsync(session, id, type, result.Succeeded, result.Message, cancellationToken).ConfigureAwait(false);
                result.AfterReport?.Invoke();
                break;
            case CommandResultKind.ResultQueued:
                await CloseAsync(id).ConfigureAwait(false); // the uploader completes it with the result
                break;
            case CommandResultKind.StaysOpen:
                break;
        }
    }

    /// <summary>
    /// Tells the portal the outcome of a command it has not heard about: an outcome a failed report left behind, or
    /// a command a previous run took on and never finished (killed, power cut, restart). The portal delivers an
    /// acknowledged command only once, so nobody else would. <paramref name="known"/>: the handler's own verdict.
    /// </summary>
    public async Task ReviewAsync(PortalSession session, OpenCommand open, CommandResult? known, CancellationToken cancellationToken)
    {
        if (_reportedNotClosed.Contains(open.Id))
        {
            await CloseReportedAsync(open.Id).ConfigureAwait(false);
            return;
        }

        if (open.Succeeded is null && known is not null)
        {
            if (known.Kind == CommandResultKind.Done)
            {
                await ReportAsync(session, open.Id, (CommandType)open.Type, known.Succeeded, known.Message, cancellationToken).ConfigureAwait(false);
                known.AfterReport?.Invoke();
            }

            return; // else someone else is at work on it: its outcome comes later
        }

        string key = open.Id.ToString(CultureInfo.InvariantCulture);
        if (_outbox.Snapshot().Any(i => i.Kind == OutboxItemKind.CommandResult && i.Key == key))
        {
            // It ran to the end: its result waits in the outbox, and the uploader completes the command with it.
            await CloseAsync(open.Id).ConfigureAwait(false);
            return;
        }

        // A restart command did its job by restarting; anything else cut short is reported, not run a second time.
        bool restart = open.Type == (int)CommandType.RestartAgent;
        (bool succeeded, string message) = open.Succeeded is { } done
            ? (done, open.Message ?? "")
            : _startedHere.Contains(open.Id)
                ? (false, "interrupted; not run a second time")
                : (restart, restart ? "agent restarted" : "interrupted by an agent restart; not run a second time");
        await ReportAsync(session, open.Id, (CommandType)open.Type, succeeded, message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Records the outcome durably, then tells the portal; a report that fails is sent again by the next review.
    /// When run.json cannot be written (a full disk) the portal is told all the same: it hears what happened rather
    /// than, later, "interrupted". The command then stays open in run.json until the disk has room, and the review
    /// that closes it sends nothing more (the portal would refuse a second outcome anyway).
    /// </summary>
    private async Task ReportAsync(PortalSession session, long id, CommandType type, bool succeeded, string message, CancellationToken cancellationToken)
    {
        LogCompleted(id, type, succeeded, message);
        if (_runState.Current.OpenCommands.Any(c => c.Id == id && c.Succeeded is null))
        {
            try
            {
                await _runState.UpdateAsync(s => s with { OpenCommands = [.. s.OpenCommands.Select(c => c.Id == id ? c with { Succeeded = succeeded, Message = message } : c)] },
                    CancellationToken.None).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                LogOutcomeNotRecorded(id, e.Message);
            }
        }

        try
        {
            await _client.CompleteCommandAsync(session, id, new CommandOutcome(succeeded, message), cancellationToken).ConfigureAwait(false);
        }
        catch (PortalRejectedException e) when (e.Status is HttpStatusCode.Conflict or HttpStatusCode.NotFound)
        {
            // Already finished on the portal (a report repeated after a crash), or the command is gone.
            LogReportNotWanted(id, e.Message);
        }

        try
        {
            await CloseAsync(id).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            _reportedNotClosed.Add(id);
            LogNotClosed(id, e.Message);
        }
    }

    /// <summary>A command the portal has the outcome of, still open in run.json: closed once run.json can be written.</summary>
    private async Task CloseReportedAsync(long id)
    {
        try
        {
            await CloseAsync(id).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return; // logged when it first failed (LogNotClosed); tried again at the next review
        }

        _reportedNotClosed.Remove(id);
        LogClosedLate(id);
    }

    private async Task CloseAsync(long id)
    {
        if (_runState.Current.OpenCommands.Any(c => c.Id == id))
        {
            await _runState.UpdateAsync(s => s with { OpenCommands = [.. s.OpenCommands.Where(c => c.Id != id)] }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogCompleted(long id, CommandType type, bool succeeded, string message)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(6002, nameof(LogCompleted)),
                "Remote command {Id} ({Type}) finished: succeeded {Succeeded}, {Message}", id, type, succeeded, message);
        }
    }

    private void LogReportNotWanted(long id, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6004, nameof(LogReportNotWanted)),
                "The outcome of remote command {Id} is not wanted by the portal any more: {Reason}", id, reason);
        }
    }

    private void LogOutcomeNotRecorded(long id, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6005, nameof(LogOutcomeNotRecorded)),
                "The outcome of remote command {Id} could not be recorded in run.json ({Reason}); it is reported to the portal all the same", id, reason);
        }
    }

    private void LogNotClosed(long id, string reason)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(6006, nameof(LogNotClosed)),
                "Remote command {Id} is reported but could not be closed in run.json ({Reason}); it is closed once the disk has room", id, reason);
        }
    }

    private void LogClosedLate(long id)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(6007, nameof(LogClosedLate)),
                "Remote command {Id} closed in run.json: the disk has room again", id);
        }
    }
}
