using System.Net;
using System.Net.Sockets;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Text;

namespace OneStopPi.Collection.Tests.Support;

/// <summary>
/// A tiny in-process SNMPv1/v2c agent for behaviour snmpsim cannot show: it answers GET, GETNEXT
/// and GETBULK from a sorted list of varbinds, and <see cref="Rewrite"/> can bend any answer (OIDs
/// that go backwards, endless tables, silence after N requests, huge values).
/// </summary>
internal sealed class FakeAgent : IAsyncDisposable
{
    private readonly UdpClient _socket;
    private readonly SortedDictionary<ObjectIdentifier, SnmpValue> _data = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public FakeAgent(IPAddress address, IEnumerable<Varbind> data)
    {
        foreach (Varbind varbind in data)
        {
            _data[varbind.Oid] = varbind.Value;
        }

        _socket = new UdpClient(new IPEndPoint(address, 0));
        EndPoint = (IPEndPoint)_socket.Client.LocalEndPoint!;
        _loop = Task.Run(LoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Given the request number (1-based), the request and the honest answer, returns the answer to send, or null for silence.</summary>
    public Func<int, Pdu, IReadOnlyList<Varbind>, IReadOnlyList<Varbind>?>? Rewrite { get; init; }

    /// <summary>
    /// Given the request and the answer about to be sent, an error-status and error-index to send instead
    /// (with the request's varbinds, as an SNMPv1 agent does), or null to send the answer.
    /// </summary>
    public Func<Pdu, IReadOnlyList<Varbind>, (SnmpErrorStatus Status, int Index)?>? Error { get; init; }

    public static IEnumerable<Varbind> ParseSnmprec(params string[] lines)
    {
        foreach (string line in lines)
        {
            if (!SnmprecFormat.TryParseRecord(line, out Varbind varbind, out string? error))
            {
                throw new ArgumentException($"bad record '{line}': {error}");
            }

            yield return varbind;
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
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult received = await _socket.ReceiveAsync(_stop.Token).ConfigureAwait(false);
            CommunityMessage request;
            try
            {
                request = CommunityMessage.Decode(received.Buffer);
            }
            catch (SnmpDecodeException)
            {
                continue;
            }

            int number = Interlocked.Increment(ref _requests);
            IReadOnlyList<Varbind> honest = Answer(request.Pdu);
            IReadOnlyList<Varbind>? answer = Rewrite is null ? honest : Rewrite(number, request.Pdu, honest);
            if (answer is null)
            {
                continue;
            }

            Pdu response = Error?.Invoke(request.Pdu, answer) is { } error
                ? Pdu.Response(request.Pdu.RequestId, error.Status, error.Index, request.Pdu.Varbinds)
                : Pdu.Response(request.Pdu.RequestId, SnmpErrorStatus.NoError, 0, answer);
            byte[] bytes = new CommunityMessage(request.Version, request.Community, response).Encode();
            await _socket.SendAsync(bytes, received.RemoteEndPoint, _stop.Token).ConfigureAwait(false);
        }
    }

    private List<Varbind> Answer(Pdu pdu)
    {
        var answer = new List<Varbind>();
        switch (pdu.Type)
        {
            case PduType.GetRequest:
                answer.AddRange(pdu.Varbinds.Select(v => new Varbind(v.Oid, _data.TryGetValue(v.Oid, out SnmpValue value) ? value : SnmpValue.NoSuchObject)));
                break;
            case PduType.GetNextRequest:
                answer.AddRange(pdu.Varbinds.Select(v => Next(v.Oid)));
                break;
            case PduType.GetBulkRequest:
                int nonRepeaters = Math.Min(pdu.NonRepeaters, pdu.Varbinds.Count);
                answer.AddRange(pdu.Varbinds.Take(nonRepeaters).Select(v => Next(v.Oid)));
                ObjectIdentifier[] cursors = [.. pdu.Varbinds.Skip(nonRepeaters).Select(v => v.Oid)];
                for (int r = 0; r < pdu.MaxRepetitions && cursors.Length > 0; r++)
                {
                    for (int c = 0; c < cursors.Length; c++)
                    {
                        Varbind next = Next(cursors[c]);
                        answer.Add(next);
                        cursors[c] = next.Oid;
                    }
                }

                break;
        }

        return answer;
    }

    private Varbind Next(ObjectIdentifier oid)
    {
        foreach ((ObjectIdentifier key, SnmpValue value) in _data)
        {
            if (key > oid)
            {
                return new Varbind(key, value);
            }
        }

        return new Varbind(oid, SnmpValue.EndOfMibView);
    }
}
