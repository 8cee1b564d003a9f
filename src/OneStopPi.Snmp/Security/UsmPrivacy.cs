using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OneStopPi.Snmp.Security;

/// <summary>
/// USM scopedPDU encryption: CBC-DES (RFC 3414 section 8), 3DES-EDE in outside CBC mode
/// (draft-reeder-snmpv3-usm-3desede-00 section 5) and AES-CFB128 (RFC 3826 section 3, also
/// with 192/256-bit keys per draft-blumenthal-aes-usm-04).
/// </summary>
/// <remarks>
/// One instance per local engine (or transport) owns the salt counter: RFC 3414 8.1.1.1 and
/// RFC 3826 3.1.2.1 require the salt never to repeat under one key, which a counter that is
/// seeded randomly at start and incremented per message provides. The counter is advanced
/// atomically, so one instance may be shared by concurrent requests. DES and 3DES use its low
/// 32 bits, AES all 64. Keys are the exact outputs of <see cref="UsmKeys.LocalizedPrivKey"/>;
/// longer keys are accepted and only their leading octets used (RFC 3414 8.1.1.1).
/// </remarks>
public sealed class UsmPrivacy
{
    /// <summary>msgPrivacyParameters is always an 8-octet salt (RFC 3414 8.1.1.1, RFC 3826 3.1.2.1).</summary>
    public const int PrivParametersLength = 8;

    private const int DesBlock = 8;
    private const int AesBlock = 16;

    private ulong _salt;

    /// <summary>
    /// Creates the salt source. Pass a random value (e.g. from <see cref="RandomNumberGenerator"/>)
    /// so that salts do not repeat across restarts with the same engineBoots (RFC 3826 3.1.2.1:
    /// "initialized to an arbitrary value at boot time").
    /// </summary>
    public UsmPrivacy(ulong initialSalt) => _salt = initialSalt;

    /// <summary>
    /// Encrypts a serialized scopedPDU and returns the encryptedPDU octets;
    /// <paramref name="privParameters"/> receives the 8-octet msgPrivacyParameters.
    /// DES and 3DES output is zero-padded to a multiple of 8 octets (RFC 3414 8.1.1.2); AES-CFB
    /// output has exactly the plaintext length (RFC 3826 3.1.3: no padding).
    /// </summary>
    /// <param name="priv">The privacy protocol; not <see cref="PrivProtocol.None"/>.</param>
    /// <param name="privKey">The localized (and extended) privacy key, at least <see cref="UsmKeys.PrivKeyLength"/> octets.</param>
    /// <param name="engineBoots">The authoritative engine's snmpEngineBoots as sent in the message.</param>
    /// <param name="engineTime">The authoritative engine's snmpEngineTime as sent in the message (AES only).</param>
    /// <param name="plaintext">The serialized scopedPDU; not empty.</param>
    /// <param name="privParameters">The salt to send as msgPrivacyParameters.</param>
    /// <exception cref="ArgumentException">Unknown protocol, short key or empty plaintext.</exception>
    public byte[] Encrypt(PrivProtocol priv, ReadOnlySpan<byte> privKey, uint engineBoots, uint engineTime, ReadOnlySpan<byte> plaintext, out byte[] privParameters)
    {
        CheckKey(priv, privKey);
        if (plaintext.IsEmpty)
        {
            throw new ArgumentException("There is no scopedPDU to encrypt.", nameof(plaintext));
        }

        // Interlocked so that concurrent requests never share a salt; wrapping is allowed
        // (RFC 3414 8.1.1.1 and RFC 3826 3.1.2.1 only ask that it not repeat soon).
        ulong counter = unchecked(Interlocked.Increment(ref _salt) - 1);
        privParameters = new byte[PrivParametersLength];

        if (priv is PrivProtocol.Des or PrivProtocol.TripleDes)
        {
            // RFC 3414 8.1.1.1: salt = snmpEngineBoots (4 octets, MSB first) || a local 32-bit integer.
            BinaryPrimitives.WriteUInt32BigEndian(privParameters, engineBoots);
            BinaryPrimitives.WriteUInt32BigEndian(privParameters.AsSpan(4), unchecked((uint)counter));
            return CbcEncrypt(priv, privKey, privParameters, plaintext);
        }

        // RFC 3826 3.1.2.1: salt = a local 64-bit integer.
        BinaryPrimitives.WriteUInt64BigEndian(privParameters, counter);
        return CfbTransform(priv, privKey, engineBoots, engineTime, privParameters, plaintext, encrypt: true);
    }

    /// <summary>
    /// Decrypts an encryptedPDU. For DES/3DES the result keeps the up to 7 padding octets the
    /// sender added; the BER length of the scopedPDU tells where it ends (RFC 3414 8.3.2 note).
    /// </summary>
    /// <exception cref="UsmDecryptionException">msgPrivacyParameters is not 8 octets, or the ciphertext is empty or (DES/3DES) not a multiple of 8 octets.</exception>
    /// <exception cref="ArgumentException">Unknown protocol or short key.</exception>
    public static byte[] Decrypt(PrivProtocol priv, ReadOnlySpan<byte> privKey, uint engineBoots, uint engineTime, ReadOnlySpan<byte> privParameters, ReadOnlySpan<byte> ciphertext)
    {
        CheckKey(priv, privKey);

        // RFC 3414 8.3.2 step 1 and RFC 3826 3.3.2 step 1: the salt must be 8 octets.
        if (privParameters.Length != PrivParametersLength)
        {
            throw new UsmDecryptionException(
                $"{priv}: msgPrivacyParameters must be {PrivParametersLength} octets, got {privParameters.Length}.");
        }

        if (ciphertext.IsEmpty)
        {
            throw new UsmDecryptionException($"{priv}: the encryptedPDU is empty.");
        }

        if (priv is PrivProtocol.Des or PrivProtocol.TripleDes)
        {
            // RFC 3414 8.3.2 step 3: a CBC ciphertext is a whole number of 8-octet blocks.
            if (ciphertext.Length % DesBlock != 0)
            {
                throw new UsmDecryptionException(
                    $"{priv}: the encryptedPDU is {ciphertext.Length} octets, not a multiple of {DesBlock}.");
            }

            return CbcDecrypt(priv, privKey, privParameters, ciphertext);
        }

        return CfbTransform(priv, privKey, engineBoots, engineTime, privParameters, ciphertext, encrypt: false);
    }

