using System;
using System.Buffers.Binary;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text;

namespace IpvsTools.Netlink;

/// <summary>One attribute: its type with the flag bits masked off, the flags, and its payload.</summary>
public readonly ref struct NetlinkAttribute
{
    public NetlinkAttribute(ushort rawType, ReadOnlySpan<byte> payload)
    {
        RawType = rawType;
        Payload = payload;
    }

    /// <summary>The type as sent, flags included.</summary>
    public ushort RawType { get; }

    /// <summary>The type with NLA_F_NESTED and NLA_F_NET_BYTEORDER masked off: compare this one.</summary>
    public ushort Type => (ushort)(RawType & NetlinkConstants.AttributeTypeMask);

    public bool IsNested => (RawType & NetlinkConstants.AttributeNested) != 0;
    public bool IsNetByteOrder => (RawType & NetlinkConstants.AttributeNetByteOrder) != 0;
    public ReadOnlySpan<byte> Payload { get; }

    public byte GetU8() => Payload.Length >= 1 ? Payload[0] : throw Short(1);

    /// <summary>A u16 in the order the attribute declares (big endian when NET_BYTEORDER is set).</summary>
    public ushort GetU16()
    {
        if (Payload.Length < 2) throw Short(2);
        return IsNetByteOrder ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : HostOrder.ReadU16(Payload);
    }

    /// <summary>A u16 that is big endian whatever the flag says (IPVS ports).</summary>
    public ushort GetU16BigEndian() => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : throw Short(2);

    public uint GetU32()
    {
        if (Payload.Length < 4) throw Short(4);
        return IsNetByteOrder ? BinaryPrimitives.ReadUInt32BigEndian(Payload) : HostOrder.ReadU32(Payload);
    }

    public uint GetU32BigEndian() => Payload.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(Payload) : throw Short(4);

    public ulong GetU64()
    {
        if (Payload.Length < 8) throw Short(8);
        return IsNetByteOrder ? BinaryPrimitives.ReadUInt64BigEndian(Payload) : HostOrder.ReadU64(Payload);
    }

    /// <summary>A string up to its first NUL (or the whole payload when there is none).</summary>
    public string GetString()
    {
        var end = Payload.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? Payload : Payload.Slice(0, end));
    }

    /// <summary>An address of 4 or 16 bytes.</summary>
    public IPAddress GetAddress(int length)
    {
        if (length != 4 && length != 16) throw new ArgumentOutOfRangeException(nameof(length));
        if (Payload.Length < length) throw Short(length);
        return new IPAddress(Payload.Slice(0, length));
    }

    /// <summary>The attributes inside this one.</summary>
    public NetlinkAttributeReader Nested() => new(Payload);

    private NetlinkDecodeException Short(int need)
        => new($"attribute {Type} has {Payload.Length} bytes, {need} needed");
}

/// <summary>Walks a run of attributes; malformed lengths raise <see cref="NetlinkDecodeException"/>.</summary>
public ref struct NetlinkAttributeReader
{
    private ReadOnlySpan<byte> _rest;

    public NetlinkAttributeReader(ReadOnlySpan<byte> attributes) => _rest = attributes;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryRead(out NetlinkAttribute attribute)
    {
        attribute = default;
        if (_rest.IsEmpty) return false;
        if (_rest.Length < NetlinkConstants.AttributeHeaderLength)
            throw new NetlinkDecodeException($"{_rest.Length} trailing bytes are too few for an attribute header");
        var length = HostOrder.ReadU16(_rest);
        if (length < NetlinkConstants.AttributeHeaderLength || length > _rest.Length)
            throw new NetlinkDecodeException($"attribute length {length} does not fit the {_rest.Length} bytes left");
        attribute = new NetlinkAttribute(HostOrder.ReadU16(_rest.Slice(2)), _rest.Slice(NetlinkConstants.AttributeHeaderLength, length - NetlinkConstants.AttributeHeaderLength));
        var advance = NetlinkConstants.Align(length);
        _rest = advance >= _rest.Length ? ReadOnlySpan<byte>.Empty : _rest.Slice(advance);
        return true;
    }
}
