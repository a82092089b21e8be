using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Ipset;

/// <summary>The ipset element syntax of every kube-proxy set type, inet and inet6; the host tests check the same forms against the ipset tool.</summary>
public class ElementParserTests
{
    public static TheoryData<string, string?, string, string> Valid => new()
    {
        // type, family, input, element as ipset prints it
        { "hash:ip,port", "inet", "10.96.0.10,tcp:53", "10.96.0.10,tcp:53" },
        { "hash:ip,port", "inet", "10.96.0.10,UDP:53", "10.96.0.10,udp:53" },
        { "hash:ip,port", "inet", "10.96.0.10,53", "10.96.0.10,tcp:53" },
        { "hash:ip,port", "inet", "10.96.0.10,sctp:3868", "10.96.0.10,sctp:3868" },
        { "hash:ip,port", "inet", "10.96.0.10,132:3868", "10.96.0.10,sctp:3868" },
        { "hash:ip,port", "inet", "10.96.0.10,udplite:4", "10.96.0.10,udplite:4" },
        { "hash:ip,port", "inet", "10.0.0.1,icmp:8/0", "10.0.0.1,icmp:echo-request" },
        { "hash:ip,port", "inet", "10.0.0.1,icmp:Echo-Request", "10.0.0.1,icmp:echo-request" },
        { "hash:ip,port", "inet", "10.0.0.1,icmp:3/8", "10.0.0.1,icmp:3/8" },
        { "hash:ip,port", "inet", "10.0.0.1,gre:0", "10.0.0.1,gre:0" },
        { "hash:ip,port", "inet", "10.0.0.1,tcp:0", "10.0.0.1,tcp:0" },
        { "hash:ip,port", "inet", "10.0.0.1,tcp:65535", "10.0.0.1,tcp:65535" },
        { "hash:ip,port", "inet", "10.0.0.0/30,tcp:80-81", "10.0.0.0/30,tcp:80-81" },
        { "hash:ip,port", "inet", "10.0.0.3/30,tcp:80", "10.0.0.0/30,tcp:80" },
        { "hash:ip,port", "inet", "10.0.0.6-10.0.0.5,udp:53", "10.0.0.5-10.0.0.6,udp:53" },
        { "hash:ip,port", "inet", "10.0.0.5/32,udp:53", "10.0.0.5,udp:53" },
        { "hash:ip,port", "inet", " 10.96.0.10,tcp:53 ", "10.96.0.10,tcp:53" },
        { "hash:ip,port", "inet6", "fd00:10:96::a,udp:53", "fd00:10:96::a,udp:53" },
        { "hash:ip,port", "inet6", "FD00:10:96:0::A,udp:53", "fd00:10:96::a,udp:53" },
        { "hash:ip,port", "inet6", "[fd00::2],tcp:53", "fd00::2,tcp:53" },
        { "hash:ip,port", "inet6", "fd00::3,icmpv6:1/0", "fd00::3,ipv6-icmp:no-route" },
        { "hash:ip,port", "inet6", "fd00::3,ipv6-icmp:128/0", "fd00::3,ipv6-icmp:echo-request" },
        { "hash:ip,port,ip", "inet", "10.244.0.5,tcp:53,10.244.0.5", "10.244.0.5,tcp:53,10.244.0.5" },
        { "hash:ip,port,ip", "inet6", "fd00:10:244::5,tcp:53,fd00:10:244::5", "fd00:10:244::5,tcp:53,fd00:10:244::5" },
        { "hash:ip,port,net", "inet", "203.0.113.10,tcp:80,192.168.0.0/16", "203.0.113.10,tcp:80,192.168.0.0/16" },
        { "hash:ip,port,net", "inet", "203.0.113.10,tcp:80,192.168.7.9/16", "203.0.113.10,tcp:80,192.168.0.0/16" },
        { "hash:ip,port,net", "inet", "203.0.113.10,tcp:80,10.1.2.3", "203.0.113.10,tcp:80,10.1.2.3" },
        { "hash:ip,port,net", "inet", "203.0.113.10,tcp:80,10.1.2.3/32", "203.0.113.10,tcp:80,10.1.2.3" },
        { "hash:ip,port,net", "inet", "1.1.1.1,tcp:80,10.0.0.1-10.0.0.3", "1.1.1.1,tcp:80,10.0.0.1-10.0.0.3" },
        { "hash:ip,port,net", "inet6", "2001:db8::10,tcp:443,2001:db8:1::/48", "2001:db8::10,tcp:443,2001:db8:1::/48" },
        { "hash:ip", "inet", "10.96.0.10", "10.96.0.10" },
        { "hash:ip", "inet", "10.0.0.0/30", "10.0.0.0/30" },
        { "hash:ip", "inet6", "fd00:10:96::a", "fd00:10:96::a" },
        { "hash:net", "inet", "10.1.2.3/16", "10.1.0.0/16" },
        { "hash:net", "inet", "10.2.2.2", "10.2.2.2" },
        { "hash:net", "inet", "10.0.0.1-10.0.0.6", "10.0.0.1-10.0.0.6" },
        { "hash:net", "inet6", "2001:db8::/32", "2001:db8::/32" },
        { "hash:net,port", "inet", "10.0.0.0/8,udp:53", "10.0.0.0/8,udp:53" },
        { "bitmap:port", null, "30080", "30080" },
        { "bitmap:port", null, "tcp:30081", "30081" },
        { "bitmap:port", null, "udp:1602-1600", "1600-1602" },
        { "bitmap:port", null, "0", "0" },
    };

