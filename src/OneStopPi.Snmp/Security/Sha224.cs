using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace OneStopPi.Snmp.Security;

/// <summary>
/// SHA-224 (FIPS 180-4 section 6.3: SHA-256 with another initial hash value, truncated to
/// 224 bits) and HMAC-SHA-224 (RFC 2104). The BCL has no SHA-224, yet RFC 7860 defines
/// usmHMAC128SHA224AuthProtocol, so it is implemented here in managed code. Only USM uses it:
/// password-to-key and localization (RFC 7860 section 4.1) and the HMAC (RFC 7860 section 4.2).
/// </summary>
internal sealed class Sha224
{
    public const int HashSizeInBytes = 28;
    public const int BlockSizeInBytes = 64;

    // FIPS 180-4 section 4.2.2.
    private static ReadOnlySpan<uint> K =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    // FIPS 180-4 section 5.3.2: the SHA-224 initial hash value.
    private static ReadOnlySpan<uint> InitialState =>
    [
        0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7, 0xbefa4fa4,
    ];

    private readonly uint[] _state = new uint[8];
    private readonly uint[] _schedule = new uint[64];
    private readonly byte[] _buffer = new byte[BlockSizeInBytes];
    private int _buffered;
    private ulong _totalBytes;

    public Sha224() => Reset();

    /// <summary>One-shot SHA-224 of <paramref name="source"/> into the first 28 octets of <paramref name="destination"/>.</summary>
    public static void HashData(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var sha = new Sha224();
        sha.Append(source);
        sha.GetHashAndReset(destination);
    }

    /// <summary>HMAC-SHA-224 (RFC 2104 section 2, B = 64, L = 28) into the first 28 octets of <paramref name="destination"/>.</summary>
    public static void HmacData(ReadOnlySpan<byte> key, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        Span<byte> block = stackalloc byte[BlockSizeInBytes];
        block.Clear();
        if (key.Length > BlockSizeInBytes)
        {
            // RFC 2104 section 2: keys longer than B are first hashed.
            HashData(key, block);
        }
        else
        {
            key.CopyTo(block);
        }

        Span<byte> pad = stackalloc byte[BlockSizeInBytes];
        Span<byte> inner = stackalloc byte[HashSizeInBytes];
        var sha = new Sha224();

        for (int i = 0; i < BlockSizeInBytes; i++)
        {
            pad[i] = (byte)(block[i] ^ 0x36);
        }

        sha.Append(pad);
        sha.Append(source);
        sha.GetHashAndReset(inner);

        for (int i = 0; i < BlockSizeInBytes; i++)
        {
            pad[i] = (byte)(block[i] ^ 0x5c);
        }

        sha.Append(pad);
        sha.Append(inner);
        sha.GetHashAndReset(destination);

        CryptographicOperations.ZeroMemory(block);
        CryptographicOperations.ZeroMemory(pad);
    }

    public void Append(ReadOnlySpan<byte> data)
    {
        _totalBytes += (ulong)data.Length;
        if (_buffered > 0)
        {
            int take = Math.Min(BlockSizeInBytes - _buffered, data.Length);
            data[..take].CopyTo(_buffer.AsSpan(_buffered));
            _buffered += take;
            data = data[take..];
            if (_buffered < BlockSizeInBytes)
            {
                return;
            }

            Compress(_buffer);
            _buffered = 0;
        }

        while (data.Length >= BlockSizeInBytes)
        {
            Compress(data[..BlockSizeInBytes]);
            data = data[BlockSizeInBytes..];
        }

        data.CopyTo(_buffer);
        _buffered = data.Length;
    }

    public void GetHashAndReset(Span<byte> destination)
    {
        if (destination.Length < HashSizeInBytes)
        {
            throw new ArgumentException("The destination is shorter than a SHA-224 digest.", nameof(destination));
        }

        // FIPS 180-4 section 5.1.1: append 0x80, zeros, then the 64-bit big-endian bit length.
        ulong bitLength = _totalBytes * 8;
        Span<byte> tail = stackalloc byte[BlockSizeInBytes * 2];
        tail.Clear();
        _buffer.AsSpan(0, _buffered).CopyTo(tail);
        tail[_buffered] = 0x80;
        int tailLength = _buffered < BlockSizeInBytes - 8 ? BlockSizeInBytes : BlockSizeInBytes * 2;
        BinaryPrimitives.WriteUInt64BigEndian(tail[(tailLength - 8)..], bitLength);
        for (int offset = 0; offset < tailLength; offset += BlockSizeInBytes)
        {
            Compress(tail.Slice(offset, BlockSizeInBytes));
        }

        for (int i = 0; i < 7; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[(i * 4)..], _state[i]);
        }

        CryptographicOperations.ZeroMemory(tail);
        Reset();
    }

    private void Reset()
    {
        InitialState.CopyTo(_state);
        Array.Clear(_buffer);
        Array.Clear(_schedule);
        _buffered = 0;
        _totalBytes = 0;
    }

    // FIPS 180-4 section 6.2.2 (the SHA-256 compression function).
    private void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> w = _schedule;
        for (int t = 0; t < 16; t++)
        {
            w[t] = BinaryPrimitives.ReadUInt32BigEndian(block[(t * 4)..]);
        }

        for (int t = 16; t < 64; t++)
        {
            uint s0 = BitOperations.RotateRight(w[t - 15], 7) ^ BitOperations.RotateRight(w[t - 15], 18) ^ (w[t - 15] >> 3);
            uint s1 = BitOperations.RotateRight(w[t - 2], 17) ^ BitOperations.RotateRight(w[t - 2], 19) ^ (w[t - 2] >> 10);
            w[t] = unchecked(w[t - 16] + s0 + w[t - 7] + s1);
        }

        uint a = _state[0], b = _state[1], c = _state[2], d = _state[3];
        uint e = _state[4], f = _state[5], g = _state[6], h = _state[7];
        ReadOnlySpan<uint> k = K;

        for (int t = 0; t < 64; t++)
        {
            uint sum1 = BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25);
            uint ch = (e & f) ^ (~e & g);
            uint t1 = unchecked(h + sum1 + ch + k[t] + w[t]);
            uint sum0 = BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22);
            uint maj = (a & b) ^ (a & c) ^ (b & c);
            uint t2 = unchecked(sum0 + maj);
            h = g;
            g = f;
            f = e;
            e = unchecked(d + t1);
            d = c;
            c = b;
            b = a;
            a = unchecked(t1 + t2);
        }

        unchecked
        {
            _state[0] += a;
            _state[1] += b;
            _state[2] += c;
            _state[3] += d;
            _state[4] += e;
            _state[5] += f;
            _state[6] += g;
            _state[7] += h;
        }
    }
}
