using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>Replies decoded from byte vectors laid out as ip_vs_ctl.c writes them.</summary>
public class IpvsDecoderTests
{
    /// <summary>
    /// A GET_SERVICE dump reply, written out by hand: TCP 10.96.0.10:53 rr, flags HASHED (mask ~0),
    /// timeout 0, netmask all ones, STATS (u32 counters: conns cut to 5) and STATS64 (conns 0x100000005).
    /// Nests carry no NESTED flag; the port is big endian without NET_BYTEORDER.
    /// </summary>
    internal static readonly byte[] HandWrittenServiceReply = Hex.Bytes("""
        40010000 1c00 0200 00000000 00000000  01010000
        2c01 0100
          0600 0100 0200 0000
          0600 0200 0600 0000
          1400 0300 0a60000a 00000000 00000000 00000000
          0600 0400 0035 0000
          0700 0600 727200 00
          0c00 0700 02000000 ffffffff
          0800 0800 00000000
          0800 0900 ffffffff
          5c00 0a00
            0800 0100 05000000
            0800 0200 07000000
            0800 0300 00000000
            0c00 0400 3412000000000000
            0c00 0500 0000000000000000
            0800 0600 01000000
            0800 0700 02000000
            0800 0800 03000000
            0800 0900 04000000
            0800 0a00 05000000
          7c00 0c00
            0c00 0100 0500000001000000
            0c00 0200 0700000000000000
            0c00 0300 0000000000000000
            0c00 0400 3412000000000000
            0c00 0500 0000000000000000
            0c00 0600 0100000000000000
            0c00 0700 0200000000000000
            0c00 0800 0300000000000000
            0c00 0900 0400000000000000
            0c00 0a00 0500000000000000
        """);

    private static readonly ulong[] Counters = [0x100000005, 7, 0, 0x1234, 0, 1, 2, 3, 4, 5];

    private static readonly IpvsServiceKey ClusterDns = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.10"), 53);

    private static IpvsService Service(byte[] bytes, string? ns = null) => IpvsReplies.DecodeFirst(bytes, m => IpvsDecoder.DecodeService(m, ns));

    private static IpvsDestination Destination(byte[] bytes, IpvsServiceKey? service = null)
        => IpvsReplies.DecodeFirst(bytes, m => IpvsDecoder.DecodeDestination(m, service ?? ClusterDns, null));

    [Fact]
    public void TheReplyBuilderLaysOutBytesAsTheKernel()
    {
        var built = IpvsReplies.Service(2, 6, "10.96.0.10", 53, stats: Counters);
        Assert.Equal(Hex.Of(HandWrittenServiceReply), Hex.Of(built));
    }

    [Fact]
    public void ServiceWithStats64()
    {
        var service = Service(HandWrittenServiceReply, "lab");
        Assert.Equal(IpvsProtocol.Tcp, service.Protocol);
        Assert.Equal(IPAddress.Parse("10.96.0.10"), service.Address);
        Assert.Equal((ushort)53, service.Port);
        Assert.Equal(0u, service.FirewallMark);
        Assert.Equal(AddressFamily.InterNetwork, service.AddressFamily);
        Assert.Equal("rr", service.Scheduler);
        Assert.Empty(service.Flags);
        Assert.Equal(0u, service.RawFlags); // HASHED stripped
        Assert.False(service.IsPersistent);
        Assert.Equal(0u, service.PersistenceTimeout);
        Assert.Equal("255.255.255.255", service.Netmask);
        Assert.Null(service.PersistenceEngine);
        Assert.Empty(service.Destinations);
        Assert.Equal("lab", service.NetworkNamespace);
        Assert.Equal(ClusterDns, service.Key);
        Assert.Equal("TCP 10.96.0.10:53", service.ToString());
        Assert.Equal("TCP  10.96.0.10:53", service.Key.ToString());

        // STATS64 wins over the 32-bit STATS.
        Assert.Equal(0x100000005UL, service.Statistics.Connections);
        Assert.Equal(7UL, service.Statistics.IncomingPackets);
        Assert.Equal(0UL, service.Statistics.OutgoingPackets);
        Assert.Equal(0x1234UL, service.Statistics.IncomingBytes);
        Assert.Equal(0UL, service.Statistics.OutgoingBytes);
        Assert.Equal(1UL, service.Rates.ConnectionsPerSecond);
        Assert.Equal(2UL, service.Rates.IncomingPacketsPerSecond);
        Assert.Equal(3UL, service.Rates.OutgoingPacketsPerSecond);
        Assert.Equal(4UL, service.Rates.IncomingBytesPerSecond);
        Assert.Equal(5UL, service.Rates.OutgoingBytesPerSecond);
    }

