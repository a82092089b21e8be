using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// Requests byte for byte: nlmsghdr (sequence and port left 0: the socket sets them), genlmsghdr
/// {cmd, version 1}, attributes. Family id 0x1c stands in for the one GenericNetlink resolves.
/// </summary>
public class IpvsRequestTests
{
    private const ushort Family = 0x1c;

    [Fact]
    public void ServiceDump()
    {
        // flags REQUEST|ACK|DUMP (0x305), IPVS_CMD_GET_SERVICE 4, no attributes.
        Assert.Equal(Hex.Of(Hex.Bytes("14000000 1c00 0503 00000000 00000000  04010000")),
            Hex.Of(IpvsRequests.GetServiceDump(Family).WrittenSpan));
    }

    [Fact]
    public void DestinationDumpOfATcpIPv4Service()
    {
        // IPVS_CMD_GET_DEST 8; SERVICE nest (flagged NESTED) with AF 2, PROTOCOL 6, ADDR 16 bytes, PORT 53 big endian unflagged.
        var expected = Hex.Bytes("""
            44000000 1c00 0503 00000000 00000000  08010000
            3000 0180
              0600 0100 0200 0000
              0600 0200 0600 0000
              1400 0300 0a60000a 00000000 00000000 00000000
              0600 0400 0035 0000
            """);
        var key = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.10"), 53);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpvsRequests.GetDestDump(Family, key).WrittenSpan));
    }

    [Fact]
    public void DestinationDumpOfAFirewallMarkIPv6Service()
    {
        // AF 10 (AF_INET6, not .NET's 23) and FWMARK 5: nothing else identifies a fwmark service.
        var expected = Hex.Bytes("""
            28000000 1c00 0503 00000000 00000000  08010000
            1400 0180
              0600 0100 0a00 0000
              0800 0500 05000000
            """);
        var key = IpvsServiceKey.ForFirewallMark(5, AddressFamily.InterNetworkV6);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpvsRequests.GetDestDump(Family, key).WrittenSpan));
    }

    [Fact]
    public void OneServiceOfAnUdpIPv6Address()
    {
        // IPVS_CMD_GET_SERVICE as a doit: flags REQUEST|ACK (5), same service identity.
        var expected = Hex.Bytes("""
            44000000 1c00 0500 00000000 00000000  04010000
            3000 0180
              0600 0100 0a00 0000
              0600 0200 1100 0000
              1400 0300 fd000000 00000000 00000000 00000010
              0600 0400 0035 0000
            """);
        var key = IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("fd00::10"), 53);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpvsRequests.GetService(Family, key).WrittenSpan));
    }

    [Fact]
    public void InfoAndConfig()
    {
        Assert.Equal(Hex.Of(Hex.Bytes("14000000 1c00 0500 00000000 00000000  0f010000")), Hex.Of(IpvsRequests.GetInfo(Family).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes("14000000 1c00 0500 00000000 00000000  0d010000")), Hex.Of(IpvsRequests.GetConfig(Family).WrittenSpan));
    }

    [Fact]
    public void KeysRefuseWhatTheKernelWouldNotIdentify()
    {
        Assert.Equal(FailureKind.InvalidArgument,
            Assert.Throws<IpvsToolsException>(() => IpvsServiceKey.ForFirewallMark(0)).Kind);
        Assert.Throws<IpvsToolsException>(() => IpvsServiceKey.ForAddress(IpvsProtocol.None, IPAddress.Parse("10.0.0.1"), 80));
        Assert.Throws<IpvsToolsException>(() => new IpvsServiceKey(AddressFamily.InterNetworkV6, IpvsProtocol.Tcp, IPAddress.Parse("10.0.0.1"), 80, 0));
        Assert.Throws<IpvsToolsException>(() => new IpvsServiceKey(AddressFamily.InterNetwork, IpvsProtocol.Tcp, IPAddress.Parse("10.0.0.1"), 80, 7));
        Assert.Throws<IpvsToolsException>(() => new IpvsServiceKey(AddressFamily.Unix, IpvsProtocol.None, null, 0, 7));
    }

    [Fact]
    public void KeysCompareByValue()
    {
        var a = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.10"), 53);
        var b = new IpvsServiceKey(AddressFamily.InterNetwork, IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.10"), 53, 0);
        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("10.96.0.10"), 53));
        Assert.NotEqual(IpvsServiceKey.ForFirewallMark(5), IpvsServiceKey.ForFirewallMark(5, AddressFamily.InterNetworkV6));
    }
}
