using System.Net;
using Microsoft.Extensions.Logging;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The sweep's two liveness sockets: ICMP echo (<see cref="IcmpSweeper"/>) and one prepared SNMP datagram per
/// credential (<see cref="UdpSweepSocket"/>), one of each per address, whatever the number of addresses.
/// </summary>
internal sealed class LivenessSockets : ILivenessWire, IAsyncDisposable
{
    private readonly IcmpSweeper _icmp;
    private readonly UdpSweepSocket _udp;
    private readonly CredentialPlan _credentials;
    private readonly Func<IPAddress, int?>? _preferred;
    private readonly byte[]?[] _datagrams;
    private readonly int _requestId = Random.Shared.Next(1, int.MaxValue);
    private readonly ChangeSignal _changed = new();

    /// <param name="snmpAnswered">Called on a receive loop the first time each address answers on the SNMP port (keep it short).</param>
    public LivenessSockets(DiscoveryOptions options, CredentialPlan credentials, Action<IPAddress> snmpAnswered, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _credentials = credentials;
        _preferred = options.PreferredCredential;
        _datagrams = new byte[credentials.Count][];
        _icmp = IcmpSweeper.Open(options.SendBufferSize, time, logger, options.Icmp);
        _icmp.Heard = _changed.Pulse;
        _udp = new UdpSweepSocket(options.Port, options.SendBufferSize, time, address =>
        {
            snmpAnswered(address);
            _changed.Pulse();
        });
        _icmp.WatchUdpRefusals(_udp.LocalPort, options.Port);
    }

    public IcmpMode Icmp => _icmp.Mode;

    public bool AnswersQueued => _udp.QueuedBytes > 0 || _icmp.QueuedBytes > 0;

    public Task Changed => _changed.Next;

    /// <summary>
    /// How many addresses may wait behind unresolved neighbours before our send queues overflow: one SNMP datagram
    /// and one echo each. The UDP socket's effective buffer holds about one small datagram per KiB (≈ 820 bytes each,
    /// measured), the raw socket twice its buffer.
    /// </summary>
    public int QueueLimit => Math.Max(NeighbourPacer.MinimumBudget, Math.Min(
        _udp.SendBufferBytes / 1024,
        _icmp.Mode == IcmpMode.Unavailable ? int.MaxValue : _icmp.SendBufferBytes * 2 / 1280));

    public long SnmpDatagramsSent => _udp.Sent;

    public long EchoesSent => _icmp.EchoesSent;

    public long SendRetries => _udp.SendRetries + _icmp.SendRetries;

    public long SendsRefused => _udp.SendsRefused + _icmp.SendsRefused;

    public bool SnmpAnswered(IPAddress address) => _udp.HasAnswered(address);

    public bool SnmpRefused(IPAddress address) => _icmp.HasRefusedUdp(address);

    public bool EchoReplied(IPAddress address) => _icmp.HasReplied(address);

    public ValueTask SendEchoAsync(IPAddress address, CancellationToken cancellationToken) => _icmp.SendEchoAsync(address, cancellationToken);

    public ValueTask SendSnmpAsync(IPAddress address, CancellationToken cancellationToken)
    {
        int index = _credentials.First(_preferred?.Invoke(address));
        byte[] datagram = _datagrams[index] ??= LivenessProbe.Encode(_credentials[index], _requestId, ProbeAnswers.Oids);
        return _udp.SendAsync(address, datagram, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _udp.DisposeAsync().ConfigureAwait(false);
        await _icmp.DisposeAsync().ConfigureAwait(false);
    }
}