    [Fact]
    public void OlderKernelsSendOnly32BitStats()
    {
        var service = Service(IpvsReplies.Service(2, 17, "10.96.0.10", 53, stats: Counters, withStats64: false));
        Assert.Equal(IpvsProtocol.Udp, service.Protocol);
        Assert.Equal(5UL, service.Statistics.Connections);
        Assert.Equal(0x1234UL, service.Statistics.IncomingBytes);
        Assert.Equal(5UL, service.Rates.OutgoingBytesPerSecond);
    }

    [Fact]
    public void PersistentServiceWithNetmask()
    {
        // kube-proxy's ClientIP affinity: PERSISTENT (| HASHED), 10800 s; here with a /24 granularity.
        var service = Service(IpvsReplies.Service(2, 6, "192.168.49.2", 30080, flags: 0x3, timeout: 10800, netmask: [255, 255, 255, 0]));
        Assert.True(service.IsPersistent);
        Assert.Equal(["persistent"], service.Flags);
        Assert.Equal(1u, service.RawFlags);
        Assert.Equal(10800u, service.PersistenceTimeout);
        Assert.Equal("255.255.255.0", service.Netmask);
        Assert.Equal("TCP  192.168.49.2:30080 rr persistent 10800 mask 255.255.255.0", IpvsadmText.FormatServiceLine(service));
    }

    [Fact]
    public void ShSchedulerFlags()
    {
        var service = Service(IpvsReplies.Service(2, 6, "10.96.0.1", 443, scheduler: "sh", flags: 0x2 | 0x8 | 0x10));
        Assert.Equal(["sh-fallback", "sh-port"], service.Flags);
        Assert.Equal(0x18u, service.RawFlags);
        Assert.Equal("TCP  10.96.0.1:443 sh (sh-fallback,sh-port)", IpvsadmText.FormatServiceLine(service));
    }

    [Fact]
    public void MhSchedulerFlagsWithEngineAndOnePacket()
    {
        // kube-proxy gives mh SCHED2 (mh-port); here also persistent with the sip engine and one-packet scheduling.
        var service = Service(IpvsReplies.Service(2, 17, "10.96.0.20", 5060, scheduler: "mh", flags: 0x1 | 0x2 | 0x4 | 0x10,
            timeout: 360, engine: "sip"));
        Assert.Equal(["persistent", "one-packet", "mh-port"], service.Flags);
        Assert.Equal("sip", service.PersistenceEngine);
        Assert.Equal("UDP  10.96.0.20:5060 mh (mh-port) persistent 360 pe sip ops", IpvsadmText.FormatServiceLine(service));
        var both = Service(IpvsReplies.Service(2, 6, "10.96.0.20", 80, scheduler: "mh", flags: 0x18));
        Assert.Equal(["mh-fallback", "mh-port"], both.Flags);
    }

