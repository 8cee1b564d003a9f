using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.State;

/// <summary>The persisted <see cref="AgentRunState"/>, updated atomically by whoever makes progress.</summary>
public sealed class RunStateStore
{
    private const int MaxRememberedCommands = 500;
    private readonly JsonStateFile<AgentRunState> _file;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public RunStateStore(AgentPaths paths)
    {
        _file = new JsonStateFile<AgentRunState>(paths.State("run.json"), AgentJsonContext.Default.AgentRunState);
        try
        {
            Current = _file.Load() ?? new AgentRunState();
        }
        catch (StateFileCorruptException)
        {
            // A torn or hand-edited file: start afresh (the worst case is one extra meter scan).
            Current = new AgentRunState();
            LoadError = "run.json was unreadable and was reset";
        }
    }

    public AgentRunState Current { get; private set; }

    public string? LoadError { get; }

    public async Task UpdateAsync(Func<AgentRunState, AgentRunState> change, CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            AgentRunState next = change(Current);
            if (next.StartedCommands.Count > MaxRememberedCommands)
            {
                next = next with { StartedCommands = [.. next.StartedCommands.TakeLast(MaxRememberedCommands)] };
            }

            await _file.SaveAsync(next, cancellationToken).ConfigureAwait(false);
            Current = next;
        }
        finally
        {
            _gate.Release();
        }
    }
}