    [Theory]
    [MemberData(nameof(Valid))]
    public void ReadsWhatIpsetReads(string type, string? family, string input, string expected)
    {
        var element = IpsetElementParser.Parse(input, IpsetTypeInfo.Get(type), family);
        Assert.Equal(expected, element.Text);
        // Its own text reads back to the same element.
        Assert.Equal(expected, IpsetElementParser.Parse(element.Text, IpsetTypeInfo.Get(type), family).Text);
    }

    public static TheoryData<string, string?, string, string> Invalid => new()
    {
        // type, family, input, part of the message
        { "hash:ip,port", "inet", "", "cannot be empty" },
        { "hash:ip,port", "inet", "10.96.0.10", "has 1 part(s)" },
        { "hash:ip,port", "inet", "10.96.0.10,tcp:53,10.0.0.1", "has 3 part(s)" },
        { "hash:ip,port", "inet", "10.0.0.1,tcp:65536", "not a number 0-65535" },
        { "hash:ip,port", "inet", "10.0.0.1,tcp:-1", "not a number 0-65535" },
        { "hash:ip,port", "inet", "10.0.0.1,tcp:080", "is not a number 0-65535" },
        { "hash:ip,port", "inet", "10.0.0.1,tcp:nosuchservice", "not a tcp service name in /etc/services" },
        { "hash:ip,port", "inet", "10.0.0.256,tcp:3", "is not an IPv4 address" },
        { "hash:ip,port", "inet", "10.0.0.1.5,tcp:3", "not an IPv4 address" },
        { "hash:ip,port", "inet", "10.0.0.256,tcp:3", "not an IPv4 address" },
        { "hash:ip,port", "inet", "node1,tcp:3", "not an IPv4 address" },
        { "hash:ip,port", "inet", "fd00::1,tcp:53", "the set's family is inet" },
        { "hash:ip,port", "inet6", "10.0.0.1,tcp:53", "the set's family is inet6" },
        { "hash:ip,port", "inet", "10.0.0.1,0:4", "protocol 0" },
        { "hash:ip,port", "inet", "10.0.0.1,bogus:4", "not a protocol" },
        { "hash:ip,port", "inet", "10.0.0.1,gre:4", "pseudo port 0" },
        { "hash:ip,port", "inet", "10.0.0.1,ipv6-icmp:1/1", "inet6" },
        { "hash:ip,port", "inet6", "fd00::5,icmp:1/0", "family inet sets" },
        { "hash:ip,port", "inet", "10.0.0.1,icmp:300/0", "TYPE/CODE" },
        { "hash:ip,port", "inet", "10.0.0.0/33,tcp:1", "1-32" },
        { "hash:ip,port", "inet", "10.0.0.5/0,tcp:1", "prefix length of 0" },
        { "hash:ip,port", "inet6", "fd00::/126,tcp:53", "plain address" },
        { "hash:ip,port", "inet6", "fd00::1-fd00::2,tcp:1", "plain address" },
        { "hash:ip,port", "inet6", "fe80::1%eth0,tcp:1", "not an IPv6 address" },
        { "hash:ip,port", "inet", "10.0.0.1,tcp:53 timeout 5", "white space" },
        { "hash:ip,port", null, "10.0.0.1,tcp:53", "family inet or inet6" },
        { "hash:ip,port,ip", "inet", "10.0.0.1,tcp:53,10.0.0.0/24", "CIDR block is not allowed" },
        { "hash:ip,port,ip", "inet", "10.0.0.1,tcp:53,10.0.0.1-10.0.0.2", "range is not allowed" },
        { "hash:ip,port,net", "inet", "1.1.1.1,tcp:80,10.0.0.0/0", "prefix length of 0" },
        { "hash:net", "inet6", "2001:db8::/129", "1-128" },
        { "bitmap:port", null, "sctp:30080", "only tcp: or udp:" },
        { "bitmap:port", null, "65536", "0-65535" },
        { "bitmap:port", null, "10.0.0.1", "not a number" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void RefusesWhatIpsetOrTheKernelRefuses(string type, string? family, string input, string message)
    {
        var error = Assert.Throws<IpsetSyntaxException>(() => IpsetElementParser.Parse(input, IpsetTypeInfo.Get(type), family));
        Assert.Contains(message, error.Message);
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void EntriesRefuseWhatTheSetCannotHold()
    {
        var element = IpsetElementParser.Parse("10.0.0.1", IpsetTypeInfo.Get("hash:ip"), "inet");
        Assert.Contains("\" character", Assert.Throws<IpsetSyntaxException>(() => new IpsetEntry(element, comment: "a \" b")).Message);
        Assert.Contains("255 bytes", Assert.Throws<IpsetSyntaxException>(() => new IpsetEntry(element, comment: new string('x', 256))).Message);
        Assert.Contains("2147483", Assert.Throws<IpsetSyntaxException>(() => new IpsetEntry(element, timeout: 2147484)).Message);
        Assert.Contains("nomatch", Assert.Throws<IpsetSyntaxException>(() => new IpsetEntry(element, noMatch: true)).Message);
        var plain = new IpvsTools.Ipsets.Ipset("S", "hash:ip", 6, "inet", 1024, 65536, null, null, null, null, false, false, false, false, null, 0, 0, 0, []);
        Assert.Contains("without a timeout", Assert.Throws<IpsetSyntaxException>(() => new IpsetEntry(element, timeout: 5).ValidateFor(plain)).Message);
        Assert.Contains("without counters", Assert.Throws<IpsetSyntaxException>(() => new IpsetEntry(element, packets: 5).ValidateFor(plain)).Message);
        Assert.Contains("without comment", Assert.Throws<IpsetSyntaxException>(() => new IpsetEntry(element, comment: "c").ValidateFor(plain)).Message);
        Assert.Equal("10.0.0.1 timeout 5 packets 1 bytes 2 comment \"a b\"", new IpsetEntry(element, 5, 1, 2, "a b").ToString());
    }

    [Fact]
    public void CreateOptionsRefuseWhatTheTypeHasNot()
    {
        Assert.Contains("no family", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("bitmap:port", "inet") { RangeFrom = 0, RangeTo = 1 }.Validate()).Message);
        Assert.Contains("needs a range", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("bitmap:port").Validate()).Message);
        Assert.Contains("no netmask", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("hash:net") { Netmask = 24 }.Validate()).Message);
        // hash:ip,port has a netmask from revision 7 on: the kernel's revision decides.
        new IpsetCreateOptions("hash:ip,port") { Netmask = 24 }.Validate(revision: 7);
        Assert.Contains("needs revision 7", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("hash:ip,port") { Netmask = 24 }.Validate(revision: 6)).Message);
        Assert.Contains("not both", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("hash:ip") { Netmask = 24, Bitmask = System.Net.IPAddress.Parse("255.255.0.0") }.Validate()).Message);
        Assert.Contains("no size", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("hash:ip") { Size = 4 }.Validate()).Message);
        Assert.Contains("range of IPv4 addresses", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("bitmap:ip").Validate()).Message);
        Assert.Contains("1-128", Assert.Throws<IpsetSyntaxException>(() => new IpsetCreateOptions("hash:ip", "inet6") { Netmask = 129 }.Validate()).Message);
        Assert.Contains("'hash:foo' is not an ipset type", Assert.Throws<IpvsToolsException>(() => new IpsetCreateOptions("hash:foo").Validate()).Message);
        new IpsetCreateOptions("list:set") { Size = 4 }.Validate();
        Assert.Equal("hash:ip family inet6 hashsize 64 netmask 64 timeout 5 counters comment",
            new IpsetCreateOptions("hash:ip", "inet6") { HashSize = 64, Netmask = 64, Timeout = 5, Counters = true, Comment = true }.ToString());
    }
}
