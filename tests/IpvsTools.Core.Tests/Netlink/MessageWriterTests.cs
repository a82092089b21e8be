using IpvsTools.Netlink;
using Xunit;

namespace IpvsTools.Tests.Netlink;

public class MessageWriterTests
{
    [Fact]
    public void GenericGetFamilyRequestIsByteExact()
    {
        // nlmsghdr{len 32, type 0x10 nlctrl, flags REQUEST|ACK, seq 0, pid 0} genlmsghdr{cmd 3, version 1}
        // CTRL_ATTR_FAMILY_NAME "IPVS\0" (len 9, padded to 12)
        var expected = Hex.Bytes("20000000 1000 0500 00000000 00000000  03010000  0900 0200 49505653 00 000000");
        Assert.Equal(Hex.Of(expected), Hex.Of(GenericNetlink.BuildGetFamily("IPVS").WrittenSpan));
    }

    [Fact]
    public void IpsetListRequestIsByteExact()
    {
        // type (6<<8)|7, flags REQUEST|ACK|DUMP (0x305), nfgenmsg{AF_INET, 0, 0}, IPSET_ATTR_PROTOCOL u8 7
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage(0x0607, 0x0305).WriteNetfilterHeader(2).PutU8(1, 7).EndMessage();
        Assert.Equal(Hex.Of(Hex.Bytes("1c000000 0706 0503 00000000 00000000 02000000 0500 0100 07 000000")), Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void NestedAttributesCarryFlagsAndNetworkByteOrder()
    {
        // The hash:ip,port member 10.96.0.10,tcp:53 as REFERENCE.md gives it:
        // DATA{ IP{ IPADDR_IPV4 0a60000a }, PORT 0035, PROTO 6 }, nests flagged NESTED, u16/addr flagged NET_BYTEORDER.
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage(0x0609, 0x0205).WriteNetfilterHeader(2);
        var data = writer.BeginNested(7);
        var ip = writer.BeginNested(1);
        writer.PutBytes(1, [0x0a, 0x60, 0x00, 0x0a], netByteOrder: true);
        writer.EndNested(ip);
        writer.PutU16(4, 53, ByteOrder.Network);
        writer.PutU8(7, 6);
        writer.EndNested(data);
        writer.EndMessage();
        var expected = Hex.Bytes("""
            34000000 0906 0502 00000000 00000000 02000000
            2000 0780
              0c00 0180  0800 0140 0a60000a
              0600 0440 0035 0000
              0500 0700 06 000000
            """);
        Assert.Equal(Hex.Of(expected), Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void IntegersInHostOrderAndNetworkOrder()
    {
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage(1, 0).PutU32(1, 0x01020304).PutU32(2, 0x01020304, ByteOrder.Network)
            .PutU64(3, 0x0102030405060708UL, ByteOrder.Network).PutU16BigEndianUnflagged(4, 80).EndMessage();
        Assert.Equal(
            Hex.Of(Hex.Bytes("34000000 0100 0000 00000000 00000000  0800 0100 04030201  0800 0240 01020304  0c00 0340 0102030405060708  0600 0400 0050 0000")),
            Hex.Of(writer.WrittenSpan));
    }

    [Fact]
    public void SeveralMessagesInOneBatch()
    {
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage(3, 1).EndMessage().BeginMessage(4, 1).PutU8(1, 9).EndMessage();
        var reader = new NetlinkMessageReader(writer.WrittenSpan);
        Assert.True(reader.TryRead(out var first));
        Assert.Equal(3, first.Type);
        Assert.True(reader.TryRead(out var second));
        Assert.Equal(4, second.Type);
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void MisuseIsRefused()
    {
        var writer = new NetlinkMessageWriter();
        Assert.Throws<InvalidOperationException>(() => writer.PutU8(1, 1));
        writer.BeginMessage(1, 0);
        writer.BeginNested(1);
        Assert.Throws<InvalidOperationException>(() => writer.EndMessage());
        Assert.Throws<ArgumentException>(() => new NetlinkMessageWriter().BeginMessage(1, 0).PutBytes(1, new byte[70000]));
    }
}
