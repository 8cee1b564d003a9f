using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using OneStopPi.Contracts;
using OneStopPi.Portal.Api;

namespace OneStopPi.Portal.Security;

/// <summary>
/// SNMP credentials (and agents' local setup keys) at rest: JSON protected with ASP.NET Core Data Protection (AES-256-CBC + HMACSHA256,
/// keys in the configured key directory, never in the database). The purpose chain carries the site id,
/// so a blob copied into another site's row does not decrypt.
/// </summary>
internal sealed class CredentialVault(IDataProtectionProvider provider)
{
    private const string Purpose = "OneStopPi.Portal.SnmpConfig.v1";
    private const string SetupKeyPurpose = "OneStopPi.Portal.AgentSetupKey.v1";

    public static SnmpConfig Empty { get; } = new([], []);

    public string Protect(int siteId, SnmpConfig credentials) =>
        Protector(siteId).Protect(JsonSerializer.Serialize(credentials, PortalJsonContext.Default.SnmpConfig));

    public SnmpConfig Unprotect(int siteId, string? protectedJson) =>
        protectedJson is null
            ? Empty
            : JsonSerializer.Deserialize(Protector(siteId).Unprotect(protectedJson), PortalJsonContext.Default.SnmpConfig) ?? Empty;

    /// <summary>An agent's local setup key at rest; the purpose chain carries the agent id.</summary>
    public string ProtectSetupKey(Guid agentId, string setupKey) => SetupKeyProtector(agentId).Protect(setupKey);

    /// <summary>The stored setup key, or null if none was reported or the blob no longer decrypts (lost key ring, copied row).</summary>
    public string? UnprotectSetupKey(Guid agentId, string? protectedKey)
    {
        if (protectedKey is null)
        {
            return null;
        }

        try
        {
            return SetupKeyProtector(agentId).Unprotect(protectedKey);
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    private IDataProtector SetupKeyProtector(Guid agentId) =>
        provider.CreateProtector(SetupKeyPurpose, agentId.ToString("D", CultureInfo.InvariantCulture));

    private IDataProtector Protector(int siteId) =>
        provider.CreateProtector(Purpose, siteId.ToString(CultureInfo.InvariantCulture));
}
