using System.Net;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// The liveness probes as the sweep's passes see them: an ICMP echo and one SNMP datagram per address, and what
/// each address answered. <see cref="LivenessSockets"/> over real sockets; a fake in the passes' tests.
/// </summary>
internal interface ILivenessWire
{
    IcmpMode Icmp { get; }

    /// <summary>Anything came back from the address's SNMP port.</summary>
    bool SnmpAnswered(IPAddress address);

    /// <summary>An ICMP port-unreachable quoting our datagram came back: no agent there to wait for.</summary>
    bool SnmpRefused(IPAddress address);

    bool EchoReplied(IPAddress address);

    /// <summary>Answers the kernel holds that our receive loops have not read yet.</summary>
    bool AnswersQueued { get; }

    /// <summary>Completes at the next answer, reply or refusal of any address.</summary>
    Task Changed { get; }

    ValueTask SendEchoAsync(IPAddress address, CancellationToken cancellationToken);

    /// <summary>Sends the SNMP liveness datagram (a GET of the probe's OIDs with the address's first credential).</summary>
    ValueTask SendSnmpAsync(IPAddress address, CancellationToken cancellationToken);
}

/// <summary>When an address has nothing more to tell the sweep.</summary>
internal static class LivenessWireExtensions
{
    public static bool SnmpSettled(this ILivenessWire wire, IPAddress address) => wire.SnmpAnswered(address) || wire.SnmpRefused(address);

    public static bool EchoSettled(this ILivenessWire wire, IPAddress address) => wire.Icmp == IcmpMode.Unavailable || wire.EchoReplied(address);

    public static bool Settled(this ILivenessWire wire, IPAddress address) => wire.SnmpSettled(address) && wire.EchoSettled(address);
}
