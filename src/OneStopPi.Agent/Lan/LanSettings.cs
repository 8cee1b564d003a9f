using System.Net;

namespace OneStopPi.Agent.Lan;

/// <summary>
/// The box's face on the customer's LAN (docs/lan-discovery.md): the status page and API over
/// HTTP, the UDP discovery responder and the mDNS advertisement. Part of agent.json as "lan".
/// Settable, not init: source-generated JSON sets every init-only property, so a key missing from
/// agent.json would become 0/false instead of keeping its default.
/// </summary>
public sealed record LanSettings
{
    public const int DefaultHttpPort = 23998;
    public const int DefaultDiscoveryPort = 23999;

    /// <summary>False turns the whole LAN face off (HTTP, UDP discovery and mDNS).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Address to listen on; null for every interface. Tests use 127.0.0.1.</summary>
    public string? BindAddress { get; init; }

    public int HttpPort { get; set; } = DefaultHttpPort;

    public int DiscoveryPort { get; set; } = DefaultDiscoveryPort;

    /// <summary>Advertise <c>_onestop._tcp</c> and <c>onestop-XXXX.local</c> by multicast DNS (RFC 6762/6763).</summary>
    public bool Mdns { get; set; } = true;

    /// <summary>The address to bind, or <see cref="IPAddress.Any"/>.</summary>
    public IPAddress ListenAddress() =>
        BindAddress is null ? IPAddress.Any
        : IPAddress.TryParse(BindAddress, out IPAddress? address) ? address
        : throw new InvalidOperationException($"lan.bindAddress '{BindAddress}' is not an IP address.");
}
