using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Ipset;

/// <summary>What ipset 7.17 reads that a stricter reader would refuse, and the words of its errors (unit tier).</summary>
public class Ipset717SyntaxTests
{
    [Theory]
    [InlineData("hash:ip", "inet", "010.0.0.1", "8.0.0.1")] // getaddrinfo reads a leading 0 as octal
    [InlineData("hash:ip", "inet", "10.1", "10.0.0.1")]
    [InlineData("hash:net,iface", "inet", "0/0,eth0", "0.0.0.0/0,eth0")]
    [InlineData("hash:net,port,net", "inet", "0.0.0.0/0,tcp:1,192.168.230.128/25", "0.0.0.0/0,tcp:1,192.168.230.128/25")] // hash:net,port,net.t:58, taken by the lab kernel
    [InlineData("hash:ip,port", "inet", "10.0.0.1,smtp", "10.0.0.1,tcp:25")] // /etc/services
    [InlineData("hash:ip,port", "inet", "10.0.0.1,udp:0x35", "10.0.0.1,udp:53")]
    [InlineData("hash:ip,port", "inet", "10.0.0.1,icmp:ping", "10.0.0.1,icmp:echo-request")]
    [InlineData("hash:ip,port", "inet6", "fd00::1,icmpv6:pong", "fd00::1,ipv6-icmp:echo-reply")]
    [InlineData("hash:mac", null, "0a:0B:0c:0d:0e:0f", "0A:0B:0C:0D:0E:0F")]
    [InlineData("bitmap:ip,mac", null, "10.0.0.1", "10.0.0.1")]
    [InlineData("bitmap:ip,mac", null, "10.0.0.1,02:00:00:00:00:01", "10.0.0.1,02:00:00:00:00:01")]
    [InlineData("hash:ip,mark", "inet", "10.0.0.1,0x10", "10.0.0.1,0x00000010")]
    [InlineData("hash:net,iface", "inet", "10.0.0.0/8,physdev:eth1", "10.0.0.0/8,physdev:eth1")]
    [InlineData("list:set", null, "a,before,b", "a before b")]
    [InlineData("hash:net,net", "inet", "10.0.0.0/8,192.168.0.0/16", "10.0.0.0/8,192.168.0.0/16")]
    public void ReadsWhatTheToolReads(string type, string? family, string text, string canonical)
        => Assert.Equal(canonical, IpsetElementParser.Parse(text, IpsetTypeInfo.Get(type), family).Text);

    [Fact]
    public void RestoreSyntaxOfIpset717()
    {
        var script = IpsetRestoreParser.Parse("""
            -N test iphash --hashsize 128 --probes 2 --resize 50
            new b bitmap:ip --from 10.0.0.1 --to 10.0.0.10
            n c ipmap --network 10.1.0.0/16
            create p hash:ip,port netmask 24
            create q hash:ip bitmask 255.255.0.255
            create l setlist size 4
            create m ipmarkhash markmask 0xff
            -T n 10.0.0.0/8 nomatch
            add l test before c
            add i 10.0.0.0/8,eth+ wildcard
            """);
        Assert.Empty(script.Errors);
        Assert.Equal("hash:ip family inet hashsize 128", script.Lines[0].CreateOptions!.ToString());
        Assert.Equal("bitmap:ip range 10.0.0.1-10.0.0.10", script.Lines[1].CreateOptions!.ToString());
        Assert.Equal("bitmap:ip range 10.1.0.0-10.1.255.255", script.Lines[2].CreateOptions!.ToString());
        Assert.Equal(24, script.Lines[3].CreateOptions!.Netmask!.Value);
        Assert.Equal("255.255.0.255", script.Lines[4].CreateOptions!.Bitmask!.ToString());
        Assert.Equal("list:set size 4", script.Lines[5].CreateOptions!.ToString());
        Assert.Equal(0xffu, script.Lines[6].CreateOptions!.MarkMask);
        Assert.True(script.Lines[7].NoMatch);
        Assert.Equal(("c", true), (script.Lines[8].Reference, script.Lines[8].Before));
        Assert.True(script.Lines[9].Wildcard);
    }

