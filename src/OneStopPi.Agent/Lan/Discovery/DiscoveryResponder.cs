using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OneStopPi.Agent.Portal;

namespace OneStopPi.Agent.Lan.Discovery;

/// <summary>
/// Answers discovery probes on UDP 23999 (docs/lan-discovery.md): one socket, one receive loop.
/// Only a well-formed probe from an unprivileged port, within the per-source and overall rates,
/// gets a reply, which is smaller than the probe; everything else is dropped silently and counted.
/// </summary>
public sealed partial class DiscoveryResponder : BackgroundService
{
    private readonly LanSettings _settings;
    private readonly LanStatusService _status;
    private readonly PortalLink _link;
    private readonly DiscoveryCounters _counters;
    private readonly ReplyRateLimiter _limiter;
    private readonly ILogger<DiscoveryResponder> _logger;
    private readonly TaskCompletionSource<IPEndPoint> _bound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public DiscoveryResponder(LanSettings settings, LanStatusService status, PortalLink link, DiscoveryCounters counters, ReplyRates rates,
        TimeProvider time, ILogger<DiscoveryResponder> logger)
    {
        _settings = settings;
        _status = status;
        _link = link;
        _counters = counters;
        _limiter = new ReplyRateLimiter(rates, time);
        _logger = logger;
    }

    /// <summary>Completes with the bound end point once the socket listens (tests bind port 0).</summary>
    public Task<IPEndPoint> Bound => _bound.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
        try
        {
            socket.Bind(new IPEndPoint(_settings.ListenAddress(), _settings.DiscoveryPort));
        }
        catch (SocketException e)
        {
            // The rest of the agent keeps working; the box is just not discoverable this way.
            LogBindFailed(e, _settings.DiscoveryPort, e.SocketErrorCode);
            _bound.TrySetException(e);
            return;
        }

        var local = (IPEndPoint)socket.LocalEndPoint!;
        _bound.TrySetResult(local);
        LogListening(local);
        byte[] receive = new byte[2048];
        byte[] send = new byte[DiscoveryProtocol.MaxReplyLength];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                // The message form gives IP_PKTINFO: the interface and address the probe arrived on.
                received = await socket.ReceiveMessageFromAsync(receive, SocketFlags.None, any, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                // ICMP port unreachable from an earlier reply, or an oversized datagram: not a probe.
                _counters.CountMalformed();
                continue;
            }

            var source = (IPEndPoint)received.RemoteEndPoint;
            int length = Answer(receive.AsSpan(0, received.ReceivedBytes), source, received.PacketInformation, send);
            if (length == 0)
            {
                continue;
            }

            try
            {
                await socket.SendToAsync(send.AsMemory(0, length), SocketFlags.None, source, stoppingToken).ConfigureAwait(false);
                _counters.CountAnswered();
            }
            catch (SocketException e)
            {
                LogSendFailed(source, e.SocketErrorCode);
            }
        }
    }

    /// <summary>The reply to send to <paramref name="source"/>, as its length in <paramref name="send"/>; 0 for none.</summary>
    private int Answer(ReadOnlySpan<byte> datagram, IPEndPoint source, IPPacketInformation arrival, Span<byte> send)
    {
        // A privileged source port is a service (DNS, NTP, ...) someone wants us to hit: never answered.
        if (source.Port < 1024 || !DiscoveryProtocol.TryReadProbe(datagram, out ReadOnlySpan<byte> nonce))
        {
            _counters.CountMalformed();
            return 0;
        }

        _counters.CountProbe();
        if (!_limiter.TryAcquire(source.Address))
        {
            _counters.CountRateLimited();
            return 0;
        }

        (IPAddress address, string? mac) = LocalAddressFor(arrival);
        var reply = new DiscoveryReply(nonce.ToArray(), _status.Enrolled, _link.Plan?.Assigned ?? false, _settings.HttpPort, address, mac,
            _status.AgentId?.ToString() ?? "", _status.Identity.HardwareId, _status.Version, Environment.MachineName, _status.Name.HostName);
        int length = DiscoveryProtocol.WriteReply(send, reply);
        return length <= datagram.Length ? length : 0; // by construction (MaxReplyLength < ProbeLength); kept as the rule itself
    }

    /// <summary>The box's address and MAC on the interface the probe came in on.</summary>
    private (IPAddress, string?) LocalAddressFor(IPPacketInformation arrival)
    {
        IReadOnlyList<LanInterface> interfaces = LanInterface.Enumerate(includeLoopback: true);
        LanInterface? byAddress = interfaces.FirstOrDefault(i => i.Address.Equals(arrival.Address));
        LanInterface? byIndex = interfaces.FirstOrDefault(i => i.Index == arrival.Interface);
        LanInterface? chosen = byAddress ?? byIndex;
        return chosen is null ? (arrival.Address, _status.Identity.Mac) : (chosen.Address, chosen.Mac ?? _status.Identity.Mac);
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogListening(IPEndPoint endPoint)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(7101, nameof(LogListening)),
                "LAN discovery: answering probes on UDP {EndPoint}", endPoint);
        }
    }

    private void LogBindFailed(Exception exception, int port, SocketError error)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(7102, nameof(LogBindFailed)), exception,
                "LAN discovery: cannot listen on UDP port {Port} ({Error}); the box will not answer discovery probes", port, error);
        }
    }

    private void LogSendFailed(IPEndPoint source, SocketError error)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Log(LogLevel.Debug, new EventId(7103, nameof(LogSendFailed)),
                "LAN discovery: reply to {Source} not sent ({Error})", source, error);
        }
    }
}
