using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.Tests.Ipset;

/// <summary>The ipset client against the host kernel, cross-checked with the ipset tool in the same namespace.</summary>
[Trait("Tier", "Host")]
public class IpsetClientHostTests
{
    /// <summary>Every set type kube-proxy uses, inet and inet6, as `ipset restore` input.</summary>
    internal const string KubeProxySets = """
        create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
        add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
        add KUBE-CLUSTER-IP 10.96.0.10,udp:53
        add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
        add KUBE-CLUSTER-IP 10.96.0.10,tcp:9153
        add KUBE-CLUSTER-IP 10.96.200.7,sctp:3868
        create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
        add KUBE-LOOP-BACK 10.244.0.5,tcp:53,10.244.0.5
        add KUBE-LOOP-BACK 10.244.0.5,udp:53,10.244.0.5
        create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
        add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.0.0/16
        add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,10.1.2.3
        create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
        add KUBE-NODE-PORT-TCP 30080
        add KUBE-NODE-PORT-TCP 31999
        create KUBE-HEALTH-CHECK-NODE-PORT bitmap:port range 0-65535
        create KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536
        add KUBE-IPVS-IPS 10.96.0.1
        add KUBE-IPVS-IPS 10.96.0.10
        create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-CLUSTER-IP fd00:10:96::1,tcp:443
        add KUBE-6-CLUSTER-IP fd00:10:96::a,udp:53
        create KUBE-6-LOOP-BACK hash:ip,port,ip family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-LOOP-BACK fd00:10:244::5,tcp:53,fd00:10:244::5
        create KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8::10,tcp:443,2001:db8:1::/48
        create KUBE-6-IPVS-IPS hash:ip family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-IPVS-IPS fd00:10:96::1
        create EXTRAS hash:ip,port family inet hashsize 64 maxelem 1000 counters comment
        add EXTRAS 10.0.0.1,tcp:80 packets 5 bytes 300 comment "from the test"
        create NETS hash:net family inet hashsize 1024 maxelem 65536
        add NETS 10.1.0.0/16
        add NETS 10.2.2.2

        """;

    [Fact]
    public void ListsEveryKubeProxySetTypeExactlyAsIpsetListPrints()
    {
        using var ns = new TestNamespace();
        Restore(ns, KubeProxySets);
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var sets = client.List();
        Assert.Equal(ns.Exec("ipset", "list"), IpsetText.FormatList(sets));
        Assert.Equal(12, sets.Count);
        Assert.All(sets, s => Assert.Equal(ns.Name, s.NetworkNamespace));
    }

    [Fact]
    public void ListsOneSetByName()
    {
        using var ns = new TestNamespace();
        Restore(ns, KubeProxySets);
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var set = Assert.Single(client.List("KUBE-LOOP-BACK"));
        Assert.Equal(ns.Exec("ipset", "list", "KUBE-LOOP-BACK"), IpsetText.FormatList([set]));
        var member = set.Members[0];
        Assert.Equal("10.244.0.5", member.Address!.ToString());
        Assert.Equal("10.244.0.5", member.Address2!.ToString());
    }

    [Fact]
    public void ABigSetSpansSeveralMessagesAndArrivesWhole()
    {
        using var ns = new TestNamespace();
        var lines = new System.Text.StringBuilder("create BIG hash:ip,port family inet hashsize 4096 maxelem 65536\n");
        for (var i = 0; i < 5000; i++) lines.Append($"add BIG 10.{96 + i / 65536}.{i / 256 % 256}.{i % 256},tcp:{1000 + i % 50}\n");
        Restore(ns, lines.ToString());
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var set = Assert.Single(client.List("BIG"));
        Assert.Equal(5000, set.Members.Count);
        Assert.Equal(5000u, set.EntryCount);
        Assert.Equal(ns.Exec("ipset", "list", "BIG"), IpsetText.FormatList([set]));
    }

    [Fact]
    public void TimeoutsCountDownBetweenTheToolsReads()
    {
        using var ns = new TestNamespace();
        Restore(ns, "create T hash:ip family inet timeout 600\nadd T 10.0.0.1 timeout 500\n");
        var before = ReadTimeout(ns.Exec("ipset", "list", "T"));
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var set = Assert.Single(client.List("T"));
        var after = ReadTimeout(ns.Exec("ipset", "list", "T"));
        Assert.Equal(600u, set.Timeout);
        var timeout = Assert.Single(set.Members).Timeout!.Value;
        Assert.InRange(timeout, after, before);
        Assert.Contains("timeout 600", set.Header);
    }

    [Fact]
    public void AMissingSetIsNotFound()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var error = Assert.Throws<NetlinkException>(() => client.List("NOPE"));
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Contains("NOPE", error.Message);
        Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<IpvsToolsException>(() => client.List(new string('x', 32))).Kind);
    }

    [Fact]
    public void NegotiatesTheKernelsProtocol()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        // `ipset version` prints the protocol the tool and kernel agreed on.
        var version = ns.Exec("ipset", "version");
        Assert.Contains($"protocol version: {client.Protocol}", version);
    }

    private static uint ReadTimeout(string listing)
    {
        var line = listing.Split('\n').Single(l => l.StartsWith("10.0.0.1 "));
        return uint.Parse(line.Split(' ')[2]);
    }

    internal static void Restore(TestNamespace ns, string script)
    {
        var path = Path.Combine(Path.GetTempPath(), "ipvstools-" + Guid.NewGuid().ToString("N") + ".ipset");
        File.WriteAllText(path, script);
        try
        {
            ns.Exec("ipset", "restore", "-file", path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
