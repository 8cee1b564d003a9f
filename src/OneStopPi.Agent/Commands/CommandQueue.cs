using System.Threading.Channels;
using OneStopPi.Agent.Portal;
using OneStopPi.Contracts;

namespace OneStopPi.Agent.Commands;

/// <summary>One piece of work for the <see cref="CommandRunner"/>: a command to run, or (Command null) a review of the open commands.</summary>
public sealed record CommandWork(PortalSession Session, PendingCommand? Command);

/// <summary>
/// Hands polled commands from the sync loop to the <see cref="CommandRunner"/>, so a long command (a forced scan,
/// a 10-minute walk) never holds up heartbeats and configuration polls. The portal delivers a command again until it
/// is acknowledged, and the runner acknowledges only when it gets to it: a command already waiting or run by this
/// process is not queued twice. Reviews are coalesced: one waiting is enough.
/// </summary>
public sealed class CommandQueue
{
    private const int RememberedCommands = 1000;
    private readonly Channel<CommandWork> _channel = Channel.CreateUnbounded<CommandWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly HashSet<long> _queued = [];
    private readonly Queue<long> _order = new();
    private bool _reviewWaiting;

    public ChannelReader<CommandWork> Reader => _channel.Reader;

    /// <summary>Queues the commands not queued before, oldest first; returns how many.</summary>
    public int Offer(PortalSession session, IEnumerable<PendingCommand> commands)
    {
        int added = 0;
        foreach (PendingCommand command in commands.OrderBy(c => c.Id))
        {
            lock (_gate)
            {
                if (!_queued.Add(command.Id))
                {
                    continue;
                }

                _order.Enqueue(command.Id);
                if (_order.Count > RememberedCommands)
                {
                    _queued.Remove(_order.Dequeue());
                }
            }

            _channel.Writer.TryWrite(new CommandWork(session, command)); // unbounded: always taken
            added++;
        }

        return added;
    }

    /// <summary>Asks for a review of the open commands unless one is waiting already.</summary>
    public void RequestReview(PortalSession session)
    {
        lock (_gate)
        {
            if (_reviewWaiting)
            {
                return;
            }

            _reviewWaiting = true;
        }

        _channel.Writer.TryWrite(new CommandWork(session, null));
    }

    /// <summary>The runner took up a review: the next request queues a new one.</summary>
    public void ReviewStarted()
    {
        lock (_gate)
        {
            _reviewWaiting = false;
        }
    }

    /// <summary>A command that could not be taken on (the portal did not take the acknowledgement): the portal's next delivery queues it again.</summary>
    public void Release(long id)
    {
        lock (_gate)
        {
            _queued.Remove(id);
        }
    }
}
