using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace OneStopPi.Agent.Lan.Discovery;

/// <summary>What a box says about itself in a discovery reply.</summary>
public sealed record DiscoveryReply(
    ReadOnlyMemory<byte> Nonce,
    bool Enrolled,
    bool Assigned,
    int HttpPort,
    IPAddress Address,
    string? Mac,
    string AgentId,
    string HardwareId,
    string Version,
    string Hostname,
    string MdnsName);

/// <summary>
/// The OneStopPi LAN discovery protocol, version 1 (docs/lan-discovery.md). A probe is exactly
/// <see cref="ProbeLength"/> bytes (magic, version, type, zero reserved bytes, a 16-byte nonce,
/// zero padding); a reply echoes the nonce and is at most <see cref="MaxReplyLength"/> bytes, which is
/// less than a probe: the responder can never be used to amplify traffic. Network byte order.
/// </summary>
public static class DiscoveryProtocol
{
    public const byte Version = 1;
    public const int ProbeLength = 512;
    public const int NonceLength = 16;
    public const int MaxTextBytes = 63;
    public const int MaxReplyLength = FixedReplyLength + (5 * (1 + MaxTextBytes));
    private const byte ProbeType = 1;
    private const byte ReplyType = 2;
    private const int HeaderLength = 8;
    private const int FixedReplyLength = HeaderLength + NonceLength + 2 + 4 + 6;
    private const byte FlagEnrolled = 1;
    private const byte FlagAssigned = 2;

    /// <summary>"OSPD".</summary>
    public static ReadOnlySpan<byte> Magic => "OSPD"u8;

    /// <summary>Writes a probe with <paramref name="nonce"/> into the first <see cref="ProbeLength"/> bytes.</summary>
    public static int WriteProbe(Span<byte> destination, ReadOnlySpan<byte> nonce)
    {
        if (nonce.Length != NonceLength)
        {
            throw new ArgumentException($"The nonce must be {NonceLength} bytes.", nameof(nonce));
        }

        Span<byte> probe = destination[..ProbeLength];
        probe.Clear();
        WriteHeader(probe, ProbeType, 0);
        nonce.CopyTo(probe[HeaderLength..]);
        return ProbeLength;
    }

    /// <summary>
    /// True for a well-formed probe: exact length, magic, version 1, probe type, zero reserved
    /// bytes and zero padding. Anything else is not a probe (no exception: datagrams are untrusted).
    /// </summary>
    public static bool TryReadProbe(ReadOnlySpan<byte> datagram, out ReadOnlySpan<byte> nonce)
    {
        nonce = default;
        if (datagram.Length != ProbeLength || !datagram.StartsWith(Magic) || datagram[4] != Version || datagram[5] != ProbeType
            || datagram[6] != 0 || datagram[7] != 0 || datagram[(HeaderLength + NonceLength)..].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        nonce = datagram.Slice(HeaderLength, NonceLength);
        return true;
    }

    /// <summary>Writes a reply; returns its length, never more than <see cref="MaxReplyLength"/>.</summary>
    public static int WriteReply(Span<byte> destination, DiscoveryReply reply)
    {
        Span<byte> buffer = destination[..MaxReplyLength];
        buffer.Clear();
        WriteHeader(buffer, ReplyType, (byte)((reply.Enrolled ? FlagEnrolled : 0) | (reply.Assigned ? FlagAssigned : 0)));
        reply.Nonce.Span.CopyTo(buffer[HeaderLength..]);
        int at = HeaderLength + NonceLength;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[at..], (ushort)reply.HttpPort);
        at += 2;
        if (!reply.Address.TryWriteBytes(buffer.Slice(at, 4), out _))
        {
            throw new ArgumentException("The reply address must be IPv4.", nameof(reply));
        }

        at += 4;
        if (reply.Mac is { } mac)
        {
            WriteMac(mac, buffer.Slice(at, 6));
        }

        at += 6;
        foreach (string text in (ReadOnlySpan<string>)[reply.AgentId, reply.HardwareId, reply.Version, reply.Hostname, reply.MdnsName])
        {
            at += WriteText(buffer[at..], text);
        }

        return at;
    }

    /// <summary>Reads a reply; false for anything that is not a well-formed version-1 reply.</summary>
    public static bool TryReadReply(ReadOnlySpan<byte> datagram, out DiscoveryReply? reply)
    {
        reply = null;
        if (datagram.Length < FixedReplyLength || datagram.Length > MaxReplyLength || !datagram.StartsWith(Magic)
            || datagram[4] != Version || datagram[5] != ReplyType)
        {
            return false;
        }

        byte flags = datagram[6];
        byte[] nonce = datagram.Slice(HeaderLength, NonceLength).ToArray();
        int at = HeaderLength + NonceLength;
        int port = BinaryPrimitives.ReadUInt16BigEndian(datagram[at..]);
        var address = new IPAddress(datagram.Slice(at + 2, 4));
        string? mac = LanInterface.FormatMac(datagram.Slice(at + 6, 6));
        at = FixedReplyLength;
        Span<string> texts = new string[5];
        for (int i = 0; i < texts.Length; i++)
        {
            if (at >= datagram.Length || datagram[at] > MaxTextBytes || at + 1 + datagram[at] > datagram.Length)
            {
                return false;
            }

            texts[i] = Encoding.UTF8.GetString(datagram.Slice(at + 1, datagram[at]));
            at += 1 + datagram[at];
        }

        reply = new DiscoveryReply(nonce, (flags & FlagEnrolled) != 0, (flags & FlagAssigned) != 0, port, address, mac,
            texts[0], texts[1], texts[2], texts[3], texts[4]);
        return true;
    }

    private static void WriteHeader(Span<byte> buffer, byte type, byte flags)
    {
        Magic.CopyTo(buffer);
        buffer[4] = Version;
        buffer[5] = type;
        buffer[6] = flags;
        buffer[7] = 0;
    }

    /// <summary>A length byte and at most <see cref="MaxTextBytes"/> bytes of UTF-8, cut on a character boundary.</summary>
    private static int WriteText(Span<byte> buffer, string text)
    {
        int length = 0;
        foreach (Rune rune in text.EnumerateRunes())
        {
            if (length + rune.Utf8SequenceLength > MaxTextBytes)
            {
                break;
            }

            length += rune.EncodeToUtf8(buffer[(1 + length)..]);
        }

        buffer[0] = (byte)length;
        return 1 + length;
    }

    private static void WriteMac(string mac, Span<byte> destination)
    {
        string[] parts = mac.Split(':');
        if (parts.Length != 6)
        {
            return;
        }

        for (int i = 0; i < 6; i++)
        {
            if (!byte.TryParse(parts[i], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out destination[i]))
            {
                destination.Clear();
                return;
            }
        }
    }
}
