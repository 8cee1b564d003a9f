using System.Net;
using OneStopPi.Snmp.Pdus;

namespace OneStopPi.Snmp;

/// <summary>Base of the errors an SNMP operation reports about the remote agent or the exchange.</summary>
public class SnmpException : Exception
{
    public SnmpException(string message) : base(message) { }

    public SnmpException(string message, Exception innerException) : base(message, innerException) { }

    public SnmpException() { }
}

/// <summary>No usable answer within the timeout after every retry. Carries the evidence.</summary>
public sealed class SnmpTimeoutException : TimeoutException
{
    public SnmpTimeoutException(IPEndPoint target, int requestId, int attempts, TimeSpan elapsed, string? hint = null)
        : base($"No answer from {target} after {attempts} attempt(s) in {elapsed.TotalMilliseconds:F0} ms (request {requestId}).{(hint is null ? "" : " " + hint)}")
    {
        Target = target;
        RequestId = requestId;
        Attempts = attempts;
        Elapsed = elapsed;
    }

    public SnmpTimeoutException() { }

    public SnmpTimeoutException(string message) : base(message) { }

    public SnmpTimeoutException(string message, Exception innerException) : base(message, innerException) { }

    public IPEndPoint? Target { get; }

    public int RequestId { get; }

    public int Attempts { get; }

    public TimeSpan Elapsed { get; }
}

/// <summary>The agent answered with a non-zero error-status (RFC 3416 4.2).</summary>
public sealed class SnmpErrorStatusException : SnmpException
{
    public SnmpErrorStatusException(IPEndPoint target, SnmpErrorStatus status, int errorIndex, ObjectIdentifier? oid)
        : base($"{target} answered {status} (error-index {errorIndex}{(oid is null ? "" : ", " + oid)}).")
    {
        Target = target;
        Status = status;
        ErrorIndex = errorIndex;
        Oid = oid;
    }

    public IPEndPoint Target { get; }

    public SnmpErrorStatus Status { get; }

    public int ErrorIndex { get; }

    public ObjectIdentifier? Oid { get; }
}

/// <summary>What an SNMPv3 Report PDU said went wrong (RFC 3414 3.2, RFC 3412 7.2).</summary>
public enum SnmpReportKind
{
    Unknown,
    UnsupportedSecurityLevel,
    NotInTimeWindow,
    UnknownUserName,
    UnknownEngineId,
    WrongDigest,
    DecryptionError,
    UnknownSecurityModel,
    InvalidMessage,
    UnknownPduHandler,
    UnavailableContext,
    UnknownContext,
}

/// <summary>The agent refused an SNMPv3 request with a Report (wrong user, digest, keys, context...).</summary>
public sealed class SnmpReportException : SnmpException
{
    public SnmpReportException(IPEndPoint target, SnmpReportKind kind, ObjectIdentifier reportOid)
        : base($"{target} refused the request: {Describe(kind)} (report {reportOid}).")
    {
        Target = target;
        Kind = kind;
        ReportOid = reportOid;
    }

    public IPEndPoint Target { get; }

    public SnmpReportKind Kind { get; }

    public ObjectIdentifier ReportOid { get; }

    public static string Describe(SnmpReportKind kind) => kind switch
    {
        SnmpReportKind.UnsupportedSecurityLevel => "unsupported security level",
        SnmpReportKind.NotInTimeWindow => "not in time window",
        SnmpReportKind.UnknownUserName => "unknown user name",
        SnmpReportKind.UnknownEngineId => "unknown engine ID",
        SnmpReportKind.WrongDigest => "wrong digest (authentication password or protocol)",
        SnmpReportKind.DecryptionError => "decryption error (privacy password or protocol)",
        SnmpReportKind.UnknownSecurityModel => "unknown security model",
        SnmpReportKind.InvalidMessage => "invalid message",
        SnmpReportKind.UnknownPduHandler => "unknown PDU handler",
        SnmpReportKind.UnavailableContext => "unavailable context",
        SnmpReportKind.UnknownContext => "unknown context",
        _ => "unknown report",
    };
}

/// <summary>A walk met an OID that does not increase: the agent loops (RFC 3416 4.2.2 requires increase).</summary>
public sealed class SnmpWalkException : SnmpException
{
    public SnmpWalkException(string message) : base(message) { }

    public SnmpWalkException() { }

    public SnmpWalkException(string message, Exception innerException) : base(message, innerException) { }
}
