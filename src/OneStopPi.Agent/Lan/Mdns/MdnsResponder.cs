using System.Net;
using System.Net.Sockets;
using Makaretu.Dns;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OneStopPi.Agent.Lan.Mdns;

/// <summary>
/// Our own small multicast DNS responder (RFC 6762, DNS-SD per RFC 6763; docs/lan-discovery.md says why
/// not Makaretu.Dns.Multicast): one IPv4 socket on 5353 joined to 224.0.0.251 on every interface, one
/// receive loop. Announces <c>_onestop._tcp</c> and <c>onestop-XXXX.local</c> on start (twice, §8.3),
/// answers queries on the interface they came from, sends goodbyes (TTL 0) on stop.
/// </summary>
public sealed partial class MdnsResponder : BackgroundService
{
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");
    private static readonly IPEndPoint GroupEndPoint = new(Group, Port);

    private readonly LanSettings _settings;
    private readonly LanStatusService _status;
    private readonly TimeProvider _time;
    private readonly ILogger<MdnsResponder> _logger;
    private readonly TaskCompletionSource _announced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IReadOnlyList<LanInterface> _interfaces = [];
    private long _malformed;
    private readonly LanName _name;
    private readonly MdnsClaims _claims = new();

    public MdnsResponder(LanSettings settings, LanStatusService status, LanName name, TimeProvider time, ILogger<MdnsResponder> logger)
    {
        _settings = settings;
        _status = status;
        _time = time;
        _logger = logger;
        _name = name;
    }

    /// <summary>The name in use: onestop-XXXX, or onestop-XXXX-N after a conflict on the link.</summary>
    public string Name => _name.Instance;

    /// <summary>Completes after the first announcement.</summary>
    public Task Announced => _announced.Task;

