namespace OneStopPi.Agent.Configuration;

/// <summary>
/// The box's local settings: <c>agent.json</c> in the configuration directory (and, on first
/// boot, <c>onestoppi.json</c> on the SD card's boot partition, where a dealer drops it before
/// shipping). Everything about what to scan comes from the portal, not from here.
/// </summary>
public sealed record AgentSettings
{
    /// <summary>Base URL of the dealer's portal, https://.</summary>
    public Uri? PortalUrl { get; init; }

    /// <summary>The site's enrolment key, used once to obtain the agent's own token.</summary>
    public string? EnrolmentKey { get; init; }

    /// <summary>HTTP proxy for the portal, if the site needs one: http://HOST:PORT, with user:password@ when it asks for a login (Portal/PortalProxy.cs).</summary>
    public Uri? Proxy { get; init; }

    /// <summary>PEM file of the CA that signs the portal's certificate (dealers with private PKI).</summary>
    public string? CaFile { get; init; }

    /// <summary>
    /// SHA-256 (hex) of the portal's certificate (as the reference portal logs it) or of its public key
    /// (SPKI): when set, only that certificate or key is accepted, whoever signed it.
    /// </summary>
    public string? PinnedSha256 { get; init; }

    /// <summary>UDP port the agent polls devices on (161; another only for test benches and simulators).</summary>
    public int SnmpPort { get; set; } = 161;

    /// <summary>Overrides the hardware identity sent at enrolment (default: the Pi's serial number, else /etc/machine-id).</summary>
    public string? HardwareId { get; init; }

    /// <summary>The status page, discovery responder and mDNS on the LAN (docs/lan-discovery.md).</summary>
    public Lan.LanSettings Lan { get; set; } = new();
}
