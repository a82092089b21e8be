using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// The requests that change IPVS state, byte for byte (family id 0x1c; sequence and port left 0 for the
/// socket to set). Attribute order follows libipvs; the lab tests check that the kernel takes them.
/// </summary>
public class IpvsWriteRequestTests
{
    private const ushort Family = 0x1c;
    private static readonly IpvsServiceKey Dns = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.10"), 53);

    [Fact]
    public void NewServiceCarriesEverySetting()
    {
        // REQUEST|ACK, IPVS_CMD_NEW_SERVICE 1; identity, SCHED_NAME "rr", FLAGS {0, mask ~0}, TIMEOUT 0, NETMASK ff.ff.ff.ff.
        var expected = Hex.Bytes("""
            68000000 1c00 0500 00000000 00000000  01010000
            5400 0180
              0600 0100 0200 0000
              0600 0200 0600 0000
              1400 0300 0a60000a 00000000 00000000 00000000
              0600 0400 0035 0000
              0700 0600 727200 00
              0c00 0700 00000000 ffffffff
              0800 0800 00000000
              0800 0900 ffffffff
            """);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpvsWriteRequests.NewService(Family, new IpvsServiceSettings(Dns, "rr")).WrittenSpan));
    }

    [Fact]
    public void SetServiceOfAPersistentUdpServiceWithEngineAndMask()
    {
        // IPVS_CMD_SET_SERVICE 2; PE_NAME after SCHED_NAME; flags persistent|one-packet|SCHED2 = 0x15;
        // timeout 30; the IPv4 mask 255.255.255.0 goes as its four bytes in order.
        var key = IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("10.96.0.1"), 5060);
        var settings = new IpvsServiceSettings(key, "sh", 0x15, 30, "24", "sip");
        var expected = Hex.Bytes("""
            70000000 1c00 0500 00000000 00000000  02010000
            5c00 0180
              0600 0100 0200 0000
              0600 0200 1100 0000
              1400 0300 0a600001 00000000 00000000 00000000
              0600 0400 13c4 0000
              0700 0600 736800 00
              0800 0b00 73697000
              0c00 0700 15000000 ffffffff
              0800 0800 1e000000
              0800 0900 ffffff00
            """);
        Assert.Equal("255.255.255.0", settings.Netmask);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpvsWriteRequests.SetService(Family, settings).WrittenSpan));
    }

    [Fact]
    public void NewServiceOfAnIPv6FirewallMark()
    {
        // AF 10 and FWMARK only; the IPv6 netmask is a prefix length in host order (64).
        var key = IpvsServiceKey.ForFirewallMark(7, AddressFamily.InterNetworkV6);
        var expected = Hex.Bytes("""
            4c000000 1c00 0500 00000000 00000000  01010000
            3800 0180
              0600 0100 0a00 0000
              0800 0500 07000000
              0800 0600 776c6300
              0c00 0700 01000000 ffffffff
              0800 0800 14000000
              0800 0900 40000000
            """);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpvsWriteRequests.NewService(Family, new IpvsServiceSettings(key, "wlc", 1, 20, "64")).WrittenSpan));
    }

    [Fact]
    public void DelServiceZeroAndFlush()
    {
        var identity = """
            3000 0180
              0600 0100 0200 0000
              0600 0200 0600 0000
              1400 0300 0a60000a 00000000 00000000 00000000
              0600 0400 0035 0000
            """;
        Assert.Equal(Hex.Of(Hex.Bytes("44000000 1c00 0500 00000000 00000000  03010000" + identity)), Hex.Of(IpvsWriteRequests.DelService(Family, Dns).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes("44000000 1c00 0500 00000000 00000000  10010000" + identity)), Hex.Of(IpvsWriteRequests.Zero(Family, Dns).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes("14000000 1c00 0500 00000000 00000000  10010000")), Hex.Of(IpvsWriteRequests.Zero(Family, null).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes("14000000 1c00 0500 00000000 00000000  11010000")), Hex.Of(IpvsWriteRequests.Flush(Family).WrittenSpan));
    }

    [Fact]
    public void NewDestWithAGueTunnel()
    {
        // IPVS_CMD_NEW_DEST 5: the service's identity, then DEST nest: ADDR_FAMILY 2, ADDR, PORT 53 BE,
        // FWD_METHOD 2 (tunnel), WEIGHT 3, TUN_TYPE 1 (gue), TUN_PORT 6080 BE, TUN_FLAGS 1 (csum), U_THRESH 100, L_THRESH 10.
        var destination = new IpvsDestinationSettings(IPAddress.Parse("10.244.0.4"), 53, IpvsForwardingMethod.Tunnel, 3, 100, 10,
            IpvsTunnelType.Gue, 6080, IpvsTunnelChecksum.Checksum);
        var expected = Hex.Bytes("""
            a4000000 1c00 0500 00000000 00000000  05010000
            3000 0180
              0600 0100 0200 0000
              0600 0200 0600 0000
              1400 0300 0a60000a 00000000 00000000 00000000
              0600 0400 0035 0000
            6000 0280
              0600 0b00 0200 0000
              1400 0100 0af40004 00000000 00000000 00000000
              0600 0200 0035 0000
              0800 0300 02000000
              0800 0400 03000000
              0500 0d00 01 000000
              0600 0e00 17c0 0000
              0600 0f00 0100 0000
              0800 0500 64000000
              0800 0600 0a000000
            """);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpvsWriteRequests.NewDest(Family, Dns, destination).WrittenSpan));
    }

    [Fact]
    public void SetDestAndDelDestOfAnIPv6RealServer()
    {
        var key = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("fd00::1"), 80);
        var service = """
            3000 0180
              0600 0100 0a00 0000
              0600 0200 0600 0000
              1400 0300 fd000000 00000000 00000000 00000001
              0600 0400 0050 0000
            """;
        var identity = """
              0600 0b00 0a00 0000
              1400 0100 fd000000 00000000 00000000 00000002
              0600 0200 1f90 0000
            """;
        var set = new IpvsDestinationSettings(IPAddress.Parse("fd00::2"), 8080, IpvsForwardingMethod.Masquerade, 0);
        Assert.Equal(Hex.Of(Hex.Bytes("a4000000 1c00 0500 00000000 00000000  06010000" + service + "6000 0280" + identity + """
              0800 0300 00000000
              0800 0400 00000000
              0500 0d00 00 000000
              0600 0e00 0000 0000
              0600 0f00 0000 0000
              0800 0500 00000000
              0800 0600 00000000
            """)), Hex.Of(IpvsWriteRequests.SetDest(Family, key, set).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes("6c000000 1c00 0500 00000000 00000000  07010000" + service + "2800 0280" + identity)),
            Hex.Of(IpvsWriteRequests.DelDest(Family, key, IPAddress.Parse("fd00::2"), 8080).WrittenSpan));
    }

    [Fact]
    public void SetConfigCarriesAllThreeTimeouts()
    {
        Assert.Equal(Hex.Of(Hex.Bytes("""
            2c000000 1c00 0500 00000000 00000000  0c010000
            0800 0400 84030000
            0800 0500 00000000
            0800 0600 2c010000
            """)), Hex.Of(IpvsWriteRequests.SetConfig(Family, new IpvsTimeouts(900, 0, 300)).WrittenSpan));
    }

    [Fact]
    public void DaemonRequests()
    {
        // NEW_DAEMON 9: DAEMON nest with STATE 2, MCAST_IFN "eth1", SYNC_ID 6, SYNC_MAXLEN 1200, MCAST_GROUP
        // 239.1.1.1 (4 bytes in order), MCAST_PORT 9000 (host order), MCAST_TTL 3.
        var settings = new IpvsSyncDaemonSettings(IpvsSyncState.Backup, "eth1", 6, 1200, IPAddress.Parse("239.1.1.1"), 9000, 3);
        Assert.Equal(Hex.Of(Hex.Bytes("""
            54000000 1c00 0500 00000000 00000000  09010000
            4000 0380
              0800 0100 02000000
              0900 0200 65746831 00 000000
              0800 0300 06000000
              0600 0400 b004 0000
              0800 0500 ef010101
              0600 0700 2823 0000
              0500 0800 03 000000
            """)), Hex.Of(IpvsWriteRequests.NewDaemon(Family, settings).WrittenSpan));
        // Defaults stay out: the kernel picks them.
        Assert.Equal(Hex.Of(Hex.Bytes("""
            30000000 1c00 0500 00000000 00000000  09010000
            1c00 0380
              0800 0100 01000000
              0700 0200 6c6f00 00
              0800 0300 00000000
            """)), Hex.Of(IpvsWriteRequests.NewDaemon(Family, new IpvsSyncDaemonSettings(IpvsSyncState.Master, "lo")).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes("""
            20000000 1c00 0500 00000000 00000000  0a010000
            0c00 0380
              0800 0100 01000000
            """)), Hex.Of(IpvsWriteRequests.DelDaemon(Family, IpvsSyncState.Master).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes("14000000 1c00 0503 00000000 00000000  0b010000")), Hex.Of(IpvsWriteRequests.GetDaemonDump(Family).WrittenSpan));
    }
}