    /// <summary>Datagrams on 5353 that were not a DNS message.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    public MdnsZone Zone() => new(Name, _settings.HttpPort,
        ["txtvers=1", $"id={_status.AgentId?.ToString() ?? ""}", $"hw={_status.Identity.HardwareId}", $"version={_status.Version}"]);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Other mDNS stacks (avahi) share the port: SO_REUSEADDR before bind (§15.1).
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255); // §11
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.IpTimeToLive, 255);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, Port));
            _interfaces = Join(socket);
        }
        catch (SocketException e)
        {
            LogStartFailed(e, e.SocketErrorCode);
            socket.Dispose();
            _announced.TrySetException(e);
            return;
        }

        using (socket)
        {
            Task receiving = ReceiveLoopAsync(socket, stoppingToken);
            try
            {
                await ProbeAsync(socket, stoppingToken).ConfigureAwait(false);

                // §8.3: at least two announcements, one second apart.
                await AnnounceAsync(socket, goodbye: false, stoppingToken).ConfigureAwait(false);
                LogAnnounced(Zone().Host.ToString(), _settings.HttpPort, _interfaces.Count);
                _announced.TrySetResult();
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken).ConfigureAwait(false);
                await AnnounceAsync(socket, goodbye: false, stoppingToken).ConfigureAwait(false);
                await receiving.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Stopping: goodbyes below.
            }

            // §10.1: goodbye packets, so browsers drop us now rather than when the TTL runs out.
            await AnnounceAsync(socket, goodbye: true, CancellationToken.None).ConfigureAwait(false);
            LogGoodbye();
        }
    }

    private async Task ReceiveLoopAsync(Socket socket, CancellationToken stoppingToken)
    {
        byte[] buffer = new byte[9000]; // §17: up to the interface MTU; jumbo frames allowed
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(buffer, SocketFlags.None, any, stoppingToken).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionReset or SocketError.MessageSize)
            {
                continue;
            }

            var source = (IPEndPoint)received.RemoteEndPoint;
            Message? query = TryParse(buffer.AsSpan(0, received.ReceivedBytes));
            if (query is { IsResponse: true } && _claims.Record(query))
            {
                continue; // §9: while probing, every name someone else answers for is taken
            }

            if (query is null || !query.IsQuery || query.Opcode != MessageOperation.Query || query.Questions.Count == 0 || _claims.IsOpen)
            {
                // While probing the names are not ours yet (our own looped-back probes included): no answers.
                continue;
            }

            bool legacy = source.Port != Port;
            LanInterface? arrival = _interfaces.FirstOrDefault(i => i.Index == received.PacketInformation.Interface);
            IReadOnlyList<IPAddress> addresses = arrival is null ? [.. _interfaces.Select(i => i.Address)] : [arrival.Address];
            Message? response = Zone().Answer(query, addresses, legacy);
            if (response is null)
            {
                continue;
            }

            bool unicast = legacy || query.Questions.Any(q => ((ushort)q.Class & 0x8000) != 0);
            await SendAsync(socket, response, unicast ? source : GroupEndPoint, arrival, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// §8.1: three probes 250 ms apart for the host and instance names (QU questions, our records in the
    /// authority section), then 250 ms more. An answer from someone else for either name, read at any time
    /// since the socket was bound, is a conflict: try onestop-XXXX-2, -3, ... (§9). Simultaneous-probe
    /// tie-breaking (§8.2) is not implemented.
    /// </summary>
    private async Task ProbeAsync(Socket socket, CancellationToken cancellationToken)
    {
        string original = _status.Identity.InstanceName;
        for (int attempt = 1; attempt <= 20; attempt++)
        {
            if (await ProbeNameAsync(socket, Zone(), cancellationToken).ConfigureAwait(false))
            {
                _claims.Close();
                return;
            }

            string taken = Name;
            _name.Rename($"{original}-{attempt + 1}");
            LogConflict(taken, Name);
        }

        _claims.Close(); // 20 names taken: keep the last rather than stay silent on the link
    }

    /// <summary>True when nobody answered for the zone's names during its three probes.</summary>
    private async Task<bool> ProbeNameAsync(Socket socket, MdnsZone zone, CancellationToken cancellationToken)
    {
        for (int i = 0; i < 3; i++)
        {
            Task recorded = _claims.NextRecordAsync();
            if (_claims.IsTaken(zone))
            {
                return false;
            }

            foreach (LanInterface nic in _interfaces)
            {
                await SendAsync(socket, zone.Probe([nic.Address]), GroupEndPoint, nic, cancellationToken).ConfigureAwait(false);
            }

            Task interval = Task.Delay(TimeSpan.FromMilliseconds(250), _time, cancellationToken);
            while (await Task.WhenAny(recorded, interval).ConfigureAwait(false) == recorded)
            {
                recorded = _claims.NextRecordAsync();
                if (_claims.IsTaken(zone))
                {
                    return false;
                }
            }

            await interval.ConfigureAwait(false); // throws when stopping
        }

        return !_claims.IsTaken(zone);
    }

    private Message? TryParse(ReadOnlySpan<byte> datagram)
    {
        try
        {
            var message = new Message();
            message.Read(datagram.ToArray(), 0, datagram.Length);
            return message;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or ArgumentException or IndexOutOfRangeException
            or OverflowException or NotSupportedException or FormatException or InvalidCastException)
        {
            // Untrusted datagram that Makaretu.Dns cannot read (it has no Try form): counted, ignored.
            Interlocked.Increment(ref _malformed);
            return null;
        }
    }

    private async Task AnnounceAsync(Socket socket, bool goodbye, CancellationToken cancellationToken)
    {
        foreach (LanInterface nic in _interfaces)
        {
            await SendAsync(socket, Zone().Announcement([nic.Address], goodbye), GroupEndPoint, nic, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(Socket socket, Message message, IPEndPoint destination, LanInterface? through, CancellationToken cancellationToken)
    {
        try
        {
            if (through is not null && destination.Address.Equals(Group))
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, IPAddress.HostToNetworkOrder(through.Index));
            }

            await socket.SendToAsync(message.ToByteArray(), SocketFlags.None, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            LogSendFailed(destination, through?.Name, e.SocketErrorCode);
        }
    }

    /// <summary>Joins 224.0.0.251 on each IPv4 interface that supports multicast (not loopback).</summary>
    private List<LanInterface> Join(Socket socket)
    {
        var joined = new List<LanInterface>();
        IPAddress? bind = _settings.BindAddress is null ? null : _settings.ListenAddress();
        foreach (LanInterface nic in LanInterface.Enumerate().DistinctBy(i => i.Index))
        {
            if (bind is not null && !nic.Address.Equals(bind))
            {
                continue;
            }

            try
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, nic.Index));
                joined.Add(nic);
            }
            catch (SocketException e)
            {
                LogJoinFailed(nic.Name, e.SocketErrorCode);
            }
        }

        return joined;
    }

    // Log methods written out rather than [LoggerMessage]: all messages share one state type, so the
    // logging code is compiled once in the AOT image, not once per message (docs/benchmarks.md, "Fifth pass").
    private void LogAnnounced(string host, int port, int interfaces)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(7301, nameof(LogAnnounced)),
                "mDNS: announced {Host} (_onestop._tcp port {Port}) on {Interfaces} interface(s)", host, port, interfaces);
        }
    }

    private void LogStartFailed(Exception exception, SocketError error)
    {
        if (_logger.IsEnabled(LogLevel.Error))
        {
            _logger.Log(LogLevel.Error, new EventId(7302, nameof(LogStartFailed)), exception,
                "mDNS: cannot listen on UDP 5353 ({Error}); the box is not advertised by mDNS", error);
        }
    }

    private void LogJoinFailed(string @interface, SocketError error)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(7303, nameof(LogJoinFailed)),
                "mDNS: cannot join 224.0.0.251 on {Interface} ({Error})", @interface, error);
        }
    }

    private void LogSendFailed(IPEndPoint destination, string? @interface, SocketError error)
    {
        if (_logger.IsEnabled(LogLevel.Debug))
        {
            _logger.Log(LogLevel.Debug, new EventId(7304, nameof(LogSendFailed)),
                "mDNS: send to {Destination} via {Interface} failed ({Error})", destination, @interface, error);
        }
    }

    private void LogConflict(string taken, string next)
    {
        if (_logger.IsEnabled(LogLevel.Warning))
        {
            _logger.Log(LogLevel.Warning, new EventId(7306, nameof(LogConflict)),
                "mDNS: {Taken} is already in use on the link; trying {Next}", taken, next);
        }
    }

    private void LogGoodbye()
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.Log(LogLevel.Information, new EventId(7305, nameof(LogGoodbye)),
                "mDNS: goodbye sent");
        }
    }
}
