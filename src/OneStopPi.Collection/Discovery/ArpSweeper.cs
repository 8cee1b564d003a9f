using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Collection.Discovery;

/// <summary>How an ARP sweep paces and repeats its requests.</summary>
public sealed record ArpSweepOptions
{
    /// <summary>Requests per silent address (the kernel itself asks three times).</summary>
    public int Attempts { get; init; } = 3;

    /// <summary>From one request to an address to the next one; a LAN host answers within milliseconds.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long replies are still awaited after the last request.</summary>
    public TimeSpan Linger { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// Broadcast frames per second. 5,000 minimum-size frames are 3.4 Mbit/s on the wire: a /22 in 0.2 s,
    /// under the broadcast storm-control thresholds switches commonly ship with (1–5 % of a 100 Mbit/s port).
    /// </summary>
    public int Rate { get; init; } = 5000;
}

/// <summary>One address that answered ARP, and the MAC it answered from.</summary>
public readonly record struct ArpAnswer(IPAddress Address, string Mac);

/// <summary>What an ARP sweep needs of one directly connected Ethernet subnet.</summary>
public sealed record ArpLink(string Device, int InterfaceIndex, byte[] Mac, IPAddress Local);

/// <summary>
/// ARP requests for many addresses of one directly connected Ethernet subnet, over ONE packet socket
/// (AF_PACKET, needs CAP_NET_RAW), and the replies. Unlike a datagram to each address, it costs the
/// kernel no neighbour entry for a silent address: nothing waits ~3 s for an INCOMPLETE entry to fail,
/// and the machine's table (gc_thresh3) cannot overflow, however wide the subnet. Only the hosts that
/// answered are then probed with ICMP and SNMP (the kernel resolves those in one round trip).
/// </summary>
public sealed partial class ArpSweeper : IAsyncDisposable
{
    internal const ushort EtherTypeArp = 0x0806;
    internal const int FrameLength = 60; // minimum Ethernet frame without FCS: the 42-byte request padded
    private const int ArpOffset = 14;
    private static readonly TimeSpan SendRetryDelay = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan AnswerPoll = TimeSpan.FromMilliseconds(10);

    /// <summary>At most this long is waited, after the linger, for replies already queued in the socket to be read.</summary>
    internal static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);
    private const int SendAttempts = 200;

    private readonly IFrameLink _wire;
    private readonly ArpLink _link;
    private readonly uint _local;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<ArpAnswer> _answers = Channel.CreateUnbounded<ArpAnswer>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly ConcurrentDictionary<IPAddress, string> _answered = new();
    private readonly CancellationTokenSource _shutdown = new();
    private readonly Task _receiveLoop;
    private HashSet<uint>? _targets;
    private long _requests, _sendRetries;

