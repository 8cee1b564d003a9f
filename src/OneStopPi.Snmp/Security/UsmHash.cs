using System.Security.Cryptography;

namespace OneStopPi.Snmp.Security;

/// <summary>
/// The hash function behind each <see cref="AuthProtocol"/>: one-shot digest, HMAC and an
/// incremental digest for password-to-key. SHA-224 has no BCL implementation and goes through
/// the managed <see cref="Sha224"/>; every other hash is the platform's (OpenSSL on Linux).
/// </summary>
internal static class UsmHash
{
    /// <summary>The largest digest of any protocol (SHA-512), for stack buffers.</summary>
    public const int MaxDigestLength = 64;

    /// <summary>Digest length in octets, which is also the localized key length (RFC 3414 A.2, RFC 7860 section 4.1).</summary>
    public static int DigestLength(AuthProtocol auth) => auth switch
    {
        AuthProtocol.Md5 => MD5.HashSizeInBytes,
        AuthProtocol.Sha1 => SHA1.HashSizeInBytes,
        AuthProtocol.Sha224 => Sha224.HashSizeInBytes,
        AuthProtocol.Sha256 => SHA256.HashSizeInBytes,
        AuthProtocol.Sha384 => SHA384.HashSizeInBytes,
        AuthProtocol.Sha512 => SHA512.HashSizeInBytes,
        _ => throw NotAHash(auth),
    };

    /// <summary>Writes H(<paramref name="source"/>) to the start of <paramref name="destination"/>.</summary>
    public static void Hash(AuthProtocol auth, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (auth)
        {
            case AuthProtocol.Md5:
                // MD5 is only used here as RFC 3414 mandates it for usmHMACMD5AuthProtocol.
#pragma warning disable CA5351
                MD5.HashData(source, destination);
#pragma warning restore CA5351
                break;
            case AuthProtocol.Sha1:
#pragma warning disable CA5350
                SHA1.HashData(source, destination);
#pragma warning restore CA5350
                break;
            case AuthProtocol.Sha224:
                Sha224.HashData(source, destination);
                break;
            case AuthProtocol.Sha256:
                SHA256.HashData(source, destination);
                break;
            case AuthProtocol.Sha384:
                SHA384.HashData(source, destination);
                break;
            case AuthProtocol.Sha512:
                SHA512.HashData(source, destination);
                break;
            default:
                throw NotAHash(auth);
        }
    }

    /// <summary>Writes the full-length HMAC (RFC 2104) to the start of <paramref name="destination"/>.</summary>
    public static void Hmac(AuthProtocol auth, ReadOnlySpan<byte> key, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        switch (auth)
        {
            case AuthProtocol.Md5:
#pragma warning disable CA5351
                HMACMD5.HashData(key, source, destination);
#pragma warning restore CA5351
                break;
            case AuthProtocol.Sha1:
#pragma warning disable CA5350
                HMACSHA1.HashData(key, source, destination);
#pragma warning restore CA5350
                break;
            case AuthProtocol.Sha224:
                Sha224.HmacData(key, source, destination);
                break;
            case AuthProtocol.Sha256:
                HMACSHA256.HashData(key, source, destination);
                break;
            case AuthProtocol.Sha384:
                HMACSHA384.HashData(key, source, destination);
                break;
            case AuthProtocol.Sha512:
                HMACSHA512.HashData(key, source, destination);
                break;
            default:
                throw NotAHash(auth);
        }
    }

    /// <summary>
    /// H over the first <paramref name="totalLength"/> octets of the endless repetition of
    /// <paramref name="pattern"/>, without materialising them (RFC 3414 A.2.1 step 1).
    /// </summary>
    public static void HashRepeated(AuthProtocol auth, ReadOnlySpan<byte> pattern, int totalLength, Span<byte> destination)
    {
        // A chunk that is a whole number of patterns keeps the cycle aligned from one append
        // to the next, so the stream is fed in a few hundred appends instead of 16384.
        const int MinimumChunk = 4096;
        int repeats = Math.Max(1, (MinimumChunk + pattern.Length - 1) / pattern.Length);
        byte[] chunk = new byte[pattern.Length * repeats];
        try
        {
            for (int i = 0; i < repeats; i++)
            {
                pattern.CopyTo(chunk.AsSpan(i * pattern.Length));
            }

            if (auth == AuthProtocol.Sha224)
            {
                var sha224 = new Sha224();
                for (int done = 0; done < totalLength; done += chunk.Length)
                {
                    sha224.Append(chunk.AsSpan(0, Math.Min(chunk.Length, totalLength - done)));
                }

                sha224.GetHashAndReset(destination);
                return;
            }

            using IncrementalHash hash = IncrementalHash.CreateHash(HashName(auth));
            for (int done = 0; done < totalLength; done += chunk.Length)
            {
                hash.AppendData(chunk.AsSpan(0, Math.Min(chunk.Length, totalLength - done)));
            }

            hash.GetHashAndReset(destination);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(chunk);
        }
    }

    private static HashAlgorithmName HashName(AuthProtocol auth) => auth switch
    {
        AuthProtocol.Md5 => HashAlgorithmName.MD5,
        AuthProtocol.Sha1 => HashAlgorithmName.SHA1,
        AuthProtocol.Sha256 => HashAlgorithmName.SHA256,
        AuthProtocol.Sha384 => HashAlgorithmName.SHA384,
        AuthProtocol.Sha512 => HashAlgorithmName.SHA512,
        _ => throw NotAHash(auth),
    };

    private static ArgumentException NotAHash(AuthProtocol auth) =>
        new($"Authentication protocol {auth} has no hash function; keys and MACs need an authentication protocol.", nameof(auth));
}
