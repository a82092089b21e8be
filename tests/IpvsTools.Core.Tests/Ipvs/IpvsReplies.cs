using System.Net;
using IpvsTools.Netlink;
using Xunit;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// Builds IPVS replies the way the kernel lays them out (ip_vs_genl_fill_service / _fill_dest /
/// _get_cmd): nests WITHOUT NLA_F_NESTED, ports big endian without NET_BYTEORDER, addresses as 16
/// bytes, a destination's ADDR_FAMILY last, STATS then STATS64. The byte layout of one such reply is
/// pinned against a hand-written vector in <see cref="IpvsDecoderTests"/>.
/// </summary>
internal static class IpvsReplies
{
    public const ushort Family = 0x1c;

    public static byte[] Address16(string address)
    {
        var bytes = new byte[16];
        IPAddress.Parse(address).GetAddressBytes().CopyTo(bytes, 0);
        return bytes;
    }

    public static byte[] Service(ushort af, ushort protocol = 0, string? address = null, ushort port = 0, uint fwmark = 0,
        string scheduler = "rr", uint flags = 0x2, uint timeout = 0, byte[]? netmask = null, string? engine = null,
        ulong[]? stats = null, bool withStats64 = true)
    {
        var w = new NetlinkMessageWriter();
        w.BeginMessage(Family, NetlinkConstants.FlagMulti).WriteGenericHeader(1, 1);
        var nest = w.BeginNested(1, flagNested: false);
        w.PutU16(1, af);
        if (fwmark != 0) w.PutU32(5, fwmark);
        else w.PutU16(2, protocol).PutBytes(3, Address16(address!)).PutU16BigEndianUnflagged(4, port);
        w.PutString(6, scheduler);
        if (engine is not null) w.PutString(11, engine);
        var flagBytes = new byte[8];
        BitConverter.TryWriteBytes(flagBytes.AsSpan(0), flags);
        BitConverter.TryWriteBytes(flagBytes.AsSpan(4), 0xffffffffu);
        w.PutBytes(7, flagBytes).PutU32(8, timeout).PutBytes(9, netmask ?? [0xff, 0xff, 0xff, 0xff]);
        WriteStats(w, 10, stats ?? new ulong[10], wide: false);
        if (withStats64) WriteStats(w, 12, stats ?? new ulong[10], wide: true);
        w.EndNested(nest);
        w.EndMessage();
        return w.ToArray();
    }

    public static byte[] Destination(string address, ushort port, uint forwarding = 0, uint weight = 1, byte tunnelType = 0,
        ushort tunnelPort = 0, ushort tunnelFlags = 0, uint upper = 0, uint lower = 0, uint active = 0, uint inactive = 0,
        uint persistent = 0, ushort? af = null, ulong[]? stats = null)
    {
        var w = new NetlinkMessageWriter();
        w.BeginMessage(Family, NetlinkConstants.FlagMulti).WriteGenericHeader(5, 1);
        var nest = w.BeginNested(2, flagNested: false);
        w.PutBytes(1, Address16(address)).PutU16BigEndianUnflagged(2, port).PutU32(3, forwarding).PutU32(4, weight)
            .PutU8(13, tunnelType).PutU16BigEndianUnflagged(14, tunnelPort).PutU16(15, tunnelFlags)
            .PutU32(5, upper).PutU32(6, lower).PutU32(7, active).PutU32(8, inactive).PutU32(9, persistent);
        if (af is not null) w.PutU16(11, af.Value);
        WriteStats(w, 10, stats ?? new ulong[10], wide: false);
        WriteStats(w, 12, stats ?? new ulong[10], wide: true);
        w.EndNested(nest);
        w.EndMessage();
        return w.ToArray();
    }

    public static byte[] Info(uint version, uint size)
    {
        var w = new NetlinkMessageWriter();
        w.BeginMessage(Family, 0).WriteGenericHeader(14, 1).PutU32(1, version).PutU32(2, size).EndMessage();
        return w.ToArray();
    }

    public static byte[] Config(uint tcp, uint tcpFin, uint udp)
    {
        var w = new NetlinkMessageWriter();
        w.BeginMessage(Family, 0).WriteGenericHeader(12, 1).PutU32(4, tcp).PutU32(5, tcpFin).PutU32(6, udp).EndMessage();
        return w.ToArray();
    }

    /// <summary>STATS: conns, inpkts, outpkts, cps..outbps as u32 and the byte counts as u64; STATS64: all u64.</summary>
    private static void WriteStats(NetlinkMessageWriter w, ushort type, ulong[] values, bool wide)
    {
        var nest = w.BeginNested(type, flagNested: false);
        for (ushort i = 0; i < 10; i++)
        {
            var attribute = (ushort)(i + 1);
            if (wide || attribute is 4 or 5) w.PutU64(attribute, values[i]);
            else w.PutU32(attribute, (uint)values[i]);
        }
        w.EndNested(nest);
    }

    /// <summary>The first message of a buffer, handed to <paramref name="decode"/>.</summary>
    public static T DecodeFirst<T>(byte[] bytes, Func<NetlinkMessage, T> decode)
    {
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        return decode(message);
    }
}
