using System.Collections.Concurrent;
using System.Net;
using System.Threading.Channels;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// Runs the identify pass while the sweep goes on: an address is identified once, as soon as something says it is
/// live (its liveness answer, the plan for IPv6 hosts, a ping reply once the sweep settled).
/// </summary>
internal sealed class IdentificationQueue
{
    private readonly Channel<IPAddress> _queue = Channel.CreateUnbounded<IPAddress>();
    private readonly ConcurrentDictionary<IPAddress, byte> _queued = new();
    private readonly ConcurrentDictionary<IPAddress, byte> _started = new();
    private readonly ConcurrentBag<DiscoveredDevice> _found = [];
    private DeviceIdentifier? _identifier;

    /// <summary>The identifiers at work; completes once the queue is closed and emptied (or cancelled).</summary>
    public Task Running { get; private set; } = Task.CompletedTask;

    /// <summary>Addresses queued so far.</summary>
    public int Count => _queued.Count;

    /// <summary>The devices identified so far.</summary>
    public IReadOnlyCollection<DiscoveredDevice> Found => _found;

    public void Start(DeviceIdentifier identifier, int parallelism, CancellationToken cancellationToken)
    {
        _identifier = identifier;
        Running = Parallel.ForEachAsync(_queue.Reader.ReadAllAsync(cancellationToken),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken },
            async (address, ct) => await IdentifyAsync(address, ct).ConfigureAwait(false));
    }

    /// <summary>Queues <paramref name="address"/> unless it was queued before. Safe from any thread.</summary>
    public void Enqueue(IPAddress address)
    {
        if (_queued.TryAdd(address, 0))
        {
            _queue.Writer.TryWrite(address); // after Close: left for CompleteAsync
        }
    }

    public bool IsQueued(IPAddress address) => _queued.ContainsKey(address);

    /// <summary>Takes no more addresses (those queued later are identified by <see cref="CompleteAsync"/>).</summary>
    public void Close() => _queue.Writer.TryComplete();

    /// <summary>Closes the queue and waits for every identification, including addresses queued after it closed.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        Close();
        await Running.ConfigureAwait(false);

        // An answer read after the queue closed (late in a busy process) still gets its probe.
        foreach (IPAddress address in _queued.Keys.Where(a => !_started.ContainsKey(a)).ToList())
        {
            await IdentifyAsync(address, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task IdentifyAsync(IPAddress address, CancellationToken cancellationToken)
    {
        _started.TryAdd(address, 0);
        if (await _identifier!.IdentifyAsync(address, cancellationToken).ConfigureAwait(false) is { } device)
        {
            _found.Add(device);
        }
    }
}
