using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Collection.Discovery;

/// <summary>How ICMP echo is sent, if at all.</summary>
public enum IcmpMode
{
    /// <summary>No ICMP: no CAP_NET_RAW and ping sockets not allowed (net.ipv4.ping_group_range). Liveness by SNMP alone.</summary>
    Unavailable,

    /// <summary>A raw ICMP socket (CAP_NET_RAW).</summary>
    Raw,

    /// <summary>An unprivileged ICMP datagram ("ping") socket.</summary>
    Datagram,
}

/// <summary>
/// ICMP echo to many IPv4 hosts over ONE socket (raw with CAP_NET_RAW, else a ping socket), with one
/// receive loop recording who answered. Not <see cref="System.Net.NetworkInformation.Ping"/>, which
/// may start a process per host without privileges. A send the kernel refuses for lack of buffer
/// space is retried a little later, never taken for silence.
/// </summary>
public sealed partial class IcmpSweeper : IAsyncDisposable
{
    private const int EchoLength = 16; // 8-byte header + 8 bytes of payload
    private static readonly TimeSpan SendRetryDelay = TimeSpan.FromMilliseconds(20);
    private const int SendAttempts = 50;

    private readonly Socket? _socket;
    private readonly ushort _identifier;
    private readonly ConcurrentDictionary<IPAddress, byte> _replied = new();
    private readonly ConcurrentDictionary<IPAddress, byte> _udpRefused = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _receiveLoop = Task.CompletedTask;
    private readonly TimeProvider _time;
    private long _sent, _sendRetries, _replies, _refused;
    private int _sequence;
    private int _udpSourcePort, _udpTargetPort;

    private IcmpSweeper(Socket? socket, IcmpMode mode, int sendBufferSize, TimeProvider time)
    {
        _socket = socket;
        Mode = mode;
        _time = time;
        _identifier = (ushort)Random.Shared.Next(1, ushort.MaxValue);
        if (socket is not null)
        {
            socket.SendBufferSize = sendBufferSize;
            socket.ReceiveBufferSize = 4 << 20;
            socket.Bind(new IPEndPoint(IPAddress.Any, 0));
            _receiveLoop = Task.Run(ReceiveLoopAsync);
        }
    }

    public IcmpMode Mode { get; }

    /// <summary>The effective send buffer (Linux reports double the value asked for, capped by wmem_max).</summary>
    public int SendBufferBytes => _socket?.SendBufferSize ?? 0;

    /// <summary>Bytes of replies the kernel holds that the receive loop has not read yet (0: nothing waits, or not known).</summary>
    public int QueuedBytes
    {
        get
        {
            try
            {
                return _socket?.Available ?? 0;
            }
            catch (SocketException)
            {
                return 0; // an unprivileged ping socket does not answer FIONREAD: nothing to wait for, time decides as before
            }
        }
    }

    public long EchoesSent => Interlocked.Read(ref _sent);

    public long SendRetries => Interlocked.Read(ref _sendRetries);

    public long Replies => Interlocked.Read(ref _replies);

    /// <summary>Echoes this host refused to send (<see cref="SendFailure.Lost"/>).</summary>
    public long SendsRefused => Interlocked.Read(ref _refused);

    /// <summary>Opens the best socket this process may: raw, else datagram, else none (and says so once).</summary>
    public static IcmpSweeper Open(int sendBufferSize, TimeProvider time, ILogger logger, IcmpMode preferred = IcmpMode.Raw)
    {
        ArgumentNullException.ThrowIfNull(logger);
        SocketException? rawError = null;
        if (preferred == IcmpMode.Raw)
        {
            try
            {
                return new IcmpSweeper(new Socket(AddressFamily.InterNetwork, SocketType.Raw, ProtocolType.Icmp), IcmpMode.Raw, sendBufferSize, time);
            }
            catch (SocketException e)
            {
                rawError = e;
            }
        }

        if (preferred != IcmpMode.Unavailable)
        {
            try
            {
                var sweeper = new IcmpSweeper(new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Icmp), IcmpMode.Datagram, sendBufferSize, time);
                if (rawError is not null)
                {
                    LogDatagramFallback(logger, rawError.SocketErrorCode);
                }

                return sweeper;
            }
            catch (SocketException e)
            {
                LogUnavailable(logger, rawError?.SocketErrorCode.ToString() ?? "not tried", e.SocketErrorCode);
                return new IcmpSweeper(null, IcmpMode.Unavailable, sendBufferSize, time);
            }
        }

