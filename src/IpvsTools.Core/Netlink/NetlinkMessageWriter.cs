using System;
using System.Buffers.Binary;
using System.Text;
using System.Runtime.CompilerServices;

namespace IpvsTools.Netlink;

/// <summary>
/// Builds netlink messages: the 16-byte header, a family header, and attributes, nested to any depth.
/// One writer may hold several messages back to back (a batch). Lengths are patched when a message or
/// nest ends. Integers without <see cref="ByteOrder.Network"/> are written in host order, as the
/// kernel expects for plain attributes.
/// </summary>
internal sealed class NetlinkMessageWriter
{
    private byte[] _buffer;
    private int _length;
    private int _messageStart = -1;
    private int _openNests;

    public NetlinkMessageWriter(int capacity = 256) => _buffer = new byte[Math.Max(capacity, 64)];

    /// <summary>Total bytes written, all messages included.</summary>
    public int Length => _length;

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    public byte[] ToArray() => WrittenSpan.ToArray();

    /// <summary>Starts a message; its sequence number and port id are left 0 (the socket sets the sequence).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter BeginMessage(ushort type, ushort flags)
    {
        if (_messageStart >= 0) throw new InvalidOperationException("The previous message was not ended.");
        _messageStart = _length;
        var header = Reserve(NetlinkConstants.HeaderLength);
        HostOrder.WriteU16(header.Slice(4), type);
        HostOrder.WriteU16(header.Slice(6), flags);
        return this;
    }

    /// <summary>Ends the current message and writes its length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter EndMessage()
    {
        if (_messageStart < 0) throw new InvalidOperationException("No message is open.");
        if (_openNests != 0) throw new InvalidOperationException("A nested attribute was not ended.");
        HostOrder.WriteU32(_buffer.AsSpan(_messageStart), (uint)(_length - _messageStart));
        _messageStart = -1;
        return this;
    }

    /// <summary>Raw bytes after the header, for example genlmsghdr or nfgenmsg; padded to 4.</summary>
    public NetlinkMessageWriter WriteFamilyHeader(ReadOnlySpan<byte> bytes)
    {
        RequireMessage();
        bytes.CopyTo(Reserve(NetlinkConstants.Align(bytes.Length)));
        return this;
    }

    /// <summary>The generic netlink header: command, version, two reserved bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter WriteGenericHeader(byte command, byte version)
        => WriteFamilyHeader(stackalloc byte[] { command, version, 0, 0 });

    /// <summary>The nfnetlink header: family, version 0, resource id 0 (big endian).</summary>
    public NetlinkMessageWriter WriteNetfilterHeader(byte family)
        => WriteFamilyHeader(stackalloc byte[] { family, 0, 0, 0 });

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter PutBytes(ushort type, ReadOnlySpan<byte> value, bool netByteOrder = false)
    {
        RequireMessage();
        var total = NetlinkConstants.AttributeHeaderLength + value.Length;
        if (total > ushort.MaxValue) throw new ArgumentException("An attribute cannot exceed 65535 bytes.", nameof(value));
        var span = Reserve(NetlinkConstants.Align(total));
        WriteAttributeHeader(span, (ushort)total, (ushort)(type | (netByteOrder ? NetlinkConstants.AttributeNetByteOrder : 0)));
        value.CopyTo(span.Slice(NetlinkConstants.AttributeHeaderLength));
        return this;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter PutU8(ushort type, byte value) => PutBytes(type, stackalloc byte[] { value });

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter PutU16(ushort type, ushort value, ByteOrder order = ByteOrder.Host)
    {
        Span<byte> b = stackalloc byte[2];
        if (order == ByteOrder.Network) BinaryPrimitives.WriteUInt16BigEndian(b, value);
        else HostOrder.WriteU16(b, value);
        return PutBytes(type, b, order == ByteOrder.Network);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter PutU32(ushort type, uint value, ByteOrder order = ByteOrder.Host)
    {
        Span<byte> b = stackalloc byte[4];
        if (order == ByteOrder.Network) BinaryPrimitives.WriteUInt32BigEndian(b, value);
        else HostOrder.WriteU32(b, value);
        return PutBytes(type, b, order == ByteOrder.Network);
    }

    public NetlinkMessageWriter PutU64(ushort type, ulong value, ByteOrder order = ByteOrder.Host)
    {
        Span<byte> b = stackalloc byte[8];
        if (order == ByteOrder.Network) BinaryPrimitives.WriteUInt64BigEndian(b, value);
        else HostOrder.WriteU64(b, value);
        return PutBytes(type, b, order == ByteOrder.Network);
    }

    /// <summary>Port numbers and other values the kernel keeps in network order, without the NET_BYTEORDER flag (IPVS).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter PutU16BigEndianUnflagged(ushort type, ushort value)
    {
        Span<byte> b = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(b, value);
        return PutBytes(type, b);
    }

    /// <summary>A NUL-terminated string.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter PutString(ushort type, string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        Span<byte> b = count < 256 ? stackalloc byte[count + 1] : new byte[count + 1];
        Encoding.UTF8.GetBytes(value, b);
        b[count] = 0;
        return PutBytes(type, b);
    }

    public NetlinkMessageWriter PutFlag(ushort type) => PutBytes(type, ReadOnlySpan<byte>.Empty);

    /// <summary>Opens a nested attribute; pass the returned token to <see cref="EndNested"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int BeginNested(ushort type, bool flagNested = true)
    {
        RequireMessage();
        var offset = _length;
        var span = Reserve(NetlinkConstants.AttributeHeaderLength);
        WriteAttributeHeader(span, 0, (ushort)(type | (flagNested ? NetlinkConstants.AttributeNested : 0)));
        _openNests++;
        return offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public NetlinkMessageWriter EndNested(int token)
    {
        if (_openNests == 0 || token < 0 || token >= _length) throw new InvalidOperationException("No such nested attribute is open.");
        var total = _length - token;
        if (total > ushort.MaxValue) throw new InvalidOperationException("A nested attribute cannot exceed 65535 bytes.");
        HostOrder.WriteU16(_buffer.AsSpan(token), (ushort)total);
        _openNests--;
        return this;
    }

    /// <summary>Forgets every message written so far.</summary>
    public void Reset()
    {
        _length = 0;
        _messageStart = -1;
        _openNests = 0;
    }

    private void RequireMessage()
    {
        if (_messageStart < 0) throw new InvalidOperationException("BeginMessage first.");
    }

    private static void WriteAttributeHeader(Span<byte> span, ushort length, ushort type)
    {
        HostOrder.WriteU16(span, length);
        HostOrder.WriteU16(span.Slice(2), type);
    }

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + count));
        }
        var span = _buffer.AsSpan(_length, count);
        span.Clear();
        _length += count;
        return span;
    }
}

/// <summary>The byte order of an integer attribute.</summary>
internal enum ByteOrder
{
    /// <summary>The machine's order; no flag.</summary>
    Host,
    /// <summary>Big endian, with NLA_F_NET_BYTEORDER set on the attribute type.</summary>
    Network,
}
