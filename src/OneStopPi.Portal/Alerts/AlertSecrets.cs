using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using OneStopPi.Portal.Security;

namespace OneStopPi.Portal.Alerts;

/// <summary>
/// The per-site webhook secret: made by the portal, shown to the operator once, kept protected with ASP.NET Core
/// Data Protection (the purpose carries the site, so a blob copied to another site's row does not decrypt).
/// </summary>
internal sealed class AlertSecrets(IDataProtectionProvider provider)
{
    private const string Purpose = "OneStopPi.Portal.AlertWebhookSecret.v1";

    public const string SignatureHeader = "X-OneStopPi-Signature";
    public const string TimestampHeader = "X-OneStopPi-Timestamp";

    public static string Create() => Secrets.Create();

    public string Protect(int? siteId, string secret) => Protector(siteId).Protect(secret);

    /// <exception cref="CryptographicException">The blob does not decrypt (lost key ring, copied row).</exception>
    public string Unprotect(int? siteId, string protectedSecret) => Protector(siteId).Unprotect(protectedSecret);

    /// <summary>"sha256=" and the hex HMAC-SHA256 of "timestamp.body" under the secret's UTF-8 bytes.</summary>
    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + ".");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    private IDataProtector Protector(int? siteId) =>
        provider.CreateProtector(Purpose, siteId?.ToString(CultureInfo.InvariantCulture) ?? "dealer");
}
