using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Ipset;

/// <summary>
/// ipset requests byte for byte: nlmsghdr (sequence and port left 0: the socket sets them), nfgenmsg
/// {AF_INET, v0, res_id 0}, PROTOCOL 7 first. Nests flagged NESTED (0x8000), data integers and
/// addresses flagged NET_BYTEORDER (0x4000) and big endian, u8, strings and LINENO plain.
/// </summary>
public class IpsetRequestTests
{
    private const string Header7 = "02000000  0500 0100 07000000";
    private const string ClusterIpName = "1400 0200 4b5542452d434c55535445522d495000";

    private static IpsetEntry Entry(string text, string type = "hash:ip,port", string family = "inet")
        => new(IpsetElementParser.Parse(text, IpsetTypeInfo.Get(type), family));

    [Fact]
    public void AddOfTheReferenceMemberInABatch()
    {
        // REFERENCE.md: 10.96.0.10,tcp:53 in hash:ip,port = DATA{ IP{IPV4 0a60000a}, PORT 0035, PROTO 6 }, here with its LINENO 1.
        var expected = Hex.Bytes($"""
            64000000 0906 0502 00000000 00000000  {Header7}
            {ClusterIpName}
            0800 0900 00000000
            2c00 0880
              2800 0780
                0c00 0180  0800 0140 0a60000a
                0600 0440 0035 0000
                0500 0700 06 000000
                0800 0900 01000000
            """);
        var request = IpsetRequests.Batch(IpsetConstants.CmdAdd, 7, "KUBE-CLUSTER-IP", [Entry("10.96.0.10,tcp:53")], 0, 1, i => (uint)(i + 1), exist: false);
        Assert.Equal(Hex.Of(expected), Hex.Of(request.WrittenSpan));
    }

    [Fact]
    public void DeleteWithExistDropsExclAndCarriesOnlyTheElement()
    {
        // DEL 10 with REQUEST|ACK only (-exist); the entry's timeout and comment are not sent on delete; lines 7 and 9.
        var entries = new[]
        {
            new IpsetEntry(IpsetElementParser.Parse("fd00:10:96::a,udp:53", IpsetTypeInfo.Get("hash:ip,port"), "inet6"), timeout: 30, comment: "x"),
            Entry("10.0.0.1,udp:53"),
        };
        // Only the first entry: start 0, count 1.
        var expected = Hex.Bytes($"""
            64000000 0a06 0500 00000000 00000000  {Header7}
            0800 0200 53455400
            0800 0900 00000000
            3800 0880
              3400 0780
                1800 0180  1400 0240 fd000010 00960000 00000000 0000000a
                0600 0440 0035 0000
                0500 0700 11 000000
                0800 0900 07000000
            """);
        var request = IpsetRequests.Batch(IpsetConstants.CmdDel, 7, "SET", entries, 0, 1, i => i == 0 ? 7u : 9u, exist: true);
        Assert.Equal(Hex.Of(expected), Hex.Of(request.WrittenSpan));
    }

    [Fact]
    public void AddCarriesTimeoutNomatchCountersAndComment()
    {
        var element = IpsetElementParser.Parse("10.0.0.0/8", IpsetTypeInfo.Get("hash:net"), "inet");
        var entry = new IpsetEntry(element, timeout: 600, packets: 5, bytes: 300, comment: "pods", noMatch: true);
        var expected = Hex.Bytes($"""
            84000000 0906 0502 00000000 00000000  {Header7}
            0800 0200 4e455400
            0800 0900 00000000
            5800 0880
              5400 0780
                0c00 0180  0800 0140 0a000000
                0500 0300 08 000000
                0800 0640 00000258
                0800 0840 00000004
                0c00 1840 00000000 0000012c
                0c00 1940 00000000 00000005
                0900 1a00 706f647300 000000
                0800 0900 01000000
            """);
        var request = IpsetRequests.Batch(IpsetConstants.CmdAdd, 7, "NET", [entry], 0, 1, i => 1u, exist: false);
        Assert.Equal(Hex.Of(expected), Hex.Of(request.WrittenSpan));
    }

    [Fact]
    public void RangesAndSecondDimensions()
    {
        // hash:ip,port,net: IP, IP_TO for the IPv4 range, PORT/PORT_TO, PROTO, IP2, CIDR2.
        var element = IpsetElementParser.Parse("10.0.0.9-10.0.0.1,tcp:82-80,192.168.7.1/16", IpsetTypeInfo.Get("hash:ip,port,net"), "inet");
        Assert.Equal("10.0.0.1-10.0.0.9,tcp:80-82,192.168.0.0/16", element.Text);
        var expected = Hex.Bytes($"""
            6c000000 0b06 0500 00000000 00000000  {Header7}
            0800 0200 4e505400
            4800 0780
              0c00 0180  0800 0140 0a000001
              0c00 0280  0800 0140 0a000009
              0600 0440 0050 0000
              0600 0540 0052 0000
              0500 0700 06 000000
              0c00 1480  0800 0140 c0a80000
              0500 1500 10 000000
            """);
        Assert.Equal(Hex.Of(expected), Hex.Of(IpsetRequests.Test(7, "NPT", element).WrittenSpan));
    }

