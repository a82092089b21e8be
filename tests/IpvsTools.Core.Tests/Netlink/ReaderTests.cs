using IpvsTools.Netlink;
using Xunit;

namespace IpvsTools.Tests.Netlink;

public class ReaderTests
{
    [Fact]
    public void AttributeTypesAreMaskedAndFlagsReported()
    {
        var bytes = Hex.Bytes("0800 0240 01020304  0800 0100 04030201  0c00 0780 0500 0100 2a000000");
        var reader = new NetlinkAttributeReader(bytes);
        Assert.True(reader.TryRead(out var a));
        Assert.Equal(2, a.Type);
        Assert.True(a.IsNetByteOrder);
        Assert.Equal(0x01020304u, a.GetU32());
        Assert.True(reader.TryRead(out var b));
        Assert.False(b.IsNetByteOrder);
        Assert.Equal(0x01020304u, b.GetU32());
        Assert.True(reader.TryRead(out var c));
        Assert.Equal(7, c.Type);
        Assert.True(c.IsNested);
        var inner = c.Nested();
        Assert.True(inner.TryRead(out var d));
        Assert.Equal(42, d.GetU8());
        Assert.False(inner.TryRead(out _));
        Assert.False(reader.TryRead(out _));
    }

    [Fact]
    public void StringsStopAtNul()
    {
        var reader = new NetlinkAttributeReader(Hex.Bytes("0a00 0200 4b55424500ff 0000"));
        Assert.True(reader.TryRead(out var a));
        Assert.Equal("KUBE", a.GetString());
    }

    [Theory]
    [InlineData("0300 0100")]            // length below the header
    [InlineData("0900 0100 0102")]       // length beyond the buffer
    [InlineData("08")]                   // a partial header
    public void MalformedAttributesRaiseTypedErrors(string hex)
    {
        var bytes = Hex.Bytes(hex);
        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var reader = new NetlinkAttributeReader(bytes);
            while (reader.TryRead(out _)) { }
        });
    }

    [Fact]
    public void ShortPayloadsRaiseTypedErrors()
    {
        var bytes = Hex.Bytes("0600 0100 0102 0000");
        var reader = new NetlinkAttributeReader(bytes);
        Assert.True(reader.TryRead(out var a));
        try
        {
            a.GetU32();
            Assert.Fail("a 2-byte attribute read as u32");
        }
        catch (NetlinkDecodeException)
        {
        }
    }

    [Theory]
    [InlineData("0f000000 0300 0200 01000000 00000000")]       // message length below the header
    [InlineData("40000000 0300 0200 01000000 00000000 00000000")] // message length beyond the buffer
    [InlineData("10000000 0300")]                               // a partial header
    public void MalformedMessagesRaiseTypedErrors(string hex)
    {
        var bytes = Hex.Bytes(hex);
        Assert.Throws<NetlinkDecodeException>(() =>
        {
            var reader = new NetlinkMessageReader(bytes);
            while (reader.TryRead(out _)) { }
        });
    }

    [Fact]
    public void ErrorRepliesYieldErrnoAndExtendedAckMessage()
    {
        // NLMSG_ERROR, flags CAPPED|ACK_TLVS; error -22; echoed header only; NLMSGERR_ATTR_MSG "bad thing"
        // "bad thing\0" is 10 bytes: attribute length 14, padded to 16
        var bytes = Hex.Bytes("34000000 0200 0003 05000000 00000000 eaffffff 1c000000 0706 0503 05000000 00000000 0e00 0100 626164207468696e6700 0000");
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        var (errno, text) = NetlinkSocket.ParseError(message);
        Assert.Equal(Errno.EINVAL, errno);
        Assert.Equal("bad thing", text);
    }

    [Fact]
    public void AcksHaveErrnoZero()
    {
        var bytes = Hex.Bytes("24000000 0200 0001 05000000 00000000 00000000 10000000 0300 0500 05000000 00000000");
        var reader = new NetlinkMessageReader(bytes);
        Assert.True(reader.TryRead(out var message));
        Assert.Equal((0, (string?)null), NetlinkSocket.ParseError(message));
    }

    [Fact]
    public void ExceptionsCarryErrnoNameAndKind()
    {
        var ex = new NetlinkException(Errno.EPERM, null, "Listing");
        Assert.Equal("EPERM", ex.ErrnoName);
        Assert.Equal(1, ex.Errno);
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
        Assert.StartsWith("Listing: Operation not permitted (EPERM)", ex.Message);
        Assert.Equal(FailureKind.StateUnknown, new NetlinkException(Errno.ENOBUFS).Kind);
        Assert.Equal("E#4097", Errno.Name(4097));
    }
}
