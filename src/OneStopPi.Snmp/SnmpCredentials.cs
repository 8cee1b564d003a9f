using System.Text;
using OneStopPi.Snmp.Security;

namespace OneStopPi.Snmp;

/// <summary>How to talk to one agent: a community (v1/v2c) or a USM user (v3).</summary>
public abstract record SnmpCredentials
{
    private protected SnmpCredentials() { }

    public abstract SnmpVersion Version { get; }
}

/// <summary>SNMPv1 or SNMPv2c with a community string.</summary>
public sealed record CommunityCredentials : SnmpCredentials
{
    public CommunityCredentials(SnmpVersion version, string community)
    {
        if (version == SnmpVersion.V3)
        {
            throw new ArgumentException("Communities are for SNMPv1 and SNMPv2c.", nameof(version));
        }

        ArgumentNullException.ThrowIfNull(community);
        Version = version;
        Community = community;
    }

    public override SnmpVersion Version { get; }

    public string Community { get; }

    internal byte[] CommunityBytes => Encoding.UTF8.GetBytes(Community);

    /// <summary>The community is a secret: never printed.</summary>
    public override string ToString() => $"{Version} community";
}

/// <summary>An SNMPv3 user of the User-based Security Model (RFC 3414) and the context to read.</summary>
public sealed record UsmCredentials : SnmpCredentials
{
    public UsmCredentials(string userName, AuthProtocol auth = AuthProtocol.None, string? authPassword = null,
        PrivProtocol priv = PrivProtocol.None, string? privPassword = null, string contextName = "")
    {
        ArgumentException.ThrowIfNullOrEmpty(userName);
        if (Encoding.UTF8.GetByteCount(userName) > 32)
        {
            throw new ArgumentException("An SNMPv3 user name is at most 32 octets (RFC 3414 2.4).", nameof(userName));
        }

        if (auth != AuthProtocol.None && string.IsNullOrEmpty(authPassword))
        {
            throw new ArgumentException($"{auth} authentication needs a password.", nameof(authPassword));
        }

        if (priv != PrivProtocol.None)
        {
            if (auth == AuthProtocol.None)
            {
                throw new ArgumentException("Privacy needs authentication (RFC 3414 3.1.1: no authPriv without auth).", nameof(priv));
            }

            if (string.IsNullOrEmpty(privPassword))
            {
                throw new ArgumentException($"{priv} privacy needs a password.", nameof(privPassword));
            }
        }

        UserName = userName;
        Auth = auth;
        AuthPassword = auth == AuthProtocol.None ? null : authPassword;
        Priv = priv;
        PrivPassword = priv == PrivProtocol.None ? null : privPassword;
        ContextName = contextName ?? string.Empty;
    }

    public override SnmpVersion Version => SnmpVersion.V3;

    public string UserName { get; }

    public AuthProtocol Auth { get; }

    public string? AuthPassword { get; }

    public PrivProtocol Priv { get; }

    public string? PrivPassword { get; }

    public string ContextName { get; }

    /// <summary>Optional contextEngineID; empty means the agent's own engine ID (RFC 3412 7.1 step 1).</summary>
    public ReadOnlyMemory<byte> ContextEngineId { get; init; }

    public SecurityLevel SecurityLevel => Auth == AuthProtocol.None ? SecurityLevel.NoAuthNoPriv
        : Priv == PrivProtocol.None ? SecurityLevel.AuthNoPriv : SecurityLevel.AuthPriv;

    /// <summary>Never prints the passwords.</summary>
    public override string ToString() => $"v3 user '{UserName}' {SecurityLevel} {Auth}/{Priv} context '{ContextName}'";
}

/// <summary>RFC 3411 securityLevel.</summary>
public enum SecurityLevel
{
    NoAuthNoPriv = 1,
    AuthNoPriv = 2,
    AuthPriv = 3,
}