    [Theory]
    [InlineData("create b bitmap:ip range 10.0.0.0/16 family inet\n", "'family' is not a create option of bitmap:ip")]
    [InlineData("create h hash:mac family inet\n", "'family' is not a create option of hash:mac")]
    [InlineData("create p bitmap:port range 1-10 hashsize 64\n", "'hashsize' is not a create option of bitmap:port")]
    [InlineData("create l list:set netmask 24\n", "'netmask' is not a create option of list:set")]
    [InlineData("create q hash:ip netmask 24 bitmask 255.255.0.0\n", "not both")]
    [InlineData("-\n", "is not an ipset command")]
    public void RefusesWhatTheToolRefuses(string text, string message)
        => Assert.Contains(message, Assert.Single(IpsetRestoreParser.Parse(text).Errors).Message);

    [Fact]
    public void NullElementsAreFoundBeforeTheKernel()
    {
        var script = IpsetRestoreParser.Parse("create z hash:ip netmask 8\nadd z 0.1.2.3\ncreate y hash:ip,port\nadd y 0.0.0.0,80\nadd y 1.0.0.0,80\ncreate m hash:mac\nadd m 0:0:0:0:0:0\n");
        var errors = IpsetRestoreValidator.Validate(script, [], _ => [], exist: false);
        Assert.Equal([2, 4, 7], errors.Select(e => e.LineNumber));
        Assert.Contains("Null-valued element", errors[0].Message);
        Assert.Contains("Invalid argument", errors[1].Message);
    }

    [Fact]
    public void AFailingTestIsFoundBeforeTheKernel()
    {
        var script = IpsetRestoreParser.Parse("create t hash:ip\nadd t 10.0.0.1\ntest t 10.0.0.1\ntest t 10.0.0.2\n");
        var error = Assert.Single(IpsetRestoreValidator.Validate(script, [], _ => [], exist: false));
        Assert.Equal(4, error.LineNumber);
        Assert.Contains("10.0.0.2 is not in set 't'", error.Message);
    }

    [Theory]
    [InlineData(4352, "hash:ip", "the hash is full", "IPSET_ERR_HASH_FULL")]
    [InlineData(4353, "hash:ip", "null-valued element", "IPSET_ERR_HASH_ELEM")]
    [InlineData(4352, "bitmap:port", "out of the range of the set", "IPSET_ERR_BITMAP_RANGE")]
    [InlineData(4353, "bitmap:ip", "exceeds the size limit", "IPSET_ERR_BITMAP_RANGE_SIZE")]
    [InlineData(4353, "list:set", "cannot be added to a list:set", "IPSET_ERR_LOOP")]
    [InlineData(4356, "list:set", "the set is full", "IPSET_ERR_LIST_FULL")]
    [InlineData(4115, null, "netmask and bitmask exclude each other", "IPSET_ERR_BITMASK_NETMASK_EXCL")]
    public void EveryIpsetErrorIsWordedForTheSetType(int errno, string? type, string text, string name)
    {
        var (words, _) = IpsetErrors.Describe(errno, type);
        Assert.Contains(text, words);
        Assert.StartsWith(name, IpsetErrors.Name(errno, type));
    }

    [Fact]
    public void EveryTypeHasItsSaveOrder()
    {
        Assert.Equal(16, IpsetTypeInfo.Names.Count);
        Assert.Equal(["family", "hashsize", "maxelem", "timeout", "counters", "comment", "forceadd", "skbinfo", "bucketsize", "initval", "netmask", "bitmask"],
            IpsetTypeInfo.Get("hash:ip,port").CreateOptions);
        Assert.Equal((byte)7, IpsetTypeInfo.Get("hash:ip,port").OptionSince("netmask"));
        Assert.Null(IpsetTypeInfo.Get("hash:net").OptionSince("netmask"));
    }
}