    /// <param name="wire">The packet socket, or a test's stand-in for it.</param>
    internal ArpSweeper(IFrameLink wire, ArpLink link, TimeProvider time, ILogger logger)
    {
        _wire = wire;
        _link = link;
        _local = TargetRange.ToUInt32(link.Local);
        _time = time;
        _logger = logger;
        _receiveLoop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>The interface swept.</summary>
    public string Device => _link.Device;

    /// <summary>Addresses that answered, as they answer (each once). Completed when the sweep ends.</summary>
    public ChannelReader<ArpAnswer> Answers => _answers.Reader;

    public long RequestsSent => Interlocked.Read(ref _requests);

    public long SendRetries => Interlocked.Read(ref _sendRetries);

    public int Replies => _answered.Count;

    /// <summary>Every address that answered, with the MAC it answered from.</summary>
    public IReadOnlyDictionary<IPAddress, string> AnsweredMacs => _answered;

    /// <summary>True once <paramref name="address"/> answered.</summary>
    public bool HasAnswered(IPAddress address) => _answered.ContainsKey(address);

    /// <summary>The MAC <paramref name="address"/> answered from, lower-case and colon-separated.</summary>
    public string? MacOf(IPAddress address) => _answered.GetValueOrDefault(address);

    /// <summary>
    /// Opens a packet socket on <paramref name="link"/>; null when this process may not (no CAP_NET_RAW, or
    /// AF_PACKET filtered by the service's sandbox), said once in the log: the caller then lets the kernel
    /// resolve each address, paced by the neighbour table.
    /// </summary>
    public static ArpSweeper? TryOpen(ArpLink link, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(logger);
        if (link.Mac.Length != 6 || link.Local.AddressFamily != AddressFamily.InterNetwork || link.InterfaceIndex <= 0)
        {
            LogNotEthernet(logger, link.Device);
            return null;
        }

        Socket? socket = null;
        try
        {
            socket = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)NetworkOrder(EtherTypeArp));
            socket.ReceiveBufferSize = 4 << 20;
            socket.SendBufferSize = 1 << 20;
            socket.Bind(new LinkLayerEndPoint(link.InterfaceIndex, EtherTypeArp));
            return new ArpSweeper(new PacketSocketLink(socket), link, time, logger);
        }
        catch (SocketException e)
        {
            socket?.Dispose();
            LogUnavailable(logger, link.Device, e.SocketErrorCode);
            return null;
        }
        catch (PlatformNotSupportedException e)
        {
            socket?.Dispose();
            LogUnsupported(logger, link.Device, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Asks for every address of <paramref name="targets"/> (each up to <see cref="ArpSweepOptions.Attempts"/> times,
    /// <see cref="ArpSweepOptions.Interval"/> apart, until it answers), waits <see cref="ArpSweepOptions.Linger"/>
    /// for late replies, then completes <see cref="Answers"/>. One sweep per instance.
    /// </summary>
    /// <returns>False when the interface refused our frames part-way (down, removed): the caller probes the
    /// addresses that did not answer some other way.</returns>
    public async Task<bool> SweepAsync(IReadOnlyList<IPAddress> targets, ArpSweepOptions options, Action<IPAddress>? firstRequest = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        var index = new HashSet<uint>(targets.Select(TargetRange.ToUInt32));

        if (Interlocked.CompareExchange(ref _targets, index, null) is not null)
        {
            throw new InvalidOperationException("An ARP sweeper sweeps once.");
        }

        var sentAt = new long[targets.Count];
        byte[] frame = new byte[FrameLength];
        long started = _time.GetTimestamp();
        long lastSend = started;
        var pace = new FramePace(Math.Max(1, options.Rate), _time);
        try
        {
            for (int attempt = 0; attempt < Math.Max(1, options.Attempts); attempt++)
            {
                for (int i = 0; i < targets.Count; i++)
                {
                    IPAddress target = targets[i];
                    if (_answered.ContainsKey(target))
                    {
                        continue;
                    }

                    if (attempt > 0)
                    {
                        // Until this address is due again, or answers (then it is not waited for).
                        for (TimeSpan due = options.Interval - _time.GetElapsedTime(sentAt[i]); due > TimeSpan.Zero && !_answered.ContainsKey(target);
                             due = options.Interval - _time.GetElapsedTime(sentAt[i]))
                        {
                            await Task.Delay(due < AnswerPoll ? due : AnswerPoll, _time, cancellationToken).ConfigureAwait(false);
                        }

                        if (_answered.ContainsKey(target))
                        {
                            continue;
                        }
                    }

                    await pace.NextAsync(cancellationToken).ConfigureAwait(false);
                    BuildRequest(frame, _link.Mac, _local, TargetRange.ToUInt32(target));
                    if (!await SendAsync(frame, cancellationToken).ConfigureAwait(false))
                    {
                        return false;
                    }

                    lastSend = sentAt[i] = _time.GetTimestamp();
                    if (attempt == 0)
                    {
                        firstRequest?.Invoke(target);
                    }
                }
            }

            // Late replies: wait out the linger, or less if everyone answered.
            while (_answered.Count < index.Count)
            {
                TimeSpan left = options.Linger - _time.GetElapsedTime(lastSend);
                if (left <= TimeSpan.Zero)
                {
                    break;
                }

                await Task.Delay(left < AnswerPoll ? left : AnswerPoll, _time, cancellationToken).ConfigureAwait(false);
            }

            // A reply that arrived within the linger but still waits in the socket, because this process was not
            // scheduled in time (a busy machine), answered all the same: what counts is when it arrived, not when
            // the receive loop got round to it. Bounded, in case the wire never falls silent.
            for (long drain = _time.GetTimestamp(); _wire.QueuedBytes > 0 && _time.GetElapsedTime(drain) < DrainLimit;)
            {
                await Task.Delay(AnswerPoll, _time, cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        finally
        {
            _answers.Writer.TryComplete();
            LogSwept(_link.Device, targets.Count, RequestsSent, _answered.Count, _time.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async ValueTask<bool> SendAsync(byte[] frame, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // Synchronous: a frame is queued at once or refused (ENOBUFS/EAGAIN when the device queue is full).
                _wire.Send(frame);
                Interlocked.Increment(ref _requests);
                return true;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.NoBufferSpaceAvailable or SocketError.WouldBlock && attempt < SendAttempts)
            {
                Interlocked.Increment(ref _sendRetries);
                await Task.Delay(SendRetryDelay, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                LogSendFailed(_link.Device, e.SocketErrorCode);
                return false;
            }
        }
    }

    /// <summary>An ARP request (RFC 826) in an Ethernet broadcast frame: who has <paramref name="target"/>? Tell <paramref name="sender"/>.</summary>
    internal static void BuildRequest(Span<byte> frame, ReadOnlySpan<byte> senderMac, uint sender, uint target)
    {
        frame.Clear();
        frame[..6].Fill(0xFF);                                      // destination: broadcast
        senderMac.CopyTo(frame[6..]);                               // source
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], EtherTypeArp);
        Span<byte> arp = frame[ArpOffset..];
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1);              // hardware: Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], 0x0800);    // protocol: IPv4
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], 1);         // request
        senderMac.CopyTo(arp[8..]);
        BinaryPrimitives.WriteUInt32BigEndian(arp[14..], sender);
        BinaryPrimitives.WriteUInt32BigEndian(arp[24..], target);   // target hardware address (18..24) left zero
    }

    /// <summary>
    /// The sender of an Ethernet/IPv4 ARP message that shows an address in use: a reply to us, or any
    /// request (a host asking with its own address as sender is using that address). Probes with
    /// sender 0.0.0.0 (RFC 5227) show nothing.
    /// </summary>
    internal static bool TryReadSender(ReadOnlySpan<byte> frame, uint local, out uint sender, out string mac)
    {
        sender = 0;
        mac = "";
        if (frame.Length < ArpOffset + 28 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != EtherTypeArp)
        {
            return false;
        }

        ReadOnlySpan<byte> arp = frame[ArpOffset..];
        ushort operation = BinaryPrimitives.ReadUInt16BigEndian(arp[6..]);
        if (BinaryPrimitives.ReadUInt16BigEndian(arp) != 1 || BinaryPrimitives.ReadUInt16BigEndian(arp[2..]) != 0x0800 || arp[4] != 6 || arp[5] != 4
            || operation is not (1 or 2))
        {
            return false;
        }

        sender = BinaryPrimitives.ReadUInt32BigEndian(arp[14..]);
        if (sender == 0 || sender == local || (operation == 2 && BinaryPrimitives.ReadUInt32BigEndian(arp[24..]) != local))
        {
            return false;
        }

        mac = string.Join(':', arp.Slice(8, 6).ToArray().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        return true;
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[2048];
        while (!_shutdown.IsCancellationRequested)
        {
            int received;
            try
            {
                received = await _wire.ReceiveAsync(buffer, _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.NetworkDown or SocketError.Interrupted)
            {
                // The interface went down under us: the sweep's sends fail too and say so.
                return;
            }

            if (Volatile.Read(ref _targets) is { } targets && TryReadSender(buffer.AsSpan(0, received), _local, out uint sender, out string mac)
                && targets.Contains(sender))
            {
                IPAddress address = TargetRange.FromUInt32(sender);
                if (_answered.TryAdd(address, mac))
                {
                    _answers.Writer.TryWrite(new ArpAnswer(address, mac));
                }
            }
        }
    }

    /// <summary>
    /// At most <c>rate</c> frames a second on average: a frame's slot is 1/rate after the previous one's. A sleep is
    /// taken only when <see cref="Slack"/> ahead (timers are coarse), and a late wake-up may be caught up by at most
    /// <see cref="Credit"/> worth of frames at once; idle time (a retry's due time) is not saved up beyond that.
    /// </summary>
    private sealed class FramePace(int rate, TimeProvider time)
    {
        private static readonly TimeSpan Slack = TimeSpan.FromMilliseconds(2);
        private static readonly TimeSpan Credit = TimeSpan.FromMilliseconds(10);
        private readonly TimeSpan _slot = TimeSpan.FromSeconds(1.0 / rate);
        private readonly long _origin = time.GetTimestamp();
        private TimeSpan _next;

        public async ValueTask NextAsync(CancellationToken cancellationToken)
        {
            TimeSpan now = time.GetElapsedTime(_origin);
            if (_next < now - Credit)
            {
                _next = now - Credit;
            }

            TimeSpan ahead = _next - now;
            _next += _slot;
            if (ahead >= Slack)
            {
                await Task.Delay(ahead, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static short NetworkOrder(ushort value) => IPAddress.HostToNetworkOrder(unchecked((short)value));

    public async ValueTask DisposeAsync()
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _wire.Dispose();
        await _receiveLoop.ConfigureAwait(false);
        _answers.Writer.TryComplete();
        _shutdown.Dispose();
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private static void LogUnavailable(ILogger logger, string device, SocketError error)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(4131, nameof(LogUnavailable)),
                "No ARP sweep on {Device} ({Error}: the service needs CAP_NET_RAW and AF_PACKET); addresses there are resolved by the kernel, paced by the neighbour table",
                device, error);
        }
    }

    private static void LogUnsupported(ILogger logger, string device, string reason)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, new EventId(4132, nameof(LogUnsupported)),
                "No ARP sweep on {Device} ({Reason}); addresses there are resolved by the kernel, paced by the neighbour table", device, reason);
        }
    }

    private static void LogNotEthernet(ILogger logger, string device)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            logger.Log(LogLevel.Debug, new EventId(4133, nameof(LogNotEthernet)),
                "No ARP sweep on {Device}: not an Ethernet interface with an IPv4 address", device);
        }
    }

    private void LogSendFailed(string device, SocketError error)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(4134, nameof(LogSendFailed)),
                "ARP sweep on {Device} stopped: the interface refused a frame ({Error}); the addresses that did not answer are probed through the kernel",
                device, error);
        }
    }

    private void LogSwept(string device, int targets, long requests, int replies, double elapsedMs)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Log(LogLevel.Debug, new EventId(4135, nameof(LogSwept)),
                "ARP sweep on {Device}: {Targets} addresses, {Requests} requests, {Replies} answered, {ElapsedMs:F0} ms",
                device, targets, requests, replies, elapsedMs);
        }
    }
}

/// <summary>Where an ARP sweep's frames go and come from: whole Ethernet frames, one at a time.</summary>
internal interface IFrameLink : IDisposable
{
    /// <summary>Queues one frame; throws <see cref="SocketException"/> when the interface refuses it.</summary>
    void Send(ReadOnlySpan<byte> frame);

    ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Bytes received by the kernel and not read yet (0: nothing waits).</summary>
    int QueuedBytes { get; }
}

/// <summary>A packet socket bound to one interface and one EtherType.</summary>
internal sealed class PacketSocketLink(Socket socket) : IFrameLink
{
    public void Send(ReadOnlySpan<byte> frame) => socket.Send(frame);

    public ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);

    public int QueuedBytes
    {
        get
        {
            try
            {
                return socket.Available;
            }
            catch (SocketException)
            {
                return 0; // FIONREAD refused: nothing to wait for, time decides as before
            }
        }
    }

    public void Dispose() => socket.Dispose();
}
