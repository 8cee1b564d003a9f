using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Transport;

namespace OneStopPi.Snmp.Tests.Transport;

/// <summary>
/// A tiny SNMPv1/v2c agent on a loopback address (127.0.91.x for these tests), built on the
/// library's own codec. By default it serves <see cref="Data"/> like a well-behaved agent
/// (GET, GETNEXT, GETBULK per RFC 3416 4.2; SNMPv1 noSuchName per RFC 1157 4.1.2). Tests bend it
/// with <see cref="MaxGetVarbinds"/>, <see cref="MaxRepetitionsAllowed"/> and <see cref="Override"/>.
/// </summary>
internal sealed class TestResponder : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _received;

    private TestResponder(IPEndPoint bind)
    {
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20, SendBufferSize = 4 << 20 };
        _socket.Bind(bind);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(ReceiveLoopAsync);
    }

    /// <summary>Starts a responder on <paramref name="address"/> (port 0: any free port).</summary>
    public static TestResponder Start(string address, int port = 0) => new(new IPEndPoint(IPAddress.Parse(address), port));

    public IPEndPoint EndPoint { get; }

    /// <summary>The objects served, in OID order.</summary>
    public SortedDictionary<ObjectIdentifier, SnmpValue> Data { get; } = [];

    public string Community { get; set; } = "public";

    /// <summary>A GET/GETNEXT with more varbinds than this is answered tooBig.</summary>
    public int MaxGetVarbinds { get; set; } = int.MaxValue;

    /// <summary>A GETBULK asking for more repetitions than this is answered tooBig.</summary>
    public int MaxRepetitionsAllowed { get; set; } = int.MaxValue;

    /// <summary>
    /// Replaces the agent: given the request and its sender, returns the datagrams to send back
    /// (empty: stay silent), or null to answer as the agent would.
    /// </summary>
    public Func<CommunityMessage, IPEndPoint, IReadOnlyList<byte[]>?>? Override { get; set; }

    /// <summary>Every request decoded, in arrival order.</summary>
    public ConcurrentQueue<Pdu> Requests { get; } = new();

    public int RequestsReceived => Volatile.Read(ref _received);

    /// <summary>The system group, where <see cref="AddSystemAndInterfaces"/> puts "system 1".."system 7".</summary>
    public static ObjectIdentifier SystemGroup { get; } = "1.3.6.1.2.1.1";

    /// <summary>The interfaces group, where <see cref="AddSystemAndInterfaces"/> puts the ifInOctets column.</summary>
    public static ObjectIdentifier InterfacesGroup { get; } = "1.3.6.1.2.1.2";

    public void Add(ObjectIdentifier oid, SnmpValue value) => Data[oid] = value;

    /// <summary>
    /// The objects the request tests read: sysDescr..sysServices as "system 1".."system 7", and
    /// ifInOctets.1..<paramref name="interfaces"/> as Counter32 1..N (a column long enough to split).
    /// </summary>
    public void AddSystemAndInterfaces(int interfaces)
    {
        for (uint i = 1; i <= 7; i++)
        {
            Add(SystemGroup.Append(i, 0), SnmpValue.OctetString($"system {i}"));
        }

        for (uint i = 1; i <= interfaces; i++)
        {
            Add(InterfacesGroup.Append(2, 1, 10, i), SnmpValue.Counter32(i));
        }
    }

    /// <summary>This agent with its community: one attempt, with a timeout far beyond a loopback answer.</summary>
    public SnmpTarget Target(SnmpVersion version = SnmpVersion.V2c) =>
        new(EndPoint, new CommunityCredentials(version, Community)) { Timeout = TimeSpan.FromSeconds(2), Retries = 0 };

    /// <summary>Sends a datagram from this responder's socket (e.g. garbage, or a late answer).</summary>
    public void SendTo(byte[] datagram, IPEndPoint to) => _socket.SendTo(datagram, to);

    /// <summary>Waits until at least <paramref name="count"/> requests arrived.</summary>
    public async Task WaitForRequestsAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (RequestsReceived < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{RequestsReceived} of {count} requests arrived.");
            }

            await Task.Delay(2).ConfigureAwait(false);
        }
    }

    /// <summary>The agent's answer to a request, encoded.</summary>
    public byte[] Answer(CommunityMessage request) =>
        new CommunityMessage(request.Version, request.Community, AnswerPdu(request.Version, request.Pdu)).Encode();

    /// <summary>A Response to <paramref name="request"/> with another request-id (a stray).</summary>
    public static byte[] ResponseWithId(CommunityMessage request, int requestId, IReadOnlyList<Varbind> varbinds) =>
        new CommunityMessage(request.Version, request.Community, Pdu.Response(requestId, SnmpErrorStatus.NoError, 0, varbinds)).Encode();

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(EndPoint.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0), _stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }

                continue;
            }

            var from = (IPEndPoint)received.RemoteEndPoint;
            CommunityMessage request;
            try
            {
                request = CommunityMessage.Decode(buffer.AsSpan(0, received.ReceivedBytes));
            }
            catch (SnmpDecodeException)
            {
                continue;
            }

            Requests.Enqueue(request.Pdu);
            Interlocked.Increment(ref _received);
            IReadOnlyList<byte[]>? replies = Override?.Invoke(request, from);
            if (replies is null)
            {
                if (!request.Community.Span.SequenceEqual(Encoding.UTF8.GetBytes(Community)))
                {
                    continue; // RFC 3584 4.1: a wrong community gets no answer
                }

                replies = [Answer(request)];
            }

            foreach (byte[] reply in replies)
            {
                try
                {
                    _socket.SendTo(reply, from);
                }
                catch (SocketException)
                {
                }
            }
        }
    }

    private Pdu AnswerPdu(SnmpVersion version, Pdu request)
    {
        bool v1 = version == SnmpVersion.V1;
        IReadOnlyList<Varbind> asked = request.Varbinds;
        switch (request.Type)
        {
            case PduType.GetRequest:
            case PduType.GetNextRequest:
                if (asked.Count > MaxGetVarbinds)
                {
                    return TooBig(request, v1);
                }

                var answers = new List<Varbind>(asked.Count);
                for (int i = 0; i < asked.Count; i++)
                {
                    Varbind? found = request.Type == PduType.GetRequest ? Get(asked[i].Oid) : Next(asked[i].Oid);
                    if (found is null && v1)
                    {
                        // RFC 1157 4.1.2: the whole request fails; error-index names the varbind.
                        return Pdu.Response(request.RequestId, SnmpErrorStatus.NoSuchName, i + 1, asked);
                    }

                    answers.Add(found ?? new Varbind(asked[i].Oid, request.Type == PduType.GetRequest ? SnmpValue.NoSuchObject : SnmpValue.EndOfMibView));
                }

                return Pdu.Response(request.RequestId, SnmpErrorStatus.NoError, 0, answers);

            case PduType.GetBulkRequest:
                if (request.MaxRepetitions > MaxRepetitionsAllowed)
                {
                    return TooBig(request, v1);
                }

                var bulk = new List<Varbind>();
                int nonRepeaters = Math.Min(request.NonRepeaters, asked.Count);
                for (int i = 0; i < nonRepeaters; i++)
                {
                    bulk.Add(Next(asked[i].Oid) ?? new Varbind(asked[i].Oid, SnmpValue.EndOfMibView));
                }

                ObjectIdentifier[] last = [.. asked.Skip(nonRepeaters).Select(v => v.Oid)];
                for (int r = 0; r < request.MaxRepetitions && last.Length > 0; r++)
                {
                    bool allEnded = true;
                    for (int j = 0; j < last.Length; j++)
                    {
                        Varbind next = Next(last[j]) ?? new Varbind(last[j], SnmpValue.EndOfMibView);
                        allEnded &= next.Value.IsException;
                        bulk.Add(next);
                        last[j] = next.Oid;
                    }

                    if (allEnded)
                    {
                        break;
                    }
                }

                return Pdu.Response(request.RequestId, SnmpErrorStatus.NoError, 0, bulk);

            default:
                return Pdu.Response(request.RequestId, SnmpErrorStatus.GenErr, 0, asked);
        }
    }

    private static Pdu TooBig(Pdu request, bool v1) =>
        Pdu.Response(request.RequestId, SnmpErrorStatus.TooBig, 0, v1 ? request.Varbinds : []);

    private Varbind? Get(ObjectIdentifier oid)
    {
        lock (Data)
        {
            return Data.TryGetValue(oid, out SnmpValue value) ? new Varbind(oid, value) : null;
        }
    }

    private Varbind? Next(ObjectIdentifier oid)
    {
        lock (Data)
        {
            foreach (KeyValuePair<ObjectIdentifier, SnmpValue> entry in Data)
            {
                if (entry.Key > oid)
                {
                    return new Varbind(entry.Key, entry.Value);
                }
            }

            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
