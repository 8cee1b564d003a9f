using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using OneStopPi.Portal.Api;

namespace OneStopPi.Portal.Security;

/// <summary>
/// SNMP credentials at rest: JSON protected with ASP.NET Core Data Protection (AES-256-CBC + HMACSHA256,
/// keys in the configured key directory, never in the database). The purpose chain carries the site id,
/// so a blob copied into another site's row does not decrypt.
/// </summary>
internal sealed class CredentialVault(IDataProtectionProvider provider)
{
    private const string Purpose = "OneStopPi.Portal.SnmpCredentials.v1";

    public static SnmpCredentials Empty { get; } = new([], []);

    public string Protect(int siteId, SnmpCredentials credentials) =>
        Protector(siteId).Protect(JsonSerializer.Serialize(credentials, PortalJsonContext.Default.SnmpCredentials));

    public SnmpCredentials Unprotect(int siteId, string? protectedJson) =>
        protectedJson is null
            ? Empty
            : JsonSerializer.Deserialize(Protector(siteId).Unprotect(protectedJson), PortalJsonContext.Default.SnmpCredentials) ?? Empty;

    private IDataProtector Protector(int siteId) =>
        provider.CreateProtector(Purpose, siteId.ToString(CultureInfo.InvariantCulture));
}
