namespace OneStopPi.Collection.Discovery;

/// <summary>
/// "Something changed": a task that completes at the next <see cref="Pulse"/>. A waiter takes <see cref="Next"/>
/// before it looks at the state, so a change between its look and its wait is never missed.
/// </summary>
internal sealed class ChangeSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Next => Volatile.Read(ref _next).Task;

    public void Pulse() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
