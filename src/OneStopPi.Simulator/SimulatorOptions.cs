using System.Net;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Simulator;

/// <summary>How a <see cref="FleetSimulator"/> serves its recordings.</summary>
public sealed class SimulatorOptions
{
    /// <summary>The first device's address; device i listens on <see cref="DeviceAddresses.At"/>(first, i).</summary>
    public IPAddress FirstAddress { get; init; } = IPAddress.Loopback;

    /// <summary>UDP port every device listens on (161 needs root or CAP_NET_BIND_SERVICE).</summary>
    public int Port { get; init; } = 161;

    /// <summary>Number of devices, cycling through the recordings; null for one per recording.</summary>
    public int? Count { get; init; }

    /// <summary>The only community v1/v2c requests may use; null accepts any (like snmpsim's fleet).</summary>
    public string? Community { get; init; }

    /// <summary>The SNMPv3 user every device knows; null for none (v3 requests then get unknownUserName reports).</summary>
    public SimulatorUser? V3User { get; init; }

    /// <summary>
    /// Pages per minute that page counters advance by (see <see cref="AdvancingCounters"/>); uptimes advance
    /// too. Null serves every value exactly as recorded.
    /// </summary>
    public double? AdvancePagesPerMinute { get; init; }

    /// <summary>
    /// Supplies drain with the pages printed, and page counters follow those pages (weekday rhythm, noise) instead
    /// of <see cref="AdvancePagesPerMinute"/>. Levels of -1/-2/-3 (no limit, unknown, some remaining) stay as
    /// recorded. Null: supplies are served as recorded.
    /// </summary>
    public SupplyDrainOptions? SupplyDrain { get; init; }

    /// <summary>The list of advancing objects; default the embedded one.</summary>
    public AdvancingCounters AdvancingCounters { get; init; } = AdvancingCounters.Default;

    /// <summary>snmpEngineBoots of every device.</summary>
    public uint EngineBoots { get; init; } = 1;

    /// <summary>
    /// Largest request accepted, in octets: the receive buffer of each device. Longer datagrams are dropped and
    /// counted (RFC 3417 3.2 asks for 484 at least). One buffer per device, so this is what 1,000 devices cost.
    /// </summary>
    public int MaxRequestSize { get; init; } = 16384;

    /// <summary>Clock for uptimes, engine time and advancing counters.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>The one SNMPv3 USM user of a simulated fleet.</summary>
public sealed record SimulatorUser
{
    public SimulatorUser(string name, AuthProtocol auth = AuthProtocol.None, string? authPassword = null,
        PrivProtocol priv = PrivProtocol.None, string? privPassword = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 32)
        {
            throw new ArgumentException("An SNMPv3 user name is at most 32 octets (RFC 3414 2.4).", nameof(name));
        }

        if (auth != AuthProtocol.None && string.IsNullOrEmpty(authPassword))
        {
            throw new ArgumentException($"{auth} authentication needs a password.", nameof(authPassword));
        }

        if (priv != PrivProtocol.None && (auth == AuthProtocol.None || string.IsNullOrEmpty(privPassword)))
        {
            throw new ArgumentException("Privacy needs authentication and a privacy password.", nameof(priv));
        }

        Name = name;
        Auth = auth;
        AuthPassword = auth == AuthProtocol.None ? null : authPassword;
        Priv = priv;
        PrivPassword = priv == PrivProtocol.None ? null : privPassword;
    }

    public string Name { get; }

    public AuthProtocol Auth { get; }

    public string? AuthPassword { get; }

    public PrivProtocol Priv { get; }

    public string? PrivPassword { get; }

    /// <summary>Never prints the passwords.</summary>
    public override string ToString() => $"v3 user '{Name}' {Auth}/{Priv}";
}
