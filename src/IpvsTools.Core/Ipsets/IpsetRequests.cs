using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;

namespace IpvsTools.Ipsets;

/// <summary>
/// The ipset requests as bytes: nlmsghdr (type 6 &lt;&lt; 8 | cmd; sequence and port left 0 for the
/// socket), nfgenmsg {AF_INET, 0, 0}, IPSET_ATTR_PROTOCOL first. Nests carry NLA_F_NESTED; u16, u32
/// and u64 data values and addresses carry NLA_F_NET_BYTEORDER with big-endian bytes; u8 values,
/// strings and LINENO (a host-order u32) carry no flag. Add and del carry EXCL unless -exist.
/// </summary>
internal static class IpsetRequests
{
    private const ushort RequestAck = NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck;

    /// <summary>IPSET_CMD_TYPE: which revisions of a type the kernel has for a family.</summary>
    public static NetlinkMessageWriter Type(byte protocol, string typeName, byte family)
        => Begin(IpsetConstants.CmdType, RequestAck, protocol)
            .PutString(IpsetConstants.AttrTypeName, typeName)
            .PutU8(IpsetConstants.AttrFamily, family)
            .EndMessage();

    /// <summary>IPSET_CMD_CREATE with the type's negotiated revision.</summary>
    public static NetlinkMessageWriter Create(byte protocol, string name, IpsetCreateOptions options, byte revision, bool exist)
    {
        var flags = (ushort)(RequestAck | NetlinkConstants.FlagCreate | (exist ? 0 : NetlinkConstants.FlagExclusive));
        var w = Begin(IpsetConstants.CmdCreate, flags, protocol)
            .PutString(IpsetConstants.AttrSetName, name)
            .PutString(IpsetConstants.AttrTypeName, options.Type)
            .PutU8(IpsetConstants.AttrRevision, revision)
            .PutU8(IpsetConstants.AttrFamily, FamilyByte(options.EffectiveFamily));
        var data = w.BeginNested(IpsetConstants.AttrData);
        if (options.RangeFrom is { } from) w.PutU16(IpsetConstants.AttrPort, from, ByteOrder.Network);
        if (options.RangeTo is { } to) w.PutU16(IpsetConstants.AttrPortTo, to, ByteOrder.Network);
        if (options.AddressRangeFrom is { } ipFrom) PutAddress(w, IpsetConstants.AttrIp, ipFrom);
        if (options.AddressRangeTo is { } ipTo) PutAddress(w, IpsetConstants.AttrIpTo, ipTo);
        if (options.Size is { } size) w.PutU32(IpsetConstants.AttrSize, size, ByteOrder.Network);
        if (options.MarkMask is { } markMask) w.PutU32(IpsetConstants.AttrMarkMask, markMask, ByteOrder.Network);
        if (options.Bitmask is { } bitmask) PutAddress(w, IpsetConstants.AttrBitmask, bitmask);
        if (options.HashSize is { } hashSize) w.PutU32(IpsetConstants.AttrHashSize, hashSize, ByteOrder.Network);
        if (options.MaxElements is { } maxElements) w.PutU32(IpsetConstants.AttrMaxElem, maxElements, ByteOrder.Network);
        if (options.Netmask is { } netmask) w.PutU8(IpsetConstants.AttrNetmask, netmask);
        if (options.Timeout is { } timeout) w.PutU32(IpsetConstants.AttrTimeout, timeout, ByteOrder.Network);
        if (options.BucketSize is { } bucketSize) w.PutU8(IpsetConstants.AttrBucketSize, bucketSize);
        if (options.InitVal is { } initVal) w.PutU32(IpsetConstants.AttrInitVal, initVal, ByteOrder.Network);
        var cadt = (options.Counters ? IpsetConstants.FlagWithCounters : 0) | (options.Comment ? IpsetConstants.FlagWithComment : 0)
            | (options.SkbInfo ? IpsetConstants.FlagWithSkbInfo : 0) | (options.ForceAdd ? IpsetConstants.FlagWithForceAdd : 0);
        if (cadt != 0) w.PutU32(IpsetConstants.AttrCadtFlags, cadt, ByteOrder.Network);
        w.EndNested(data);
        return w.EndMessage();
    }

    /// <summary>IPSET_CMD_DESTROY of one set, or of every set when <paramref name="name"/> is null.</summary>
    public static NetlinkMessageWriter Destroy(byte protocol, string? name, bool exist)
        => Named(IpsetConstants.CmdDestroy, (ushort)(RequestAck | (exist ? 0 : NetlinkConstants.FlagExclusive)), protocol, name);

