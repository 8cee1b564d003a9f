using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Simulator.Tests.Faults;

/// <summary>What a <see cref="FaultyUdpRelay"/> does to each datagram, each way.</summary>
public sealed record NetworkFaults(double Drop, TimeSpan MinDelay, TimeSpan MaxDelay, double Duplicate, int Seed)
{
    public static NetworkFaults Loss(double drop, int seed) => new(drop, TimeSpan.Zero, TimeSpan.Zero, 0, seed);

    public override string ToString() =>
        $"drop {Drop:P0}, delay {MinDelay.TotalMilliseconds:F0}-{MaxDelay.TotalMilliseconds:F0} ms, duplicate {Duplicate:P0}, seed {Seed}";
}

/// <summary>
/// A UDP relay in front of simulated devices, for tests of a lossy network (this kernel has no netem): one front
/// socket per device forwards to the device from a socket of its own, and the answers back to whoever asked last.
/// Each datagram, each way, is dropped, duplicated and delayed by a seeded draw; a delay drawn between
/// <see cref="NetworkFaults.MinDelay"/> and <see cref="NetworkFaults.MaxDelay"/> per datagram reorders them.
/// </summary>
internal sealed class FaultyUdpRelay : IAsyncDisposable
{
    private readonly NetworkFaults _faults;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private readonly List<Task> _loops = [];
    private readonly List<Socket> _sockets = [];
    private readonly CancellationTokenSource _stop = new();
    private long _forwarded, _dropped, _duplicated;

    private FaultyUdpRelay(NetworkFaults faults)
    {
        _faults = faults;
        _random = new Random(faults.Seed);
    }

    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long Duplicated => Interlocked.Read(ref _duplicated);

    /// <summary>Front i at <paramref name="fronts"/>[i] relays to <paramref name="devices"/>[i].</summary>
    public static FaultyUdpRelay Start(IReadOnlyList<IPEndPoint> fronts, IReadOnlyList<IPEndPoint> devices, NetworkFaults faults)
    {
        var relay = new FaultyUdpRelay(faults);
        for (int i = 0; i < fronts.Count; i++)
        {
            var front = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            front.Bind(fronts[i]);
            var back = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            back.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            relay._sockets.Add(front);
            relay._sockets.Add(back);
            var client = new StrongBox<IPEndPoint?>(null);
            IPEndPoint device = devices[i];
            relay._loops.Add(relay.PumpAsync(front, back, from => { client.Value = from; return device; }));
            relay._loops.Add(relay.PumpAsync(back, front, _ => client.Value));
        }

        return relay;
    }

    /// <summary>Receives on <paramref name="from"/> and sends what survives the faults from <paramref name="to"/> to where <paramref name="destination"/> says.</summary>
    private async Task PumpAsync(Socket from, Socket to, Func<IPEndPoint, IPEndPoint?> destination)
    {
        byte[] buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await from.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an ICMP error from an earlier send
            }

            if (destination((IPEndPoint)received.RemoteEndPoint) is not { } target)
            {
                continue;
            }

            byte[] datagram = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            TimeSpan[] delays;
            lock (_gate)
            {
                if (_random.NextDouble() < _faults.Drop)
                {
                    Interlocked.Increment(ref _dropped);
                    continue;
                }

                int copies = _random.NextDouble() < _faults.Duplicate ? 2 : 1;
                delays = new TimeSpan[copies];
                for (int c = 0; c < copies; c++)
                {
                    delays[c] = _faults.MinDelay + ((_faults.MaxDelay - _faults.MinDelay) * _random.NextDouble());
                }
            }

            if (delays.Length > 1)
            {
                Interlocked.Increment(ref _duplicated);
            }

            foreach (TimeSpan delay in delays)
            {
                _ = SendLaterAsync(to, datagram, target, delay);
            }
        }
    }

    private async Task SendLaterAsync(Socket socket, byte[] datagram, IPEndPoint target, TimeSpan delay)
    {
        try
        {
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _stop.Token);
            }

            await socket.SendToAsync(datagram, SocketFlags.None, target, _stop.Token);
            Interlocked.Increment(ref _forwarded);
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
            // Stopping, or the peer went away: a relay loses datagrams anyway.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (Socket socket in _sockets)
        {
            socket.Dispose();
        }

        await Task.WhenAll(_loops);
        _stop.Dispose();
    }

    private sealed class StrongBox<T>(T value)
    {
        public T Value { get; set; } = value;
    }
}
