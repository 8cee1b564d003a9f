using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Hosting;
using OneStopPi.Agent.Portal;
using OneStopPi.Agent.State;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands;

/// <summary>
/// The commands stage, beside the portal sync loop: takes the <see cref="CommandQueue"/>'s work one at a time,
/// takes each command on through the <see cref="CommandJournal"/>, runs it with its type's handler and reports it.
/// </summary>
public sealed partial class CommandRunner : SupervisedStage
{
    /// <summary>Idle, the stage waits on its queue; a command's own time does not count (see <see cref="StageLiveness.Idle"/>).</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(15);

    private readonly CommandQueue _queue;
    private readonly CommandJournal _journal;
    private readonly Dictionary<CommandType, ICommandHandler> _handlers;
    private readonly ILogger<CommandRunner> _logger;

    public CommandRunner(CommandQueue queue, CommandJournal journal, IEnumerable<ICommandHandler> handlers, AgentStages stages, TimeProvider time,
        ILogger<CommandRunner> logger)
        : base(stages.Stage(AgentStages.Commands, Period), time, logger)
    {
        _queue = queue;
        _journal = journal;
        // The last registration of a type wins (a test replaces one handler).
        _handlers = [];
        foreach (ICommandHandler handler in handlers)
        {
            _handlers[handler.Type] = handler;
        }

        _logger = logger;
    }

    protected override async Task RunStageAsync(CancellationToken stoppingToken)
    {
        Liveness.Idle();
        await foreach (CommandWork work in _queue.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            Liveness.Beat();
            try
            {
                // A command waits on the scan worker (a forced scan) or on its own time limit (a walk): not this stage's hang.
                Liveness.Idle();
                await (work.Command is { } command ? RunAsync(work.Session, command, stoppingToken) : ReviewAsync(work.Session, stoppingToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is PortalUnavailableException or PortalRejectedException or IOException or UnauthorizedAccessException)
            {
                LogCommandFailed(e, work.Command?.Id);
            }
            finally
            {
                Liveness.Idle();
            }
        }
    }

    /// <summary>Runs one command, exactly once: what a previous run took on is reviewed instead.</summary>
    public async Task RunAsync(PortalSession session, PendingCommand command, CancellationToken cancellationToken)
    {
        ICommandHandler? handler = _handlers.GetValueOrDefault(command.Type);
        bool takenOn;
        try
        {
            takenOn = await _journal.TakeOnAsync(session, command, open => handler?.Review(open), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is PortalUnavailableException or PortalRejectedException or IOException or UnauthorizedAccessException)
        {
            // Not acknowledged (the portal did not answer, or run.json could not record it: a full disk): the
            // portal delivers it again and it is taken on then.
            _queue.Release(command.Id);
            throw;
        }

        if (!takenOn)
        {
            return;
        }

        LogCommand(command.Id, command.Type, command.Parameter);
        CommandResult result = handler is null
            ? CommandResult.Done(false, $"unknown command type {(int)command.Type}")
            : await handler.RunAsync(session, command, cancellationToken).ConfigureAwait(false);
        await _journal.FinishAsync(session, command.Id, command.Type, result, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reports the open commands the portal has not heard about (<see cref="CommandJournal.ReviewAsync"/>).</summary>
    public async Task ReviewAsync(PortalSession session, CancellationToken cancellationToken)
    {
        _queue.ReviewStarted();
        foreach (OpenCommand open in _journal.Open)
        {
            CommandResult? known = _handlers.GetValueOrDefault((CommandType)open.Type)?.Review(open);
            await _journal.ReviewAsync(session, open, known, cancellationToken).ConfigureAwait(false);
        }

        long[] stillOpen = [.. _journal.Open.Select(c => c.Id)];
        foreach (ICommandHandler handler in _handlers.Values)
        {
            handler.ForgetClosed(stillOpen);
        }
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogCommand(long id, CommandType type, string? parameter)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(6001, nameof(LogCommand)),
                "Remote command {Id}: {Type} {Parameter}", id, type, parameter);
        }
    }

    private void LogCommandFailed(Exception exception, long? id)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(3102, nameof(LogCommandFailed)), exception,
                "Remote command {Id} could not be completed", id);
        }
    }
}
