using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipset;

/// <summary>
/// Every set type and create option the host kernel has, made by the ipset tool, read back by the
/// client: the save text and the list text are byte for byte what `ipset save` and `ipset list` print.
/// </summary>
[Trait("Tier", "Host")]
public class EveryTypeSaveHostTests
{
    /// <summary>One restore file per type, each with the options and member forms the type has.</summary>
    public static TheoryData<string, string> Sets => new()
    {
        { "bitmap:ip", """
            create BIP bitmap:ip range 10.0.0.0/16 netmask 24 timeout 100 counters comment skbinfo
            add BIP 10.0.1.0/24 timeout 0 packets 3 bytes 4 comment "x y" skbmark 0x1/0xf skbprio 1:2 skbqueue 7
            create BIP2 bitmap:ip range 192.168.0.1-192.168.0.100
            add BIP2 192.168.0.5
            add BIP2 192.168.0.7-192.168.0.9
            """ },
        { "bitmap:ip,mac", """
            create BMAC bitmap:ip,mac range 10.1.0.0/24 timeout 600 counters comment
            add BMAC 10.1.0.1,01:02:03:04:05:0a timeout 0 comment "m"
            add BMAC 10.1.0.2 timeout 0
            """ },
        { "bitmap:port", """
            create BPORT bitmap:port range 0-1024 counters
            add BPORT 80
            add BPORT 1000-1002
            """ },
        { "hash:ip bitmask", """
            create HIPB hash:ip family inet hashsize 64 maxelem 100 bitmask 255.255.255.0 forceadd
            add HIPB 10.2.3.4
            create HIP6B hash:ip family inet6 bitmask ffff:ffff::
            add HIP6B 2001:db8::1
            create HIPN hash:ip family inet6 netmask 64 timeout 30 counters comment skbinfo
            add HIPN 2001:db8:1::5 timeout 0
            """ },
        { "hash:ip,port netmask and bitmask", """
            create HIPPN hash:ip,port family inet netmask 24
            add HIPPN 10.3.3.3,udp:53
            create HIPPB hash:ip,port family inet bitmask 255.255.0.0
            add HIPPB 10.4.4.4,tcp:80
            create HIPP6 hash:ip,port family inet6 netmask 64
            add HIPP6 fd00::1,icmpv6:ping
            """ },
        { "hash:net,iface", """
            create HIF hash:net,iface family inet counters comment
            add HIF 10.5.0.0/16,eth0
            add HIF 10.6.0.0/16,physdev:eth1 comment "phys"
            add HIF 10.7.0.0/16,veth+ nomatch
            create HIF6 hash:net,iface family inet6
            add HIF6 2001:db8::/32,lo
            """ },
        { "list:set", """
            create A hash:ip
            create B hash:net
            create C bitmap:port range 1-10
            create LS list:set size 4 timeout 50 counters comment
            add LS A timeout 0 comment "first"
            add LS B timeout 0
            add LS C before B timeout 0
            create LS2 list:set
            """ },
        { "the other hash types", """
            create HN hash:net family inet hashsize 128 maxelem 1000 timeout 10 counters comment skbinfo
            add HN 10.0.0.0/8 timeout 0 nomatch
            create HNP hash:net,port family inet6
            add HNP 2001:db8::/64,sctp:9
            create HIPI hash:ip,port,ip family inet
            add HIPI 10.0.0.1,udp:53,10.0.0.2
            create HIPNT hash:ip,port,net family inet
            add HIPNT 10.0.0.1,tcp:80,10.8.0.0/16 nomatch
            """ },
    };

    [Theory]
    [MemberData(nameof(Sets))]
    public void SaveAndListAreWhatTheIpsetToolPrints(string what, string restore)
    {
        using var ns = new TestNamespace();
        IpsetClientHostTests.Restore(ns, restore + "\n");
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var sets = client.List();
        Assert.True(sets.Count > 0, what);
        Assert.Equal(ns.Exec("ipset", "save"), IpsetText.FormatSave(sets));
        Assert.Equal(ns.Exec("ipset", "list"), IpsetListText.Format(sets));
    }
}