    /// <summary>IPSET_CMD_FLUSH of one set, or of every set when <paramref name="name"/> is null.</summary>
    public static NetlinkMessageWriter Flush(byte protocol, string? name) => Named(IpsetConstants.CmdFlush, RequestAck, protocol, name);

    /// <summary>IPSET_CMD_RENAME: SETNAME becomes SETNAME2.</summary>
    public static NetlinkMessageWriter Rename(byte protocol, string from, string to) => Pair(IpsetConstants.CmdRename, protocol, from, to);

    /// <summary>IPSET_CMD_SWAP: the two names trade sets.</summary>
    public static NetlinkMessageWriter Swap(byte protocol, string first, string second) => Pair(IpsetConstants.CmdSwap, protocol, first, second);

    /// <summary>
    /// One IPSET_CMD_ADD or DEL carrying many elements: a command-level LINENO (the kernel writes the
    /// failing element's line into it in the echoed request) and an ADT nest of DATA nests, each with its
    /// own LINENO. <paramref name="lines"/> gives each entry's line number (above 0).
    /// </summary>
    public static NetlinkMessageWriter Batch(byte command, byte protocol, string name, IReadOnlyList<IpsetEntry> entries, int start, int count,
        Func<int, uint> lines, bool exist)
    {
        if (command != IpsetConstants.CmdAdd && command != IpsetConstants.CmdDel) throw new ArgumentOutOfRangeException(nameof(command));
        var flags = (ushort)(RequestAck | (exist ? 0 : NetlinkConstants.FlagExclusive));
        var w = Begin(command, flags, protocol, capacity: 64 + count * 48)
            .PutString(IpsetConstants.AttrSetName, name)
            .PutU32(IpsetConstants.AttrLineNo, 0);
        var adt = w.BeginNested(IpsetConstants.AttrAdt);
        for (var i = start; i < start + count; i++)
        {
            var data = w.BeginNested(IpsetConstants.AttrData);
            PutEntry(w, entries[i], command == IpsetConstants.CmdAdd);
            w.PutU32(IpsetConstants.AttrLineNo, lines(i));
            w.EndNested(data);
        }
        w.EndNested(adt);
        return w.EndMessage();
    }

    /// <summary>IPSET_CMD_TEST of one element (the kernel takes no batch for test); with nomatch, as `ipset test SET NET nomatch`.</summary>
    public static NetlinkMessageWriter Test(byte protocol, string name, IpsetElement element, bool noMatch = false)
    {
        var w = Begin(IpsetConstants.CmdTest, RequestAck, protocol).PutString(IpsetConstants.AttrSetName, name);
        var data = w.BeginNested(IpsetConstants.AttrData);
        PutElement(w, element);
        PutCadtFlags(w, element, noMatch);
        w.EndNested(data);
        return w.EndMessage();
    }

    /// <summary>The bytes one entry takes inside the ADT nest (for sizing batches below the 64 KiB nest limit).</summary>
    public static int EncodedLength(IpsetEntry entry, bool add)
    {
        var w = new NetlinkMessageWriter(128);
        w.BeginMessage(0, 0);
        var data = w.BeginNested(IpsetConstants.AttrData);
        PutEntry(w, entry, add);
        w.PutU32(IpsetConstants.AttrLineNo, 1);
        w.EndNested(data);
        return w.Length - NetlinkConstants.HeaderLength;
    }

    private static void PutEntry(NetlinkMessageWriter w, IpsetEntry entry, bool add)
    {
        PutElement(w, entry.Element);
        if (!add)
        {
            PutCadtFlags(w, entry.Element, false);
            return;
        }
        if (entry.Timeout is { } timeout) w.PutU32(IpsetConstants.AttrTimeout, timeout, ByteOrder.Network);
        PutCadtFlags(w, entry.Element, entry.NoMatch, entry.Wildcard);
        if (entry.Bytes is { } bytes) w.PutU64(IpsetConstants.AttrBytes, bytes, ByteOrder.Network);
        if (entry.Packets is { } packets) w.PutU64(IpsetConstants.AttrPackets, packets, ByteOrder.Network);
        if (entry.Comment is { } comment) w.PutString(IpsetConstants.AttrComment, comment);
        if (entry.SkbMark is { } mark) w.PutU64(IpsetConstants.AttrSkbMark, (ulong)mark << 32 | entry.SkbMarkMask!.Value, ByteOrder.Network);
        if (entry.SkbPriority is { } priority) w.PutU32(IpsetConstants.AttrSkbPrio, priority, ByteOrder.Network);
        if (entry.SkbQueue is { } queue) w.PutU16(IpsetConstants.AttrSkbQueue, queue, ByteOrder.Network);
    }

