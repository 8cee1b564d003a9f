using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace OneStopPi.Collection.Discovery;

/// <summary>
/// A Linux packet-socket address (<c>struct sockaddr_ll</c>): an interface and an EtherType. The BCL
/// has sockets of <see cref="AddressFamily.Packet"/> but no endpoint type for them.
/// </summary>
internal sealed class LinkLayerEndPoint : EndPoint
{
    /// <summary>sizeof(struct sockaddr_ll).</summary>
    internal const int Size = 20;

    public LinkLayerEndPoint(int interfaceIndex, ushort etherType)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(interfaceIndex);
        InterfaceIndex = interfaceIndex;
        EtherType = etherType;
    }

    public int InterfaceIndex { get; }

    public ushort EtherType { get; }

    public override AddressFamily AddressFamily => AddressFamily.Packet;

    /// <summary>sll_family (the constructor writes it), sll_protocol (network order), sll_ifindex (host order); the rest zero.</summary>
    public override SocketAddress Serialize()
    {
        var address = new SocketAddress(AddressFamily.Packet, Size);
        Span<byte> bytes = address.Buffer.Span;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], EtherType);
        if (BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], InterfaceIndex);
        }
        else
        {
            BinaryPrimitives.WriteInt32BigEndian(bytes[4..], InterfaceIndex);
        }

        return address;
    }

    public override EndPoint Create(SocketAddress socketAddress)
    {
        ArgumentNullException.ThrowIfNull(socketAddress);
        ReadOnlySpan<byte> bytes = socketAddress.Buffer.Span;
        if (socketAddress.Family != AddressFamily.Packet || bytes.Length < 8)
        {
            throw new ArgumentException("Not a packet-socket address.", nameof(socketAddress));
        }

        int index = BitConverter.IsLittleEndian ? BinaryPrimitives.ReadInt32LittleEndian(bytes[4..]) : BinaryPrimitives.ReadInt32BigEndian(bytes[4..]);
        return new LinkLayerEndPoint(index, BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]));
    }

    public override string ToString() => $"ifindex {InterfaceIndex}, EtherType 0x{EtherType:x4}";
}
