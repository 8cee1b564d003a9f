using System.Text;
using OneStopPi.Snmp;
using OneStopPi.Snmp.Messages;
using OneStopPi.Snmp.Pdus;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Simulator;

/// <summary>
/// What a simulated device answers to one datagram: the command responder (RFC 3413 3.2) over a recording,
/// with snmpsim 0.4.5 as the reference for what is served:
/// <list type="bullet">
/// <item>GET: the recorded value, or noSuchInstance for an OID not in the recording (snmpsim never says noSuchObject).</item>
/// <item>GETNEXT: the first record after the OID, or endOfMibView.</item>
/// <item>GETBULK (RFC 3416 4.2.3): non-repeaters then max-repetitions repetitions, past the end repeating
/// endOfMibView as snmpsim does, cut to the size limit (v3: the request's msgMaxSize; else 65507); tooBig when
/// not even one varbind fits.</item>
/// <item>SNMPv1 (RFC 3584 4.1.2.1, 4.4): GETNEXT skips Counter64 records; a GET of one, of an absent OID, or a GETNEXT
/// past the end answers noSuchName with the request's varbinds; GETBULK is not answered (as snmpsim).</item>
/// <item>A GET or GETNEXT answer that does not fit the size limit is tooBig with no varbinds (RFC 3416 4.2.1).</item>
/// <item>Anything that is not a read request (SET, responses, traps, reports, unknown PDUs) and anything that does
/// not decode is ignored: no answer, counted. (snmpsim answers a SET with noSuchInstance values; a read-only
/// simulator has nothing to say to it.) v1/v2c requests with another community than the configured one, and v3
/// requests for a context other than the default "" or another contextEngineID, are dropped too (snmpsim and
/// net-snmp stay silent). A v3 request below the user's security level gets authorizationError, as net-snmp's VACM.</item>
/// </list>
/// </summary>
internal sealed class AgentLogic
{
    /// <summary>Our own limit on any message, requests and responses: the largest UDP/IPv4 payload.</summary>
    public const int LocalMaxMessageSize = 65507;

    /// <summary>RFC 3412 6.2: msgMaxSize is at least 484.</summary>
    private const int MinMessageSize = 484;

    // Room for length octets that grow as varbinds are added, and for DES padding.
    private const int CommunitySlack = 12;
    private const int V3Slack = 32;

    private readonly byte[]? _community;
    private readonly double? _pagesPerMinute;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly SimulatorCounters _counters;

    public AgentLogic(SimulatorOptions options, SimulatorCounters counters, long startTimestamp)
    {
        _community = options.Community is null ? null : Encoding.UTF8.GetBytes(options.Community);
        _pagesPerMinute = options.AdvancePagesPerMinute;
        _time = options.TimeProvider;
        _startTimestamp = startTimestamp;
        _counters = counters;
    }

    /// <summary>The answer to <paramref name="datagram"/>, or null for none. Never throws for bad input.</summary>
    public byte[]? Respond(SimulatedDevice device, ReadOnlySpan<byte> datagram)
    {
        try
        {
            if (!MessageHeader.TryPeekVersion(datagram, out SnmpVersion version))
            {
                _counters.Malformed();
                return null;
            }

            return version == SnmpVersion.V3 ? RespondV3(device, datagram) : RespondCommunity(device, datagram);
        }
        catch (SnmpDecodeException)
        {
            _counters.Malformed();
            return null;
        }
    }

    private byte[]? RespondCommunity(SimulatedDevice device, ReadOnlySpan<byte> datagram)
    {
        CommunityMessage request = CommunityMessage.Decode(datagram);
        if (_community is not null && !request.Community.Span.SequenceEqual(_community))
        {
            _counters.BadCommunity();
            return null;
        }

        if (!request.Pdu.IsRequest)
        {
            _counters.NotARequest();
            return null;
        }

        int overhead = new CommunityMessage(request.Version, request.Community, Pdu.Response(request.Pdu.RequestId, SnmpErrorStatus.NoError, 0, [])).Encode().Length;
        Pdu response = Process(device, request.Pdu, request.Version, LocalMaxMessageSize - overhead - CommunitySlack);
        byte[] answer = new CommunityMessage(request.Version, request.Community, response).Encode();
        if (answer.Length > LocalMaxMessageSize)
        {
            // Only possible if the slack was wrong; never send what the manager may not take.
            answer = new CommunityMessage(request.Version, request.Community, TooBig(request.Pdu, request.Version)).Encode();
        }

        _counters.Answered();
        return answer;
    }