    private static void CheckKey(PrivProtocol priv, ReadOnlySpan<byte> privKey)
    {
        int needed = UsmKeys.PrivKeyLength(priv);
        if (privKey.Length < needed)
        {
            throw new ArgumentException($"A {priv} privacy key needs {needed} octets, got {privKey.Length}.", nameof(privKey));
        }
    }

    // RFC 3414 8.1.1.1 (DES: key = octets 0..7, pre-IV = 8..15) and draft-reeder-snmpv3-usm-3desede-00
    // 5.1.1.1 (3DES: key = 0..23, pre-IV = 24..31); IV = pre-IV XOR salt.
    private static SymmetricAlgorithm CreateCbc(PrivProtocol priv, ReadOnlySpan<byte> privKey, ReadOnlySpan<byte> salt, Span<byte> iv)
    {
        int keyLength = priv == PrivProtocol.Des ? 8 : 24;
        ReadOnlySpan<byte> preIv = privKey.Slice(keyLength, DesBlock);
        for (int i = 0; i < DesBlock; i++)
        {
            iv[i] = (byte)(preIv[i] ^ salt[i]);
        }

        // DES is what RFC 3414 mandates for usmDESPrivProtocol; OpenSSL 3 still provides it.
#pragma warning disable CA5351
        SymmetricAlgorithm cipher = priv == PrivProtocol.Des ? DES.Create() : TripleDES.Create();
#pragma warning restore CA5351
        try
        {
            cipher.SetKey(privKey[..keyLength]);
            return cipher;
        }
        catch
        {
            cipher.Dispose();
            throw;
        }
    }

    private static byte[] CbcEncrypt(PrivProtocol priv, ReadOnlySpan<byte> privKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> plaintext)
    {
        Span<byte> iv = stackalloc byte[DesBlock];
        using SymmetricAlgorithm cipher = CreateCbc(priv, privKey, salt, iv);

        // RFC 3414 8.1.1.2: pad to a multiple of 8 octets; the padding value is irrelevant.
        int paddedLength = (plaintext.Length + DesBlock - 1) / DesBlock * DesBlock;
        byte[] padded = new byte[paddedLength];
        plaintext.CopyTo(padded);
        byte[] ciphertext = new byte[paddedLength];
        cipher.EncryptCbc(padded, iv, ciphertext, PaddingMode.None);
        CryptographicOperations.ZeroMemory(padded);
        return ciphertext;
    }

    private static byte[] CbcDecrypt(PrivProtocol priv, ReadOnlySpan<byte> privKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> ciphertext)
    {
        Span<byte> iv = stackalloc byte[DesBlock];
        using SymmetricAlgorithm cipher = CreateCbc(priv, privKey, salt, iv);
        byte[] plaintext = new byte[ciphertext.Length];
        cipher.DecryptCbc(ciphertext, iv, plaintext, PaddingMode.None);
        return plaintext;
    }

    // RFC 3826 3.1.2.1: key = the first 16 (24, 32) octets of the privacy key;
    // IV = snmpEngineBoots (4, MSB first) || snmpEngineTime (4, MSB first) || salt (8).
    // 3.1.3/3.1.4: CFB with a 128-bit feedback, no padding: the last block is cut to the data.
    // The BCL's CFB needs whole blocks, so the input is zero-extended to the next block and
    // the output cut back; CFB output octet i depends only on input octets 0..i, so the extra
    // octets change nothing that is kept (this holds for decryption as well).
    private static byte[] CfbTransform(PrivProtocol priv, ReadOnlySpan<byte> privKey, uint engineBoots, uint engineTime, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> input, bool encrypt)
    {
        int keyLength = UsmKeys.PrivKeyLength(priv);
        Span<byte> iv = stackalloc byte[AesBlock];
        BinaryPrimitives.WriteUInt32BigEndian(iv, engineBoots);
        BinaryPrimitives.WriteUInt32BigEndian(iv[4..], engineTime);
        salt.CopyTo(iv[8..]);

        int paddedLength = (input.Length + AesBlock - 1) / AesBlock * AesBlock;
        byte[] padded = new byte[paddedLength];
        input.CopyTo(padded);
        byte[] output = new byte[paddedLength];

        using (Aes aes = Aes.Create())
        {
            aes.SetKey(privKey[..keyLength]);
            if (encrypt)
            {
                aes.EncryptCfb(padded, iv, output, PaddingMode.None, feedbackSizeInBits: 128);
            }
            else
            {
                aes.DecryptCfb(padded, iv, output, PaddingMode.None, feedbackSizeInBits: 128);
            }
        }

        CryptographicOperations.ZeroMemory(padded);
        if (paddedLength == input.Length)
        {
            return output;
        }

        byte[] result = output.AsSpan(0, input.Length).ToArray();
        CryptographicOperations.ZeroMemory(output);
        return result;
    }
}
