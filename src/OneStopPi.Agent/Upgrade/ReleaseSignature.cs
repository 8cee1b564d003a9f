using System.Security.Cryptography;

namespace OneStopPi.Agent.Upgrade;

/// <summary>
/// A release's detached signature: ECDSA P-256 over SHA-256 of the .deb, DER-encoded (what
/// <c>openssl dgst -sha256 -sign key.pem</c> writes), checked against a PEM public key (deploy/sign-release).
/// </summary>
public static class ReleaseSignature
{
    /// <summary>Largest DER signature for P-256: SEQUENCE of two INTEGERs of at most 33 bytes.</summary>
    public const int MaxLength = 72;

    /// <summary>True when <paramref name="signature"/> is the release key's signature of a file whose SHA-256 is <paramref name="sha256"/>.</summary>
    /// <exception cref="ReleaseKeyException">The key file is missing or is not a P-256 public key.</exception>
    public static async Task<bool> VerifyAsync(byte[] sha256, byte[] signature, string publicKeyPath, CancellationToken cancellationToken)
    {
        using ECDsa key = await LoadKeyAsync(publicKeyPath, cancellationToken).ConfigureAwait(false);
        return signature.Length is > 0 and <= MaxLength && key.VerifyHash(sha256, signature, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>The SHA-256 of a file, read once.</summary>
    public static async Task<byte[]> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    /// <exception cref="ReleaseKeyException">The key file is missing or is not a P-256 public key.</exception>
    public static async Task<ECDsa> LoadKeyAsync(string publicKeyPath, CancellationToken cancellationToken)
    {
        string pem;
        try
        {
            pem = await File.ReadAllTextAsync(publicKeyPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ReleaseKeyException($"the release key {publicKeyPath} cannot be read: {e.Message}", e);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
            if (key.KeySize != 256)
            {
                throw new ReleaseKeyException($"the release key {publicKeyPath} is a {key.KeySize}-bit key, not P-256");
            }

            return key;
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            key.Dispose();
            throw new ReleaseKeyException($"the release key {publicKeyPath} is not an EC public key in PEM: {e.Message}", e);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }
}

/// <summary>The release public key cannot be used: every upgrade is refused until it is fixed.</summary>
public sealed class ReleaseKeyException : Exception
{
    public ReleaseKeyException() { }

    public ReleaseKeyException(string message) : base(message) { }

    public ReleaseKeyException(string message, Exception innerException) : base(message, innerException) { }
}