    private byte[]? RespondV3(SimulatedDevice device, ReadOnlySpan<byte> datagram)
    {
        UsmAuthoritativeEngine engine = device.Engine;
        UsmInbound inbound = engine.Receive(datagram);
        switch (inbound.Status)
        {
            case UsmInboundStatus.Dropped:
                _counters.V3Dropped();
                return null;
            case UsmInboundStatus.Report:
                _counters.V3Report();
                return inbound.Report;
        }

        ScopedPdu scoped = inbound.Scoped!;
        Pdu pdu = scoped.Pdu;
        if (!pdu.IsRequest)
        {
            _counters.NotARequest();
            return null;
        }

        if (!scoped.ContextName.IsEmpty || (!scoped.ContextEngineId.IsEmpty && !scoped.ContextEngineId.Span.SequenceEqual(engine.EngineId)))
        {
            _counters.UnknownContext();
            return null;
        }

        Pdu response;
        if (inbound.Level < engine.User!.Level)
        {
            // The user's access needs its full level (net-snmp `rouser NAME authPriv`): VACM says no.
            response = Pdu.Response(pdu.RequestId, SnmpErrorStatus.AuthorizationError, 0, pdu.Varbinds);
        }
        else
        {
            int maxSize = Math.Min(LocalMaxMessageSize, Math.Max(MinMessageSize, inbound.MaxSize));
            int overhead = engine.ResponseOverhead(inbound, scoped.ContextName);
            response = Process(device, pdu, SnmpVersion.V3, maxSize - overhead - V3Slack);
        }

        byte[] answer = engine.EncodeResponse(inbound, scoped.ContextName, response);
        if (answer.Length > Math.Max(MinMessageSize, Math.Min(LocalMaxMessageSize, inbound.MaxSize)))
        {
            answer = engine.EncodeResponse(inbound, scoped.ContextName, TooBig(pdu, SnmpVersion.V3));
        }

        _counters.Answered();
        return answer;
    }

    /// <summary>
    /// The Response PDU for a read request. <paramref name="budget"/> is what the varbinds may take
    /// (encoded, with their SEQUENCE headers).
    /// </summary>
    internal Pdu Process(SimulatedDevice device, Pdu request, SnmpVersion version, int budget)
    {
        var view = new DeviceView(device, Elapsed(), _pagesPerMinute);
        return request.Type switch
        {
            PduType.GetRequest => Get(view, request, version, budget),
            PduType.GetNextRequest => GetNext(view, request, version, budget),
            _ => GetBulk(view, request, budget),
        };
    }

    private TimeSpan Elapsed() => _time.GetElapsedTime(_startTimestamp);

    private static Pdu Get(DeviceView view, Pdu request, SnmpVersion version, int budget)
    {
        IReadOnlyList<Varbind> asked = request.Varbinds;
        var answer = new Varbind[asked.Count];
        int size = 0;
        for (int i = 0; i < asked.Count; i++)
        {
            ObjectIdentifier oid = asked[i].Oid;
            int index = view.Recording.IndexOf(oid);
            SnmpValue value = index >= 0 ? view.Value(index) : SnmpValue.NoSuchInstance;
            if (version == SnmpVersion.V1 && (value.IsException || value.Type == SnmpValueType.Counter64))
            {
                return V1Error(request, SnmpErrorStatus.NoSuchName, i + 1);
            }

            answer[i] = new Varbind(oid, value);
            size += BerSize.Varbind(oid, value);
        }

        return size > budget ? TooBig(request, version) : Pdu.Response(request.RequestId, SnmpErrorStatus.NoError, 0, answer);
    }

    private static Pdu GetNext(DeviceView view, Pdu request, SnmpVersion version, int budget)
    {
        IReadOnlyList<Varbind> asked = request.Varbinds;
        var answer = new Varbind[asked.Count];
        int size = 0;
        for (int i = 0; i < asked.Count; i++)
        {
            Varbind next = view.Next(asked[i].Oid, skipForV1: version == SnmpVersion.V1);
            if (version == SnmpVersion.V1 && next.Value.IsException)
            {
                return V1Error(request, SnmpErrorStatus.NoSuchName, i + 1);
            }

            answer[i] = next;
            size += BerSize.Varbind(next.Oid, next.Value);
        }

        return size > budget ? TooBig(request, version) : Pdu.Response(request.RequestId, SnmpErrorStatus.NoError, 0, answer);
    }