    [Fact]
    public void FirewallMarkIPv6Service()
    {
        // The kernel sends AF and FWMARK but no protocol, address or port; an IPv6 netmask is a prefix length in host order.
        var service = Service(IpvsReplies.Service(10, fwmark: 5, scheduler: "wlc", netmask: [128, 0, 0, 0]));
        Assert.Equal(AddressFamily.InterNetworkV6, service.AddressFamily);
        Assert.Equal(IpvsProtocol.None, service.Protocol);
        Assert.Null(service.Address);
        Assert.Equal((ushort)0, service.Port);
        Assert.Equal(5u, service.FirewallMark);
        Assert.Equal("128", service.Netmask);
        Assert.Equal(IpvsServiceKey.ForFirewallMark(5, AddressFamily.InterNetworkV6), service.Key);
        Assert.Equal("FWM  5 IPv6", service.Key.ToString());
        Assert.Equal("FWM 5 IPv6", service.ToString());
        Assert.Equal("FWM  5 IPv6 wlc", IpvsadmText.FormatServiceLine(service));
    }

    [Fact]
    public void IPv6ServiceAddress()
    {
        var service = Service(IpvsReplies.Service(10, 6, "fd00::10", 80, netmask: [128, 0, 0, 0]));
        Assert.Equal(IPAddress.Parse("fd00::10"), service.Address);
        Assert.Equal("TCP  [fd00::10]:80", service.Key.ToString());
        Assert.Equal("TCP [fd00::10]:80", service.ToString());
    }

    [Fact]
    public void TunnelDestinationWithGuePortAndChecksum()
    {
        // An IPv6 real server behind an IPv4 service: allowed with tunnel forwarding, so ADDR_FAMILY (sent last) wins.
        var destination = Destination(IpvsReplies.Destination("fd00::2", 80, forwarding: 2, weight: 3, tunnelType: 1,
            tunnelPort: 6080, tunnelFlags: 1, upper: 100, lower: 10, active: 4, inactive: 6, persistent: 2, af: 10, stats: Counters));
        Assert.Equal(AddressFamily.InterNetworkV6, destination.AddressFamily);
        Assert.Equal(IPAddress.Parse("fd00::2"), destination.Address);
        Assert.Equal((ushort)80, destination.Port);
        Assert.Equal(IpvsForwardingMethod.Tunnel, destination.ForwardingMethod);
        Assert.Equal(IpvsTunnelType.Gue, destination.TunnelType);
        Assert.Equal((ushort)6080, destination.TunnelPort);
        Assert.Equal("csum", destination.TunnelFlags);
        Assert.Equal(3, destination.Weight);
        Assert.Equal(100u, destination.UpperThreshold);
        Assert.Equal(10u, destination.LowerThreshold);
        Assert.Equal(4u, destination.ActiveConnections);
        Assert.Equal(6u, destination.InactiveConnections);
        Assert.Equal(2u, destination.PersistentConnections);
        Assert.Equal(0x100000005UL, destination.Statistics.Connections);
        Assert.Equal(5UL, destination.Rates.OutgoingBytesPerSecond);
        Assert.Equal(ClusterDns, destination.Service);
        Assert.Equal("[fd00::2]:80", destination.ToString());
        Assert.Equal("  -> [fd00::2]:80                 Tunnel  3      4          6         ", IpvsadmText.FormatDestinationLine(destination));
    }

    [Fact]
    public void MasqueradeDestinationHasNoTunnelDetails()
    {
        // The kernel sends TUN_TYPE 0, TUN_PORT 0 and TUN_FLAGS 0 for every destination.
        var destination = Destination(IpvsReplies.Destination("10.244.1.7", 53, af: 2));
        Assert.Equal(IpvsForwardingMethod.Masquerade, destination.ForwardingMethod);
        Assert.Null(destination.TunnelType);
        Assert.Null(destination.TunnelPort);
        Assert.Null(destination.TunnelFlags);
        Assert.Equal("10.244.1.7:53", destination.ToString());
        Assert.Equal("  -> 10.244.1.7:53                Masq    1      0          0         ", IpvsadmText.FormatDestinationLine(destination));
    }

