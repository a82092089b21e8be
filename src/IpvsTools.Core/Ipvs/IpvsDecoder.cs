using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using IpvsTools.Netlink;

namespace IpvsTools.Ipvs;

/// <summary>
/// Decodes IPVS replies into models. The kernel sends its nests without NLA_F_NESTED, ports big endian
/// without NLA_F_NET_BYTEORDER, addresses as 16 bytes (IPv4 in the first 4), and a destination's
/// own family last (it may differ from the service's). Anything malformed raises
/// <see cref="NetlinkDecodeException"/>; attributes this module does not know are skipped.
/// </summary>
internal static class IpvsDecoder
{
    private const int StatsCount = 10;

    /// <summary>A service from a GET_SERVICE reply (dump or doit), without destinations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IpvsService DecodeService(NetlinkMessage message, string? networkNamespace)
    {
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type == IpvsConstants.CmdAttrService) return ReadService(attribute.Nested(), networkNamespace);
        }
        throw new NetlinkDecodeException("an IPVS service reply without a service");
    }

    /// <summary>A destination from a GET_DEST dump reply of the service <paramref name="service"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IpvsDestination DecodeDestination(NetlinkMessage message, IpvsServiceKey service, string? networkNamespace)
    {
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type == IpvsConstants.CmdAttrDest) return ReadDestination(attribute.Nested(), service, networkNamespace);
        }
        throw new NetlinkDecodeException("an IPVS destination reply without a destination");
    }

    /// <summary>The version and table size from a GET_INFO reply.</summary>
    public static IpvsInfo DecodeInfo(NetlinkMessage message)
    {
        uint? version = null;
        uint size = 0;
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IpvsConstants.InfoAttrVersion: version = attribute.GetU32(); break;
                case IpvsConstants.InfoAttrConnTabSize: size = attribute.GetU32(); break;
            }
        }
        return new IpvsInfo(version ?? throw new NetlinkDecodeException("an IPVS info reply without a version"), size);
    }

    /// <summary>The timeouts from a GET_CONFIG reply; one the kernel leaves out (protocol not built) is 0.</summary>
    public static IpvsTimeouts DecodeTimeouts(NetlinkMessage message)
    {
        uint tcp = 0, tcpFin = 0, udp = 0;
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IpvsConstants.CmdAttrTimeoutTcp: tcp = attribute.GetU32(); break;
                case IpvsConstants.CmdAttrTimeoutTcpFin: tcpFin = attribute.GetU32(); break;
                case IpvsConstants.CmdAttrTimeoutUdp: udp = attribute.GetU32(); break;
            }
        }
        return new IpvsTimeouts(tcp, tcpFin, udp);
    }

    /// <summary>A sync daemon from a GET_DAEMON dump reply.</summary>
    public static IpvsSyncDaemon DecodeDaemon(NetlinkMessage message, string? networkNamespace)
    {
        var attributes = message.Attributes(GenericNetlink.HeaderLength);
        while (attributes.TryRead(out var attribute))
        {
            if (attribute.Type != IpvsConstants.CmdAttrDaemon) continue;
            var nest = attribute.Nested();
            uint? state = null;
            string? ifname = null;
            uint syncId = 0;
            ushort maxLength = 0, port = 0;
            byte ttl = 0;
            IPAddress? group = null;
            while (nest.TryRead(out var a))
            {
                switch (a.Type)
                {
                    case IpvsConstants.DaemonAttrState: state = a.GetU32(); break;
                    case IpvsConstants.DaemonAttrMcastIfn: ifname = a.GetString(); break;
                    case IpvsConstants.DaemonAttrSyncId: syncId = a.GetU32(); break;
                    case IpvsConstants.DaemonAttrSyncMaxLen: maxLength = a.GetU16(); break;
                    case IpvsConstants.DaemonAttrMcastGroup: group = a.GetAddress(4); break;
                    case IpvsConstants.DaemonAttrMcastGroup6: group = a.GetAddress(16); break;
                    case IpvsConstants.DaemonAttrMcastPort: port = a.GetU16(); break;
                    case IpvsConstants.DaemonAttrMcastTtl: ttl = a.GetU8(); break;
                }
            }
            if (state is null || ifname is null) throw new NetlinkDecodeException("an IPVS sync daemon reply without its state or interface");
            return new IpvsSyncDaemon((IpvsSyncState)state.Value, ifname, syncId, maxLength, group, port, ttl, networkNamespace);
        }
        throw new NetlinkDecodeException("an IPVS sync daemon reply without a daemon");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IpvsService ReadService(NetlinkAttributeReader nest, string? networkNamespace)
    {
        ushort? family = null, protocol = null, port = null;
        uint fwmark = 0, flags = 0, timeout = 0;
        string? scheduler = null, engine = null;
        Span<byte> address = stackalloc byte[IpvsConstants.AddressLength];
        var addressLength = -1;
        Span<byte> netmask = stackalloc byte[4];
        var hasNetmask = false;
        Span<ulong> stats = stackalloc ulong[StatsCount];
        Span<ulong> stats64 = stackalloc ulong[StatsCount];
        bool hasStats = false, hasStats64 = false;

        while (nest.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IpvsConstants.SvcAttrAf: family = attribute.GetU16(); break;
                case IpvsConstants.SvcAttrProtocol: protocol = attribute.GetU16(); break;
                case IpvsConstants.SvcAttrAddr: addressLength = CopyAddress(attribute.Payload, address); break;
                case IpvsConstants.SvcAttrPort: port = attribute.GetU16BigEndian(); break;
                case IpvsConstants.SvcAttrFwmark: fwmark = attribute.GetU32(); break;
                case IpvsConstants.SvcAttrSchedName: scheduler = attribute.GetString(); break;
                case IpvsConstants.SvcAttrPeName: engine = attribute.GetString(); break;
                case IpvsConstants.SvcAttrFlags:
                    // struct ip_vs_flags { u32 flags; u32 mask; }: the flags that count are flags & mask.
                    flags = attribute.GetU32();
                    if (attribute.Payload.Length >= 8) flags &= HostOrder.ReadU32(attribute.Payload.Slice(4));
                    break;
                case IpvsConstants.SvcAttrTimeout: timeout = attribute.GetU32(); break;
                case IpvsConstants.SvcAttrNetmask:
                    if (attribute.Payload.Length < 4) throw new NetlinkDecodeException($"a service netmask of {attribute.Payload.Length} bytes");
                    attribute.Payload.Slice(0, 4).CopyTo(netmask);
                    hasNetmask = true;
                    break;
                case IpvsConstants.SvcAttrStats: ReadStats(attribute.Nested(), stats); hasStats = true; break;
                case IpvsConstants.SvcAttrStats64: ReadStats(attribute.Nested(), stats64); hasStats64 = true; break;
            }
        }

        var addressFamily = ToAddressFamily(family ?? throw new NetlinkDecodeException("an IPVS service without its address family"));
        IpvsServiceKey key;
        if (fwmark != 0)
        {
            key = IpvsServiceKey.FromKernel(addressFamily, IpvsProtocol.None, null, 0, fwmark);
        }
        else
        {
            if (protocol is null || port is null || addressLength < 0)
                throw new NetlinkDecodeException("an IPVS service with neither a firewall mark nor protocol, address and port");
            key = IpvsServiceKey.FromKernel(addressFamily, (IpvsProtocol)protocol.Value, ToAddress(addressFamily, address, addressLength), port.Value, 0);
        }
        if (scheduler is null) throw new NetlinkDecodeException($"IPVS service {key.DisplayName} came without its scheduler");

        string mask;
        if (addressFamily == AddressFamily.InterNetwork)
            mask = new IPAddress(hasNetmask ? netmask : stackalloc byte[] { 255, 255, 255, 255 }).ToString();
        else
            mask = (hasNetmask ? HostOrder.ReadU32(netmask) : 128u).ToString(CultureInfo.InvariantCulture);

        var counters = hasStats64 ? stats64 : hasStats ? stats : stackalloc ulong[StatsCount];
        return new IpvsService(key, scheduler, flags, timeout, mask, engine, null, Statistics(counters), Rates(counters), networkNamespace);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IpvsDestination ReadDestination(NetlinkAttributeReader nest, IpvsServiceKey service, string? networkNamespace)
    {
        ushort? family = null, port = null, tunnelPort = null, tunnelFlags = null;
        byte? tunnelType = null;
        uint forwarding = 0, weight = 0, upper = 0, lower = 0, active = 0, inactive = 0, persistent = 0;
        Span<byte> address = stackalloc byte[IpvsConstants.AddressLength];
        var addressLength = -1;
        Span<ulong> stats = stackalloc ulong[StatsCount];
        Span<ulong> stats64 = stackalloc ulong[StatsCount];
        bool hasStats = false, hasStats64 = false;

        while (nest.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case IpvsConstants.DestAttrAddr: addressLength = CopyAddress(attribute.Payload, address); break;
                case IpvsConstants.DestAttrPort: port = attribute.GetU16BigEndian(); break;
                case IpvsConstants.DestAttrFwdMethod: forwarding = attribute.GetU32() & IpvsConstants.FwdMask; break;
                case IpvsConstants.DestAttrWeight: weight = attribute.GetU32(); break;
                case IpvsConstants.DestAttrUThresh: upper = attribute.GetU32(); break;
                case IpvsConstants.DestAttrLThresh: lower = attribute.GetU32(); break;
                case IpvsConstants.DestAttrActiveConns: active = attribute.GetU32(); break;
                case IpvsConstants.DestAttrInactConns: inactive = attribute.GetU32(); break;
                case IpvsConstants.DestAttrPersistConns: persistent = attribute.GetU32(); break;
                case IpvsConstants.DestAttrAddrFamily: family = attribute.GetU16(); break;
                case IpvsConstants.DestAttrTunType: tunnelType = attribute.GetU8(); break;
                case IpvsConstants.DestAttrTunPort: tunnelPort = attribute.GetU16BigEndian(); break;
                case IpvsConstants.DestAttrTunFlags: tunnelFlags = attribute.GetU16(); break;
                case IpvsConstants.DestAttrStats: ReadStats(attribute.Nested(), stats); hasStats = true; break;
                case IpvsConstants.DestAttrStats64: ReadStats(attribute.Nested(), stats64); hasStats64 = true; break;
            }
        }

        // Kernels before the mixed-family pools send no family: the destination then has the service's.
        var addressFamily = family is null ? service.AddressFamily : ToAddressFamily(family.Value);
        if (addressLength < 0 || port is null)
            throw new NetlinkDecodeException($"a destination of IPVS service {service.DisplayName} without its address and port");
        var ip = ToAddress(addressFamily, address, addressLength);

        var method = (IpvsForwardingMethod)forwarding;
        IpvsTunnelType? type = null;
        ushort? shownPort = null;
        string? shownFlags = null;
        if (method == IpvsForwardingMethod.Tunnel)
        {
            type = (IpvsTunnelType)(tunnelType ?? IpvsConstants.TunnelIpip);
            if (type == IpvsTunnelType.Gue || tunnelPort is > 0) shownPort = tunnelPort ?? 0;
            if (type != IpvsTunnelType.Ipip) shownFlags = TunnelFlagNames(tunnelFlags ?? 0);
        }

        var counters = hasStats64 ? stats64 : hasStats ? stats : stackalloc ulong[StatsCount];
        return new IpvsDestination(service, addressFamily, ip, port.Value, method, unchecked((int)weight), upper, lower,
            active, inactive, persistent, type, shownPort, shownFlags, Statistics(counters), Rates(counters), networkNamespace);
    }

    /// <summary>nocsum for 0; otherwise csum and remcsum by bit, unknown bits as 0x-hex, comma-separated.</summary>
    internal static string TunnelFlagNames(ushort flags)
    {
        if (flags == 0) return "nocsum";
        var names = new List<string>(2);
        if ((flags & IpvsConstants.TunnelFlagCsum) != 0) names.Add("csum");
        if ((flags & IpvsConstants.TunnelFlagRemoteCsum) != 0) names.Add("remcsum");
        for (var bit = 2; bit < 16; bit++)
        {
            if ((flags & (1 << bit)) != 0) names.Add("0x" + (1 << bit).ToString("x", CultureInfo.InvariantCulture));
        }
        return string.Join(",", names);
    }

    /// <summary>
    /// The counters of a STATS or STATS64 nest, by width: STATS holds u32 counters and rates with u64
    /// byte counts, STATS64 only u64s. PAD and unknown attributes are skipped.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ReadStats(NetlinkAttributeReader nest, Span<ulong> into)
    {
        while (nest.TryRead(out var attribute))
        {
            var index = attribute.Type - IpvsConstants.StatsAttrConns;
            if (index < 0 || index >= StatsCount) continue;
            into[index] = attribute.Payload.Length switch
            {
                >= 8 => HostOrder.ReadU64(attribute.Payload),
                >= 4 => HostOrder.ReadU32(attribute.Payload),
                _ => throw new NetlinkDecodeException($"a statistics counter of {attribute.Payload.Length} bytes"),
            };
        }
    }

    // Idle services and real servers (most of a large table) share the one zero object: they are immutable.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IpvsStatistics Statistics(ReadOnlySpan<ulong> c)
        => (c[0] | c[1] | c[2] | c[3] | c[4]) == 0 ? IpvsStatistics.Zero : new(c[0], c[1], c[2], c[3], c[4]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IpvsRates Rates(ReadOnlySpan<ulong> c)
        => (c[5] | c[6] | c[7] | c[8] | c[9]) == 0 ? IpvsRates.Zero : new(c[5], c[6], c[7], c[8], c[9]);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int CopyAddress(ReadOnlySpan<byte> payload, Span<byte> into)
    {
        into.Clear();
        var length = Math.Min(payload.Length, IpvsConstants.AddressLength);
        payload.Slice(0, length).CopyTo(into);
        return length;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IPAddress ToAddress(AddressFamily family, ReadOnlySpan<byte> address, int length)
    {
        var need = family == AddressFamily.InterNetwork ? 4 : 16;
        if (length < need) throw new NetlinkDecodeException($"an address of {length} bytes, {need} needed");
        return new IPAddress(address.Slice(0, need));
    }

    private static AddressFamily ToAddressFamily(ushort family) => family switch
    {
        IpvsConstants.AfInet => AddressFamily.InterNetwork,
        IpvsConstants.AfInet6 => AddressFamily.InterNetworkV6,
        _ => throw new NetlinkDecodeException($"address family {family} is neither IPv4 (2) nor IPv6 (10)"),
    };
}
