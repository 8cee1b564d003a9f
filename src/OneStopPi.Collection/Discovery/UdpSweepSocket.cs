using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The sweep's SNMP liveness socket: one IPv4 UDP socket, one prepared datagram sent to many addresses,
/// and one receive loop noting every address that answered anything on the SNMP port. No state per
/// address is kept until something answers. Sends refused for lack of buffer space are retried shortly; sends
/// refused for the address (firewall, no route) lose that datagram only.
/// </summary>
internal sealed class UdpSweepSocket : IAsyncDisposable
{
    private static readonly TimeSpan SendRetryDelay = TimeSpan.FromMilliseconds(20);
    private const int SendAttempts = 50;

    private readonly Socket _socket;
    private readonly int _port;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<IPAddress, byte> _answered = new();
    private readonly Action<IPAddress>? _firstAnswer;
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _receiveLoop;
    private long _sent, _retries, _refused;

    /// <param name="firstAnswer">Called on the receive loop the first time each address answers (keep it short).</param>
    public UdpSweepSocket(int port, int sendBufferSize, TimeProvider time, Action<IPAddress>? firstAnswer = null)
    {
        _port = port;
        _time = time;
        _firstAnswer = firstAnswer;
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _socket.SendBufferSize = sendBufferSize;
        _socket.ReceiveBufferSize = 4 << 20;
        _socket.Bind(new IPEndPoint(IPAddress.Any, 0));
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    public int SendBufferBytes => _socket.SendBufferSize;

    /// <summary>The local port our datagrams leave from (ICMP errors quote it).</summary>
    public int LocalPort => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    public long Sent => Interlocked.Read(ref _sent);

    public long SendRetries => Interlocked.Read(ref _retries);

    /// <summary>Datagrams this host refused to send (<see cref="SendFailure.Lost"/>).</summary>
    public long SendsRefused => Interlocked.Read(ref _refused);

    public bool HasAnswered(IPAddress address) => _answered.ContainsKey(address);

    /// <summary>Bytes of answers the kernel holds that the receive loop has not read yet (0: nothing waits, or not known).</summary>
    public int QueuedBytes
    {
        get
        {
            try
            {
                return _socket.Available;
            }
            catch (SocketException)
            {
                return 0; // FIONREAD refused: nothing to wait for, time decides as before
            }
        }
    }

    public async ValueTask SendAsync(IPAddress address, byte[] datagram, CancellationToken cancellationToken)
    {
        SocketAddress target = new IPEndPoint(address, _port).Serialize();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // Synchronous: a datagram send completes at once or fails (ENOBUFS, EAGAIN); no await per packet.
                _socket.SendTo(datagram, SocketFlags.None, target);
                Interlocked.Increment(ref _sent);
                return;
            }
            catch (SocketException e) when (SendFailures.Classify(e.SocketErrorCode) == SendFailure.Lost)
            {
                Interlocked.Increment(ref _refused); // this address looks silent; the sweep's retry pass may ask again
                return;
            }
            catch (SocketException e) when (SendFailures.Classify(e.SocketErrorCode) == SendFailure.TryAgain)
            {
                // Queue behind ARP full: retry shortly, never "silent".
                Interlocked.Increment(ref _retries);
                if (attempt >= SendAttempts)
                {
                    return;
                }

                await Task.Delay(SendRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[65536];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_shutdown.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // an ICMP error for an earlier datagram: concerns no address in particular
            }

            if (result.ReceivedBytes > 0 && result.RemoteEndPoint is IPEndPoint from && from.Port == _port)
            {
                IPAddress address = from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address;
                if (_answered.TryAdd(address, 0))
                {
                    _firstAnswer?.Invoke(address);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        _shutdown.Dispose();
    }
}