    /// <summary>CADT_FLAGS of an element: nomatch, physdev (hash:net,iface), before (list:set); none when no flag is set.</summary>
    private static void PutCadtFlags(NetlinkMessageWriter w, IpsetElement e, bool noMatch, bool wildcard = false)
    {
        var flags = (noMatch ? IpsetConstants.FlagNoMatch : 0) | (wildcard ? IpsetConstants.FlagIfaceWildcard : 0) | (e.PhysicalDevice ? IpsetConstants.FlagPhysdev : 0)
            | (e.Reference is not null && e.Before ? IpsetConstants.FlagBefore : 0);
        if (flags != 0) w.PutU32(IpsetConstants.AttrCadtFlags, flags, ByteOrder.Network);
    }

    /// <summary>The element's attributes: IP (and CIDR or IP_TO), PORT (and PORT_TO), PROTO, IP2 (and CIDR2 or IP2_TO), ETHER, IFACE, MARK, NAME (and NAMEREF).</summary>
    internal static void PutElement(NetlinkMessageWriter w, IpsetElement e)
    {
        var addressIndex = 0;
        foreach (var dimension in e.Type.Dimensions)
        {
            switch (dimension)
            {
                case IpsetDimension.Mac:
                    if (e.Mac is { } mac) w.PutBytes(IpsetConstants.AttrEther, mac, netByteOrder: false);
                    continue;
                case IpsetDimension.Interface:
                    w.PutString(IpsetConstants.AttrIface, e.Interface!);
                    continue;
                case IpsetDimension.Mark:
                    w.PutU32(IpsetConstants.AttrMark, e.Mark ?? 0, ByteOrder.Network);
                    continue;
                case IpsetDimension.SetName:
                    w.PutString(IpsetConstants.AttrName, e.SetName!);
                    if (e.Reference is { } reference) w.PutString(IpsetConstants.AttrNameRef, reference);
                    continue;
            }
            if (dimension == IpsetDimension.Port)
            {
                w.PutU16(IpsetConstants.AttrPort, e.Port ?? 0, ByteOrder.Network);
                if (e.PortTo is { } portTo) w.PutU16(IpsetConstants.AttrPortTo, portTo, ByteOrder.Network);
                if (e.Protocol is { } protocol) w.PutU8(IpsetConstants.AttrProto, protocol);
                continue;
            }
            var isNet = dimension == IpsetDimension.Net;
            if (addressIndex++ == 0)
            {
                PutAddress(w, IpsetConstants.AttrIp, e.Address!);
                if (e.AddressTo is { } to) PutAddress(w, IpsetConstants.AttrIpTo, to);
                else if (e.Cidr is { } cidr && (isNet || cidr != Full(e.Address!))) w.PutU8(IpsetConstants.AttrCidr, cidr);
            }
            else
            {
                PutAddress(w, IpsetConstants.AttrIp2, e.Address2!);
                if (e.Address2To is { } to) PutAddress(w, IpsetConstants.AttrIp2To, to);
                else if (isNet && e.Cidr2 is { } cidr2) w.PutU8(IpsetConstants.AttrCidr2, cidr2);
            }
        }
    }

    private static void PutAddress(NetlinkMessageWriter w, ushort type, IPAddress address)
    {
        var nest = w.BeginNested(type);
        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        w.PutBytes(v6 ? IpsetConstants.AttrIpv6 : IpsetConstants.AttrIpv4, address.GetAddressBytes(), netByteOrder: true);
        w.EndNested(nest);
    }

    private static int Full(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;

    internal static byte FamilyByte(string? family) => family switch
    {
        null => IpsetConstants.FamilyUnspec,
        "inet" => IpsetConstants.FamilyInet,
        "inet6" => IpsetConstants.FamilyInet6,
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, "inet or inet6"),
    };

    private static NetlinkMessageWriter Named(byte command, ushort flags, byte protocol, string? name)
    {
        var w = Begin(command, flags, protocol);
        if (name is not null) w.PutString(IpsetConstants.AttrSetName, name);
        return w.EndMessage();
    }

    private static NetlinkMessageWriter Pair(byte command, byte protocol, string first, string second)
        => Begin(command, RequestAck, protocol)
            .PutString(IpsetConstants.AttrSetName, first)
            .PutString(IpsetConstants.AttrTypeName, second)
            .EndMessage();

    private static NetlinkMessageWriter Begin(byte command, ushort flags, byte protocol, int capacity = 256)
        => new NetlinkMessageWriter(capacity)
            .BeginMessage(IpsetConstants.MessageType(command), flags)
            .WriteNetfilterHeader(IpsetConstants.FamilyInet)
            .PutU8(IpsetConstants.AttrProtocol, protocol);
}
