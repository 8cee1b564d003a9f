using System.Net;
using System.Runtime.CompilerServices;
using OneStopPi.Collection.Readings;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection;

/// <summary>Reads one printer with one credential (<see cref="DeviceCollector"/>; a fake in tests).</summary>
public interface IDeviceCollector
{
    /// <param name="knownAlive">It answered before with this credential (a registered printer, or one the sweep just
    /// found): its silences are loss, so even its first request is retried as for a live device.</param>
    Task<DeviceReading> ReadAsync(SnmpTarget target, bool knownAlive, CancellationToken cancellationToken = default);
}

/// <summary>A printer's reading and the index of the credential that got it (null when no credential got an answer).</summary>
public sealed record PrinterRead(DeviceReading Reading, int? Credential);

/// <summary>
/// Reads a printer with the site's credentials as <see cref="CredentialPlan"/> orders them, stopping at the first
/// that answers; the requests of every attempt are counted in the reading. A silent device costs one timeout
/// per credential. The CLI's scan and the service's scan both read through this.
/// </summary>
public sealed class PrinterReader
{
    private readonly IDeviceCollector _collector;
    private readonly Func<IPEndPoint, SnmpCredentials, SnmpTarget> _target;

    /// <param name="target">How one attempt is shaped (timeout, retries, context) for an address and a credential.</param>
    public PrinterReader(IDeviceCollector collector, CredentialPlan credentials, Func<IPEndPoint, SnmpCredentials, SnmpTarget> target)
    {
        ArgumentNullException.ThrowIfNull(collector);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(target);
        _collector = collector;
        Credentials = credentials;
        _target = target;
    }

    public CredentialPlan Credentials { get; }

    public async Task<PrinterRead> ReadAsync(IPEndPoint endPoint, int? preferred, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        DeviceReading? last = null;
        int requests = 0;
        foreach (int index in Credentials.Order(preferred))
        {
            last = await _collector.ReadAsync(_target(endPoint, Credentials[index]), knownAlive: index == preferred, cancellationToken).ConfigureAwait(false);
            requests += last.Requests;
            if (last.Answered)
            {
                return new PrinterRead(last with { Requests = requests }, index);
            }
        }

        return new PrinterRead(last! with { Requests = requests }, null);
    }

    /// <summary>
    /// Reads <paramref name="devices"/>, <paramref name="concurrency"/> at a time, and yields each reading as soon as
    /// it and every one before it are done: the input's order, with at most four readings per concurrent read held
    /// while an earlier device takes its timeouts. Memory stays flat however many devices there are.
    /// </summary>
    /// <param name="address">Where a device is read, and the credential that worked there last time (null: none known).</param>
    public async IAsyncEnumerable<(T Device, PrinterRead Read)> ReadAllAsync<T>(IEnumerable<T> devices, Func<T, (IPEndPoint EndPoint, int? Preferred)> address,
        int concurrency, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        int windowLimit = concurrency * 4;
        var window = new Queue<(T Device, Task<PrinterRead> Read)>(windowLimit);
        using var slots = new SemaphoreSlim(concurrency);
        try
        {
            foreach (T device in devices)
            {
                while (window.Count >= windowLimit || (window.Count > 0 && window.Peek().Read.IsCompleted))
                {
                    (T done, Task<PrinterRead> read) = window.Dequeue();
                    yield return (done, await read.ConfigureAwait(false));
                }

                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
                (IPEndPoint endPoint, int? preferred) = address(device);
                window.Enqueue((device, ReleasingAsync(endPoint, preferred, slots, cancellationToken)));
            }

            while (window.Count > 0)
            {
                (T done, Task<PrinterRead> read) = window.Dequeue();
                yield return (done, await read.ConfigureAwait(false));
            }
        }
        finally
        {
            // Left early (cancelled, or the consumer stopped): the reads still running end before their semaphore goes.
            Task running = Task.WhenAll(window.Select(w => (Task)w.Read));
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private async Task<PrinterRead> ReleasingAsync(IPEndPoint endPoint, int? preferred, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            return await ReadAsync(endPoint, preferred, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            slots.Release();
        }
    }
}