        LogDisabled(logger);
        return new IcmpSweeper(null, IcmpMode.Unavailable, sendBufferSize, time);
    }

    /// <summary>Called on the receive loop at each new reply or refusal (keep it short).</summary>
    internal Action? Heard { get; set; }

    /// <summary>True once <paramref name="address"/> answered an echo.</summary>
    public bool HasReplied(IPAddress address) => _replied.ContainsKey(address);

    /// <summary>
    /// Watches for ICMP port-unreachable about our datagrams from <paramref name="sourcePort"/> to
    /// <paramref name="targetPort"/> (a raw socket sees every ICMP message the host gets; a ping socket
    /// sees none of these). A host that refuses the SNMP port has no agent to wait for.
    /// </summary>
    public void WatchUdpRefusals(int sourcePort, int targetPort)
    {
        Volatile.Write(ref _udpTargetPort, targetPort);
        Volatile.Write(ref _udpSourcePort, sourcePort);
    }

    /// <summary>True once <paramref name="address"/> answered our UDP datagram with port-unreachable.</summary>
    public bool HasRefusedUdp(IPAddress address) => _udpRefused.ContainsKey(address);

    /// <summary>Sends one echo request; a send refused for lack of buffer space is retried after a short pause.</summary>
    public async ValueTask SendEchoAsync(IPAddress address, CancellationToken cancellationToken)
    {
        if (_socket is null || address.AddressFamily != AddressFamily.InterNetwork)
        {
            return;
        }

        byte[] packet = BuildEcho(_identifier, (ushort)Interlocked.Increment(ref _sequence), _time.GetTimestamp());
        SocketAddress target = new IPEndPoint(address, 0).Serialize();
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // Synchronous: a datagram send completes at once or fails (ENOBUFS, EAGAIN); no await per packet.
                _socket.SendTo(packet, SocketFlags.None, target);
                Interlocked.Increment(ref _sent);
                return;
            }
            catch (SocketException e) when (SendFailures.Classify(e.SocketErrorCode) == SendFailure.Lost)
            {
                Interlocked.Increment(ref _refused); // firewall or no route: this echo is lost, the host looks silent
                return;
            }
            catch (SocketException e) when (SendFailures.Classify(e.SocketErrorCode) == SendFailure.TryAgain)
            {
                // ENOBUFS: the queue behind unresolved ARP is full. Try again shortly; not a verdict on this host.
                Interlocked.Increment(ref _sendRetries);
                if (attempt >= SendAttempts)
                {
                    return;
                }

                await Task.Delay(SendRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>An echo request (RFC 792): type 8, code 0, checksum, identifier, sequence, 8 bytes of timestamp.</summary>
    internal static byte[] BuildEcho(ushort identifier, ushort sequence, long stamp)
    {
        byte[] packet = new byte[EchoLength];
        packet[0] = 8;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(4), identifier);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(6), sequence);
        BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(8), stamp);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), Checksum(packet));
        return packet;
    }

    /// <summary>The Internet checksum (RFC 1071).</summary>
    internal static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2)
        {
            sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        }

        if (i < data.Length)
        {
            sum += (uint)data[i] << 8;
        }

        while (sum > 0xFFFF)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }

        return (ushort)~sum;
    }

    /// <summary>
    /// Whether a received datagram is an echo reply for us. A raw socket hands over the IPv4 header
    /// too (and every ICMP message the host gets, hence the identifier check); a ping socket gives the
    /// ICMP message alone, already filtered to this socket (the kernel rewrote our identifier).
    /// </summary>
    internal static bool IsEchoReply(ReadOnlySpan<byte> datagram, IcmpMode mode, ushort identifier)
    {
        ReadOnlySpan<byte> icmp = datagram;
        if (mode == IcmpMode.Raw)
        {
            if (datagram.Length < 20 || datagram[0] >> 4 != 4)
            {
                return false;
            }

            int headerLength = (datagram[0] & 0x0F) * 4;
            if (headerLength < 20 || datagram.Length < headerLength + 8)
            {
                return false;
            }

            icmp = datagram[headerLength..];
        }

        if (icmp.Length < 8 || icmp[0] != 0 || icmp[1] != 0)
        {
            return false;
        }

        return mode != IcmpMode.Raw || BinaryPrimitives.ReadUInt16BigEndian(icmp[4..]) == identifier;
    }

    /// <summary>
    /// Whether a raw-socket datagram is an ICMP destination-unreachable, code 3 (port), quoting a UDP datagram of
    /// ours (source port <paramref name="sourcePort"/>) to <paramref name="targetPort"/> (RFC 792: the quote is
    /// the original IP header and at least its first 8 bytes of data); <paramref name="destination"/> is whom it went to.
    /// </summary>
    internal static bool IsUdpPortUnreachable(ReadOnlySpan<byte> datagram, int sourcePort, int targetPort, out uint destination)
    {
        destination = 0;
        if (datagram.Length < 20 || datagram[0] >> 4 != 4)
        {
            return false;
        }

        int headerLength = (datagram[0] & 0x0F) * 4;
        if (headerLength < 20 || datagram.Length < headerLength + 8 + 20 + 8)
        {
            return false;
        }

        ReadOnlySpan<byte> icmp = datagram[headerLength..];
        if (icmp[0] != 3 || icmp[1] != 3)
        {
            return false;
        }

        ReadOnlySpan<byte> quoted = icmp[8..];
        int quotedLength = (quoted[0] & 0x0F) * 4;
        if (quoted[0] >> 4 != 4 || quotedLength < 20 || quoted.Length < quotedLength + 8 || quoted[9] != (byte)ProtocolType.Udp)
        {
            return false;
        }

        ReadOnlySpan<byte> udp = quoted[quotedLength..];
        if (BinaryPrimitives.ReadUInt16BigEndian(udp) != sourcePort || BinaryPrimitives.ReadUInt16BigEndian(udp[2..]) != targetPort)
        {
            return false;
        }

        destination = BinaryPrimitives.ReadUInt32BigEndian(quoted[16..]);
        return true;
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_shutdown.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await _socket!.ReceiveFromAsync(buffer, SocketFlags.None, any, _shutdown.Token).ConfigureAwait(false);
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
                // An ICMP error for an earlier echo (IP_RECVERR is not set, so rare): concerns no host in particular.
                continue;
            }

            ReadOnlySpan<byte> datagram = buffer.AsSpan(0, result.ReceivedBytes);
            if (IsEchoReply(datagram, Mode, _identifier) && result.RemoteEndPoint is IPEndPoint from)
            {
                IPAddress address = from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address;
                if (_replied.TryAdd(address, 0))
                {
                    Interlocked.Increment(ref _replies);
                    Heard?.Invoke();
                }
            }
            else if (Mode == IcmpMode.Raw && Volatile.Read(ref _udpSourcePort) is int sourcePort and > 0
                && IsUdpPortUnreachable(datagram, sourcePort, Volatile.Read(ref _udpTargetPort), out uint destination))
            {
                if (_udpRefused.TryAdd(TargetRange.FromUInt32(destination), 0))
                {
                    Heard?.Invoke();
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        _shutdown.Dispose();
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private static void LogDatagramFallback(ILogger logger, SocketError error)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(4111, nameof(LogDatagramFallback)),
                "No raw ICMP socket ({Error}: the service needs CAP_NET_RAW); using an unprivileged ping socket", error);
        }
    }

    private static void LogUnavailable(ILogger logger, string rawError, SocketError datagramError)
    {
        if (logger.IsEnabled(LogLevel.Warning))
        {
            logger.Log(LogLevel.Warning, new EventId(4112, nameof(LogUnavailable)),
                "ICMP echo unavailable (raw socket: {RawError}; ping socket: {DatagramError}; grant CAP_NET_RAW or widen net.ipv4.ping_group_range): liveness by SNMP alone, hosts that answer only ping are not listed",
                rawError, datagramError);
        }
    }

    private static void LogDisabled(ILogger logger)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(4113, nameof(LogDisabled)),
                "ICMP echo disabled by configuration: liveness by SNMP alone");
        }
    }
}
