using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipset;

/// <summary>The ipset client against the host kernel, cross-checked with the ipset tool in the same namespace.</summary>
[Trait("Tier", "Host")]
public class IpsetClientHostTests
{
    private const string KubeProxySets = SampleSets.KubeProxy;

    [Fact]
    public void ListsEveryKubeProxySetTypeExactlyAsIpsetListPrints()
    {
        using var ns = new TestNamespace();
        Restore(ns, KubeProxySets);
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var sets = client.List();
        Assert.Equal(ns.Exec("ipset", "list"), IpsetListText.Format(sets));
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
        Assert.Equal(ns.Exec("ipset", "list", "KUBE-LOOP-BACK"), IpsetListText.Format([set]));
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
        Assert.Equal(ns.Exec("ipset", "list", "BIG"), IpsetListText.Format([set]));
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

    internal static void Restore(TestNamespace ns, string script) => ns.Feed(script, "ipset", "restore");
}
