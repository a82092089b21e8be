using System;
using System.Runtime.CompilerServices;

namespace IpvsTools.Netlink;

/// <summary>One netlink message inside a receive buffer.</summary>
public readonly ref struct NetlinkMessage
{
    public NetlinkMessage(ushort type, ushort flags, uint sequence, uint portId, ReadOnlySpan<byte> payload)
    {
        Type = type;
        Flags = flags;
        Sequence = sequence;
        PortId = portId;
        Payload = payload;
    }

    public ushort Type { get; }
    public ushort Flags { get; }
    public uint Sequence { get; }
    public uint PortId { get; }

    /// <summary>Everything after the 16-byte header.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    public bool HasFlag(ushort flag) => (Flags & flag) == flag;

    /// <summary>The attributes after a family header of <paramref name="familyHeaderLength"/> bytes.</summary>
    public NetlinkAttributeReader Attributes(int familyHeaderLength)
    {
        if (Payload.Length < familyHeaderLength)
            throw new NetlinkDecodeException($"message of type {Type} has {Payload.Length} payload bytes, less than its {familyHeaderLength}-byte family header");
        return new NetlinkAttributeReader(Payload.Slice(Math.Min(NetlinkConstants.Align(familyHeaderLength), Payload.Length)));
    }
}

/// <summary>Walks the messages of one receive buffer; malformed framing raises <see cref="NetlinkDecodeException"/>.</summary>
internal ref struct NetlinkMessageReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkMessageReader(ReadOnlySpan<byte> buffer) => _rest = buffer;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRead(out NetlinkMessage message)
    {
        message = default;
        if (_rest.IsEmpty) return false;
        if (_rest.Length < NetlinkConstants.HeaderLength)
            throw new NetlinkDecodeException($"{_rest.Length} trailing bytes are too few for a message header");
        var length = HostOrder.ReadU32(_rest);
        if (length < NetlinkConstants.HeaderLength || length > (uint)_rest.Length)
            throw new NetlinkDecodeException($"message length {length} does not fit the {_rest.Length} bytes left");
        message = new NetlinkMessage(
            HostOrder.ReadU16(_rest.Slice(4)),
            HostOrder.ReadU16(_rest.Slice(6)),
            HostOrder.ReadU32(_rest.Slice(8)),
            HostOrder.ReadU32(_rest.Slice(12)),
            _rest.Slice(NetlinkConstants.HeaderLength, (int)length - NetlinkConstants.HeaderLength));
        var advance = NetlinkConstants.Align((int)length);
        _rest = advance >= _rest.Length ? ReadOnlySpan<byte>.Empty : _rest.Slice(advance);
        return true;
    }
}
