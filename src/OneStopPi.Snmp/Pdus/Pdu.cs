namespace OneStopPi.Snmp.Pdus;

/// <summary>
/// One SNMP PDU (RFC 3416 3). Built only through the factory methods, which exist for the read
/// operations and for the responses a simulator sends, never for SET.
/// For GetBulkRequest the second and third fields are non-repeaters and max-repetitions (RFC 3416 4.2.3).
/// </summary>
public sealed class Pdu
{
    private Pdu(PduType type, int requestId, int errorStatusOrNonRepeaters, int errorIndexOrMaxRepetitions, IReadOnlyList<Varbind> varbinds)
    {
        Type = type;
        RequestId = requestId;
        ErrorStatusField = errorStatusOrNonRepeaters;
        ErrorIndexField = errorIndexOrMaxRepetitions;
        Varbinds = varbinds;
    }

    public PduType Type { get; }

    public int RequestId { get; }

    /// <summary>error-status, or non-repeaters in a GetBulkRequest.</summary>
    internal int ErrorStatusField { get; }

    /// <summary>error-index, or max-repetitions in a GetBulkRequest.</summary>
    internal int ErrorIndexField { get; }

    public SnmpErrorStatus ErrorStatus => Type == PduType.GetBulkRequest ? SnmpErrorStatus.NoError : (SnmpErrorStatus)ErrorStatusField;

    /// <summary>1-based index of the varbind the error refers to; 0 when none.</summary>
    public int ErrorIndex => Type == PduType.GetBulkRequest ? 0 : ErrorIndexField;

    public int NonRepeaters => Type == PduType.GetBulkRequest ? ErrorStatusField : 0;

    public int MaxRepetitions => Type == PduType.GetBulkRequest ? ErrorIndexField : 0;

    public IReadOnlyList<Varbind> Varbinds { get; }

    public bool IsRequest => Type is PduType.GetRequest or PduType.GetNextRequest or PduType.GetBulkRequest;

    public static Pdu GetRequest(int requestId, IEnumerable<ObjectIdentifier> oids) =>
        new(PduType.GetRequest, requestId, 0, 0, ToRequestVarbinds(oids));

    public static Pdu GetNextRequest(int requestId, IEnumerable<ObjectIdentifier> oids) =>
        new(PduType.GetNextRequest, requestId, 0, 0, ToRequestVarbinds(oids));

    public static Pdu GetBulkRequest(int requestId, int nonRepeaters, int maxRepetitions, IEnumerable<ObjectIdentifier> oids)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nonRepeaters);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRepetitions);
        return new(PduType.GetBulkRequest, requestId, nonRepeaters, maxRepetitions, ToRequestVarbinds(oids));
    }

    public static Pdu Response(int requestId, SnmpErrorStatus errorStatus, int errorIndex, IReadOnlyList<Varbind> varbinds) =>
        new(PduType.Response, requestId, (int)errorStatus, errorIndex, varbinds);

    public static Pdu Report(int requestId, IReadOnlyList<Varbind> varbinds) =>
        new(PduType.Report, requestId, 0, 0, varbinds);

    /// <summary>Used by the decoder, which has already checked the tag against <see cref="PduType"/>.</summary>
    internal static Pdu FromWire(PduType type, int requestId, int field2, int field3, IReadOnlyList<Varbind> varbinds) =>
        new(type, requestId, field2, field3, varbinds);

    /// <summary>The same PDU with another request-id (a retry of a v1/v2c request keeps its id; a v3 retry gets a new msgID only).</summary>
    internal Pdu WithRequestId(int requestId) => new(Type, requestId, ErrorStatusField, ErrorIndexField, Varbinds);

    private static Varbind[] ToRequestVarbinds(IEnumerable<ObjectIdentifier> oids)
    {
        var varbinds = oids.Select(Varbind.Request).ToArray();
        return varbinds;
    }

    public override string ToString() => $"{Type} id={RequestId} varbinds={Varbinds.Count}";
}
