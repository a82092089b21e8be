using IpvsTools.Testing;
using IpvsTools.Netlink;
using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Ipset;

public class ListDecoderTests
{
    /// <summary>A LIST reply for KUBE-CLUSTER-IP (hash:ip,port rev 7, inet) holding 10.96.0.10,udp:53 and 10.96.0.1,tcp:443.</summary>
    internal static byte[] ClusterIpReply(bool continuation = false)
    {
        var w = new NetlinkMessageWriter();
        w.BeginMessage(0x0607, NetlinkConstants.FlagMulti).WriteNetfilterHeader(2).PutU8(1, 7).PutString(2, "KUBE-CLUSTER-IP");
        if (!continuation)
        {
            w.PutString(3, "hash:ip,port").PutU8(4, 7).PutU8(5, 2);
            var header = w.BeginNested(7);
            w.PutU32(18, 1024, ByteOrder.Network).PutU32(19, 65536, ByteOrder.Network).PutU8(21, 12)
                .PutU32(17, 0x48c166f4, ByteOrder.Network).PutU32(25, 2, ByteOrder.Network).PutU32(26, 448, ByteOrder.Network)
                .PutU32(24, continuation ? 0u : 3u, ByteOrder.Network);
            w.EndNested(header);
        }
        var adt = w.BeginNested(8);
        foreach (var (ip, proto, port) in continuation ? new[] { ((byte)1, (byte)6, (ushort)9153) } : new[] { ((byte)10, (byte)17, (ushort)53), ((byte)1, (byte)6, (ushort)443) })
        {
            var data = w.BeginNested(7);
            var nest = w.BeginNested(1);
            w.PutBytes(1, [10, 96, 0, ip], netByteOrder: true);
            w.EndNested(nest);
            w.PutU16(4, port, ByteOrder.Network).PutU8(7, proto);
            w.EndNested(data);
        }
        w.EndNested(adt);
        w.EndMessage();
        return w.ToArray();
    }

    private static List<IpvsTools.Ipsets.Ipset> Decode(params byte[][] messages)
    {
        var decoder = new IpsetListDecoder(null);
        foreach (var bytes in messages)
        {
            var reader = new NetlinkMessageReader(bytes);
            while (reader.TryRead(out var m)) decoder.Add(m);
        }
        return decoder.Build();
    }

    [Fact]
    public void DecodesHeaderAndMembers()
    {
        var set = Assert.Single(Decode(ClusterIpReply()));
        Assert.Equal("KUBE-CLUSTER-IP", set.Name);
        Assert.Equal("hash:ip,port", set.Type);
        Assert.Equal(7, set.Revision);
        Assert.Equal("inet", set.Family);
        Assert.Equal("family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x48c166f4", set.Header);
        Assert.Equal(2u, set.References);
        Assert.Equal(448u, set.SizeInMemory);
        Assert.Equal(new[] { "10.96.0.10,udp:53", "10.96.0.1,tcp:443" }, set.Members.Select(m => m.ToString()));
        var member = set.Members[0];
        Assert.Equal("udp", member.Protocol);
        Assert.Equal((ushort)53, member.Port);
        Assert.Equal("10.96.0.10", member.Address!.ToString());
    }

    [Fact]
    public void ContinuationMessagesMergeByName()
    {
        var set = Assert.Single(Decode(ClusterIpReply(), ClusterIpReply(continuation: true)));
        Assert.Equal(new[] { "10.96.0.10,udp:53", "10.96.0.1,tcp:443", "10.96.0.1,tcp:9153" }, set.Members.Select(m => m.Element));
    }

    [Fact]
    public void ListTextMatchesIpsetList()
    {
        var text = IpsetListText.Format(Decode(ClusterIpReply()));
        Assert.Equal("""
            Name: KUBE-CLUSTER-IP
            Type: hash:ip,port
            Revision: 7
            Header: family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x48c166f4
            Size in memory: 448
            References: 2
            Number of entries: 3
            Members:
            10.96.0.10,udp:53
            10.96.0.1,tcp:443

            """.Replace("\r\n", "\n"), text);
    }

    [Theory]
    [InlineData("hash:ip,port,ip", "10.0.0.1,tcp:80,10.0.0.1")]
    [InlineData("hash:ip,port,net", "10.0.0.1,tcp:80,10.0.0.0/24")]
    [InlineData("hash:net", "10.1.0.0/16")]
    [InlineData("bitmap:port", "30080")]
    public void ElementsFollowTheSetTypesDimensions(string type, string expected)
    {
        var a = System.Net.IPAddress.Parse("10.0.0.1");
        var member = type switch
        {
            "hash:ip,port,ip" => new IpsetMember("s", type, a, null, "tcp", 80, a),
            "hash:ip,port,net" => new IpsetMember("s", type, a, null, "tcp", 80, System.Net.IPAddress.Parse("10.0.0.0"), 24),
            "hash:net" => new IpsetMember("s", type, System.Net.IPAddress.Parse("10.1.0.0"), 16),
            _ => new IpsetMember("s", type, port: 30080),
        };
        Assert.Equal(expected, member.Element);
    }

    [Fact]
    public void OptionsFollowTheElement()
    {
        var member = new IpsetMember("s", "hash:ip,port", System.Net.IPAddress.Parse("fd00::1"), null, "tcp", 443,
            timeout: 299, packets: 0, bytes: 0, comment: "hello world");
        Assert.Equal("fd00::1,tcp:443 timeout 299 packets 0 bytes 0 comment \"hello world\"", member.ListLine);
    }
}