    [Fact]
    public void DestinationWithoutFamilyTakesTheServices()
    {
        var destination = Destination(IpvsReplies.Destination("10.0.0.2", 0, forwarding: 3, weight: 2));
        Assert.Equal(AddressFamily.InterNetwork, destination.AddressFamily);
        Assert.Equal(IpvsForwardingMethod.Route, destination.ForwardingMethod);
        Assert.Equal("10.0.0.2:0", destination.ToString());
    }

    [Fact]
    public void IpipAndGreTunnels()
    {
        var ipip = Destination(IpvsReplies.Destination("10.0.0.3", 80, forwarding: 2, tunnelType: 0, af: 2));
        Assert.Equal(IpvsTunnelType.Ipip, ipip.TunnelType);
        Assert.Null(ipip.TunnelPort);
        Assert.Null(ipip.TunnelFlags);
        var gre = Destination(IpvsReplies.Destination("10.0.0.4", 80, forwarding: 2, tunnelType: 2, tunnelFlags: 2, af: 2));
        Assert.Equal(IpvsTunnelType.Gre, gre.TunnelType);
        Assert.Null(gre.TunnelPort);
        Assert.Equal("remcsum", gre.TunnelFlags);
        var nocsum = Destination(IpvsReplies.Destination("10.0.0.5", 80, forwarding: 2, tunnelType: 1, tunnelPort: 5555, af: 2));
        Assert.Equal("nocsum", nocsum.TunnelFlags);
        Assert.Equal((ushort)5555, nocsum.TunnelPort);
    }

    [Fact]
    public void InfoAndTimeouts()
    {
        var info = IpvsReplies.DecodeFirst(IpvsReplies.Info(0x010201, 4096), IpvsDecoder.DecodeInfo);
        Assert.Equal(new Version(1, 2, 1), info.Version);
        Assert.Equal("1.2.1", info.VersionText);
        Assert.Equal(0x010201u, info.RawVersion);
        Assert.Equal(4096u, info.ConnectionTableSize);
        Assert.Equal("IP Virtual Server version 1.2.1 (size=4096)", info.ToString());

        var timeouts = IpvsReplies.DecodeFirst(IpvsReplies.Config(900, 120, 300), IpvsDecoder.DecodeTimeouts);
        Assert.Equal(900u, timeouts.Tcp);
        Assert.Equal(120u, timeouts.TcpFin);
        Assert.Equal(300u, timeouts.Udp);
        Assert.Equal("Timeout (tcp tcpfin udp): 900 120 300", timeouts.ToString());
    }

    [Fact]
    public void MalformedRepliesAreRefusedAsDecodeErrors()
    {
        // No service nest at all.
        var empty = new NetlinkMessageWriter();
        empty.BeginMessage(IpvsReplies.Family, 2).WriteGenericHeader(1, 1).EndMessage();
        Assert.Throws<NetlinkDecodeException>(() => Service(empty.ToArray()));
        // An address family that is neither 2 nor 10.
        Assert.Throws<NetlinkDecodeException>(() => Service(IpvsReplies.Service(7, 6, "10.0.0.1", 80)));
        // An IPv6 service whose address is 4 bytes.
        var shortAddress = new NetlinkMessageWriter();
        shortAddress.BeginMessage(IpvsReplies.Family, 2).WriteGenericHeader(1, 1);
        var nest = shortAddress.BeginNested(1, flagNested: false);
        shortAddress.PutU16(1, 10).PutU16(2, 6).PutBytes(3, [1, 2, 3, 4]).PutU16BigEndianUnflagged(4, 80).PutString(6, "rr");
        shortAddress.EndNested(nest);
        shortAddress.EndMessage();
        Assert.Throws<NetlinkDecodeException>(() => Service(shortAddress.ToArray()));
        // Info without a version.
        var info = new NetlinkMessageWriter();
        info.BeginMessage(IpvsReplies.Family, 0).WriteGenericHeader(14, 1).PutU32(2, 4096).EndMessage();
        Assert.Throws<NetlinkDecodeException>(() => IpvsReplies.DecodeFirst(info.ToArray(), IpvsDecoder.DecodeInfo));
    }
}
