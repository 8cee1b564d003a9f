using System.Security.Cryptography;
using System.Text;

namespace OneStopPi.Portal.Security;

/// <summary>
/// Agent tokens, operator tokens and enrolment keys: 32 random bytes, base64url on the wire;
/// the database keeps only their SHA-256, compared in constant time.
/// </summary>
internal static class Secrets
{
    public const int ByteLength = 32;

    public static string Create() => Base64Url(RandomNumberGenerator.GetBytes(ByteLength));

    public static byte[] Hash(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        return SHA256.HashData(bytes);
    }

    /// <summary>Constant-time check of a presented secret against a stored hash.</summary>
    public static bool Matches(string presented, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);

    /// <summary>A presented secret is refused before hashing when it cannot be one of ours.</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: 43 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The bearer value of an Authorization header, or null.</summary>
    public static string? Bearer(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string prefix = "Bearer ";
        return header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? header[prefix.Length..].Trim() : null;
    }
}