    private static Pdu GetBulk(DeviceView view, Pdu request, int budget)
    {
        IReadOnlyList<Varbind> asked = request.Varbinds;
        int nonRepeaters = Math.Clamp(request.NonRepeaters, 0, asked.Count);
        int maxRepetitions = Math.Max(request.MaxRepetitions, 0);
        int repeaters = asked.Count - nonRepeaters;
        var answer = new List<Varbind>((int)Math.Min(nonRepeaters + ((long)repeaters * maxRepetitions), 256));
        int size = 0;
        bool full = false;

        for (int i = 0; i < nonRepeaters && !full; i++)
        {
            full = !TryAdd(view.Next(asked[i].Oid, skipForV1: false));
        }

        if (repeaters > 0 && !full)
        {
            var cursors = new ObjectIdentifier[repeaters];
            for (int r = 0; r < repeaters; r++)
            {
                cursors[r] = asked[nonRepeaters + r].Oid;
            }

            // RFC 3416 4.2.3 would allow stopping once a whole repetition is endOfMibView; snmpsim goes on
            // repeating endOfMibView up to max-repetitions, and so do we (net-snmp's snmpbulkwalk prints them).
            // The size limit bounds the loop whatever max-repetitions says.
            for (int repetition = 0; repetition < maxRepetitions && !full; repetition++)
            {
                for (int r = 0; r < repeaters; r++)
                {
                    Varbind next = view.Next(cursors[r], skipForV1: false);
                    if (!TryAdd(next))
                    {
                        full = true;
                        break;
                    }

                    cursors[r] = next.Oid;
                }
            }
        }

        if (answer.Count == 0 && asked.Count > 0 && (nonRepeaters > 0 || maxRepetitions > 0))
        {
            return TooBig(request, SnmpVersion.V2c);
        }

        return Pdu.Response(request.RequestId, SnmpErrorStatus.NoError, 0, answer);

        bool TryAdd(Varbind varbind)
        {
            int more = BerSize.Varbind(varbind.Oid, varbind.Value);
            if (size + more > budget)
            {
                return false;
            }

            size += more;
            answer.Add(varbind);
            return true;
        }
    }

    /// <summary>RFC 3416 4.2.1: tooBig with an empty list; RFC 1157 4.1.2: SNMPv1 echoes the request's varbinds.</summary>
    private static Pdu TooBig(Pdu request, SnmpVersion version) => version == SnmpVersion.V1
        ? Pdu.Response(request.RequestId, SnmpErrorStatus.TooBig, 0, request.Varbinds)
        : Pdu.Response(request.RequestId, SnmpErrorStatus.TooBig, 0, []);

    /// <summary>RFC 1157 4.1.2-4.1.3: the error, its 1-based index, and the request's varbinds unchanged.</summary>
    private static Pdu V1Error(Pdu request, SnmpErrorStatus status, int index) =>
        Pdu.Response(request.RequestId, status, index, request.Varbinds);

    /// <summary>A device's recording at one instant: advancing values computed for the moment of the request.</summary>
    private readonly struct DeviceView
    {
        private readonly SimulatedDevice _device;
        private readonly TimeSpan _elapsed;
        private readonly double? _pagesPerMinute;

        public DeviceView(SimulatedDevice device, TimeSpan elapsed, double? pagesPerMinute)
        {
            _device = device;
            _elapsed = elapsed;
            _pagesPerMinute = pagesPerMinute;
        }

        public Recording Recording => _device.Served.Recording;

        public SnmpValue Value(int index)
        {
            ServedRecording served = _device.Served;
            SnmpValue recorded = served.Recording.ValueAt(index);
            if (served.Kinds is not { } kinds || kinds[index] == AdvanceKind.None)
            {
                return recorded;
            }

            if (_device.Drain is { } drain && kinds[index] != AdvanceKind.Uptime)
            {
                return kinds[index] == AdvanceKind.SupplyLevel
                    ? SnmpValue.Integer32(drain.LevelAt((int)served.Weights![index], _elapsed))
                    : AdvancingCounters.AdvanceBy(recorded, Math.Floor((drain.PagesAt(_elapsed) * served.Weights![index]) + _device.Phase));
            }

            if (kinds[index] == AdvanceKind.SupplyLevel || _pagesPerMinute is not { } rate)
            {
                return kinds[index] == AdvanceKind.Uptime ? AdvancingCounters.Advance(recorded, AdvanceKind.Uptime, 0, 0, 0, _elapsed) : recorded;
            }

            return AdvancingCounters.Advance(recorded, kinds[index], served.Weights![index], rate, _device.Phase, _elapsed);
        }

        /// <summary>GETNEXT of one OID; SNMPv1 skips what it cannot carry (Counter64, exception values).</summary>
        public Varbind Next(ObjectIdentifier oid, bool skipForV1)
        {
            Recording recording = Recording;
            int index = recording.IndexAfter(oid);
            while (index < recording.Count)
            {
                SnmpValue value = Value(index);
                if (!skipForV1 || !(value.IsException || value.Type == SnmpValueType.Counter64))
                {
                    return new Varbind(recording.OidAt(index), value);
                }

                index++;
            }

            return new Varbind(oid, SnmpValue.EndOfMibView);
        }
    }
}