    [Fact]
    public void CreateOfAKubeProxySet()
    {
        // CREATE 2 with REQUEST|ACK|CREATE|EXCL; TYPENAME, REVISION (as negotiated), FAMILY, DATA{HASHSIZE, MAXELEM}.
        var expected = Hex.Bytes($"""
            68000000 0206 0506 00000000 00000000  {Header7}
            {ClusterIpName}
            1100 0300 686173683a69702c706f727400 000000
            0500 0400 07 000000
            0500 0500 02 000000
            1400 0780
              0800 1240 00000400
              0800 1340 00010000
            """);
        var options = new IpsetCreateOptions("hash:ip,port", "inet") { HashSize = 1024, MaxElements = 65536 };
        Assert.Equal(Hex.Of(expected), Hex.Of(IpsetRequests.Create(7, "KUBE-CLUSTER-IP", options, 7, exist: false).WrittenSpan));
    }

    [Fact]
    public void CreateOfABitmapWithExtensions()
    {
        // bitmap:port: FAMILY 0 (unspec), DATA{PORT, PORT_TO, TIMEOUT, CADT_FLAGS counters|comment}; -exist drops EXCL.
        var expected = Hex.Bytes($"""
            68000000 0206 0504 00000000 00000000  {Header7}
            0700 0200 42500000
            1000 0300 6269746d61703a706f727400
            0500 0400 03 000000
            0500 0500 00 000000
            2400 0780
              0600 0440 0000 0000
              0600 0540 ffff 0000
              0800 0640 0000003c
              0800 0840 00000018
            """);
        var options = new IpsetCreateOptions("bitmap:port") { RangeFrom = 0, RangeTo = 65535, Timeout = 60, Counters = true, Comment = true };
        Assert.Equal(Hex.Of(expected), Hex.Of(IpsetRequests.Create(7, "BP", options, 3, exist: true).WrittenSpan));
    }

    [Fact]
    public void TypeDestroyFlushRenameSwap()
    {
        Assert.Equal(Hex.Of(Hex.Bytes($"38000000 0d06 0500 00000000 00000000 {Header7}  1100 0300 686173683a69702c706f727400 000000 0500 0500 0a000000")),
            Hex.Of(IpsetRequests.Type(7, "hash:ip,port", 10).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes($"24000000 0306 0502 00000000 00000000 {Header7}  0600 0200 4100 0000")),
            Hex.Of(IpsetRequests.Destroy(7, "A", exist: false).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes($"1c000000 0306 0500 00000000 00000000 {Header7}")), Hex.Of(IpsetRequests.Destroy(7, null, exist: true).WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes($"24000000 0406 0500 00000000 00000000 {Header7}  0600 0200 4100 0000")),
            Hex.Of(IpsetRequests.Flush(7, "A").WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes($"2c000000 0506 0500 00000000 00000000 {Header7}  0600 0200 4100 0000  0600 0300 4200 0000")),
            Hex.Of(IpsetRequests.Rename(7, "A", "B").WrittenSpan));
        Assert.Equal(Hex.Of(Hex.Bytes($"2c000000 0606 0500 00000000 00000000 {Header7}  0600 0200 4100 0000  0600 0300 4200 0000")),
            Hex.Of(IpsetRequests.Swap(7, "A", "B").WrittenSpan));
    }

    [Fact]
    public void ABatchOfThousandsStaysBelowTheNestLimit()
    {
        var type = IpsetTypeInfo.Get("hash:ip,port");
        var entries = Enumerable.Range(0, 1500).Select(i => new IpsetEntry(IpsetElementParser.Parse($"10.96.{i / 256}.{i % 256},tcp:80", type, "inet"))).ToList();
        // 40 bytes per DATA nest: 1500 members in one request of 60,056 bytes.
        Assert.Equal(40, IpsetRequests.EncodedLength(entries[0], add: true));
        var request = IpsetRequests.Batch(IpsetConstants.CmdAdd, 7, "S", entries, 0, entries.Count, i => (uint)(i + 1), exist: false);
        Assert.Equal(16 + 4 + 8 + 8 + 8 + 4 + 1500 * 40, request.Length);
        Assert.True(1500 * 40 <= IpsetClient.MaxBatchBytes);
    }
}
