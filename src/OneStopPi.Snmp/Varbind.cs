namespace OneStopPi.Snmp;

/// <summary>One variable binding: an OID and the value bound to it (RFC 3416 3, VarBind).</summary>
public readonly record struct Varbind(ObjectIdentifier Oid, SnmpValue Value)
{
    /// <summary>A request varbind: the OID with a NULL value (RFC 3416 4.2).</summary>
    public static Varbind Request(ObjectIdentifier oid) => new(oid, SnmpValue.Null);

    public override string ToString() => $"{Oid} = {Value}";
}
