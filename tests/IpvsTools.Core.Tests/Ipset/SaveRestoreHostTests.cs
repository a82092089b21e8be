using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipset;

/// <summary>
/// `ipset save` text made from the kernel's sets is byte for byte what the tool prints (initval and
/// bucketsize read back from the kernel), and restoring it through the client rebuilds the same sets.
/// </summary>
[Trait("Tier", "Host")]
public class SaveRestoreHostTests
{
    /// <summary>Every kube-proxy set type plus the extensions and member forms the save format has.</summary>
    internal const string Rich = SampleSets.KubeProxy + """
        create PROTOS hash:ip,port family inet hashsize 1024 maxelem 65536
        add PROTOS 10.0.0.1,icmp:echo-request
        add PROTOS 10.0.0.1,icmp:3/8
        add PROTOS 10.0.0.1,gre:0
        add PROTOS 10.0.0.1,udplite:4
        add PROTOS 10.0.0.1,200:0
        create PROTOS6 hash:ip,port family inet6 hashsize 1024 maxelem 65536
        add PROTOS6 fd00::1,ipv6-icmp:no-route
        add PROTOS6 fd00::1,ipv6-icmp:200/1
        create NOMATCH hash:net family inet hashsize 1024 maxelem 65536
        add NOMATCH 10.0.0.0/8
        add NOMATCH 10.1.0.0/16 nomatch
        create PERMANENT hash:ip family inet hashsize 1024 maxelem 65536 timeout 300
        add PERMANENT 10.0.0.7 timeout 0
        create MASKED hash:ip family inet hashsize 1024 maxelem 65536 netmask 24
        add MASKED 10.9.8.7
        create SKB hash:ip family inet hashsize 1024 maxelem 65536 skbinfo
        add SKB 10.0.0.1 skbmark 0x10/0xff skbprio 1:2 skbqueue 3
        add SKB 10.0.0.2 skbmark 0x20
        create FORCED hash:ip family inet hashsize 64 maxelem 8 forceadd
        create PORTS bitmap:port range 1000-2000 counters comment
        add PORTS 1500 packets 1 bytes 2 comment "a comment"

        """;

    [Fact]
    public void SaveTextIsWhatIpsetSavePrints()
    {
        using var ns = new TestNamespace();
        IpsetClientHostTests.Restore(ns, Rich);
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(ns.Exec("ipset", "save"), IpsetText.FormatSave(client.List()));
        Assert.Equal(ns.Exec("ipset", "save", "PROTOS"), IpsetText.FormatSave(client.List("PROTOS")));
    }

    [Fact]
    public void RestoringTheSaveThroughTheClientRebuildsTheSetsExactly()
    {
        using var source = new TestNamespace();
        IpsetClientHostTests.Restore(source, Rich);
        var save = source.Exec("ipset", "save");

        using var target = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(target.Name));
        var script = IpsetRestoreParser.Parse(save);
        Assert.Empty(script.Errors);
        Assert.Empty(IpsetRestoreValidator.Validate(script, client.ListHeaders(), name => client.List(name).SelectMany(s => s.Members).Select(m => m.Element).ToList(), exist: false));
        var result = client.Restore(script);
        Assert.Null(result.Failure);
        Assert.Equal(script.Lines.Count, result.LinesApplied);
        // Headers with their initval, members in the kernel's order: the same hash seed gives the same order.
        Assert.Equal(save, target.Exec("ipset", "save"));
    }

    [Fact]
    public void AKernelRefusalStopsTheRestoreAtItsLine()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        // maxelem 2: the third member is refused by the kernel (the validator does not count).
        var script = IpsetRestoreParser.Parse("create S hash:ip maxelem 2\nadd S 10.0.0.1\nadd S 10.0.0.2\nadd S 10.0.0.3\nadd S 10.0.0.4\ncreate T hash:ip\n");
        Assert.Empty(IpsetRestoreValidator.Validate(script, client.ListHeaders(), _ => [], exist: false));
        var result = client.Restore(script);
        Assert.Equal(4, result.Failure!.LineNumber);
        Assert.Contains("full", result.Failure.Message);
        Assert.Equal(3, result.LinesApplied);
        Assert.Contains(" maxelem 2 ", IpsetWriteHostTests.Line(ns.Exec("ipset", "save"), "create S"));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], IpsetWriteHostTests.Members(ns.Exec("ipset", "save")).Order());
        Assert.DoesNotContain("create T", ns.Exec("ipset", "save"));
    }
}
