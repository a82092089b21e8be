using System.Net.Sockets;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;
using IpvsTools.Sync;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The node read that Sync-, Compare-KubeIpvs and Get-KubeIpvsPlan start before reading the cluster, on the host
/// (no IPVS here, so the read of the IPVS table fails: what a planning reports with it and what is dropped without
/// one). Whole plans with a prefetched read are the cmdlets' own, checked in the lab (SyncKubeIpvsLabTests, CompareKubeIpvs lab tests).
/// </summary>
[Trait("Tier", "Host")]
public class KubeNodePrefetchHostTests
{
    private static readonly ClusterSnapshot Empty = new([], []);

    [Fact]
    public void APlanningWithThePrefetchedReadFailsAsOneThatReadsTheNodeItself()
    {
        using var test = new TestNamespace();
        var ns = NetworkNamespace.Resolve(test.Name)!;
        var options = Options("172.18.0.3");
        var own = Assert.ThrowsAny<IpvsToolsException>(() => KubeIpvsPlanning.Run(Empty, options, ns));
        using var prefetch = KubeNodePrefetch.Start(ns);
        var prefetched = Assert.ThrowsAny<IpvsToolsException>(() => KubeIpvsPlanning.Run(Empty, options, ns, false, null, prefetch));
        Assert.Equal(own.GetType(), prefetched.GetType());
        Assert.Equal(own.Message, prefetched.Message);
    }

    [Fact]
    public void AnUnusedPrefetchDropsItsFailureWhenDisposed()
    {
        using var test = new TestNamespace();
        var prefetch = KubeNodePrefetch.Start(NetworkNamespace.Resolve(test.Name));
        prefetch.Dispose(); // the cluster read failed: nothing plans, and the node's failure is not the one to report
        prefetch.Dispose();
    }

    [Fact]
    public void TheReadIsTakenOnceAndOnlyForItsOwnNamespace()
    {
        using var test = new TestNamespace();
        using var other = new TestNamespace();
        var ns = NetworkNamespace.Resolve(test.Name);
        using var prefetch = KubeNodePrefetch.Start(ns);
        Assert.Null(prefetch.Take(NetworkNamespace.Resolve(other.Name)));
        Assert.Null(prefetch.Take(null));
        var read = prefetch.Take(NetworkNamespace.Resolve(test.Name));
        Assert.NotNull(read);
        Assert.Null(prefetch.Take(ns)); // the sync's re-plan while draining reads the node afresh
        Assert.ThrowsAny<Exception>(() => read.GetAwaiter().GetResult()); // no IPVS on the host
    }

    [Fact]
    public async Task IptablesSaveReadAheadIsWhatThePlanningWouldReadItself()
    {
        using var test = new TestNamespace();
        test.Exec("iptables", "-t", "nat", "-N", "KUBE-SERVICES");
        test.Exec("iptables", "-t", "nat", "-A", "KUBE-SERVICES", "-m", "comment", "--comment", "read ahead", "-j", "RETURN");
        test.Exec("ip6tables", "-t", "filter", "-N", "KUBE-FORWARD");
        var ns = NetworkNamespace.Resolve(test.Name);
        using var prefetch = KubeNodePrefetch.Start(ns, null);
        var read = prefetch.TakeIptables(ns, null);
        Assert.NotNull(read);
        var ahead4And6 = await read;
        foreach (var families in new[] { new[] { AddressFamily.InterNetwork }, [AddressFamily.InterNetworkV6], [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6, AddressFamily.InterNetwork] })
        {
            var ahead = ahead4And6.For(families, ns, null);
            var own = KubeNodeReader.ReadIptables(ns, families, null);
            Assert.Equal(Saved(own), Saved(ahead));
        }
        Assert.Contains(ahead4And6.For([AddressFamily.InterNetwork], ns, null)[0].Rules,
            r => r.Table == "nat" && r.Chain == "KUBE-SERVICES" && r.Comment == "read ahead" && r.Target == "RETURN");
        Assert.Null(prefetch.TakeIptables(ns, null)); // once, as the tables
    }

    [Fact]
    public void IptablesSaveReadAheadIsOnlyForItsNamespaceAndBackend()
    {
        using var test = new TestNamespace();
        using var other = new TestNamespace();
        var ns = NetworkNamespace.Resolve(test.Name);
        using var prefetch = KubeNodePrefetch.Start(ns, IptablesBackend.Legacy);
        Assert.Null(prefetch.TakeIptables(NetworkNamespace.Resolve(other.Name), IptablesBackend.Legacy));
        Assert.Null(prefetch.TakeIptables(ns, null));
        Assert.Null(prefetch.TakeIptables(ns, IptablesBackend.NfTables));
        Assert.NotNull(prefetch.TakeIptables(ns, IptablesBackend.Legacy));
    }

    [Fact]
    public void OnlyAnIPv6AddressOtherThanLoopbackAndLinkLocalCountsAsIPv6()
    {
        using var test = new TestNamespace();
        var ns = NetworkNamespace.Resolve(test.Name);
        test.Exec("ip", "link", "set", "lo", "up");
        test.Exec("ip", "-6", "addr", "add", "fe80::1/64", "dev", "lo");
        var (_, addresses) = KubeNodeReader.ReadLinks(ns);
        Assert.Contains(addresses, a => a.Address.Equals(System.Net.IPAddress.IPv6Loopback));
        Assert.Contains(addresses, a => a.Address.Equals(System.Net.IPAddress.Parse("fe80::1")));
        Assert.False(KubeNodeReader.HasIPv6Addresses(addresses));
        test.Exec("ip", "-6", "addr", "add", "2001:db8::7/128", "dev", "lo");
        Assert.True(KubeNodeReader.HasIPv6Addresses(KubeNodeReader.ReadLinks(ns).Addresses));
    }

    [Fact]
    public async Task AnIPv4OnlyReadAheadLeavesIPv6RulesToThePlanningThatAsks()
    {
        using var test = new TestNamespace();
        test.Exec("ip6tables", "-t", "filter", "-N", "KUBE-FORWARD");
        test.Exec("ip6tables", "-t", "filter", "-A", "KUBE-FORWARD", "-m", "comment", "--comment", "read when asked", "-j", "ACCEPT");
        var ns = NetworkNamespace.Resolve(test.Name);
        var ahead = await Task.Run(() => KubePrefetchedIptables.Read(ns, null, ipv6: false));
        Assert.Equal([AddressFamily.InterNetwork], ahead.Families);
        Assert.Equal(Saved(KubeNodeReader.ReadIptables(ns, [AddressFamily.InterNetworkV6], null)), Saved(ahead.For([AddressFamily.InterNetworkV6], ns, null)));
        Assert.Contains(ahead.For([AddressFamily.InterNetwork, AddressFamily.InterNetworkV6], ns, null)[1].Rules,
            r => r.Chain == "KUBE-FORWARD" && r.Comment == "read when asked");
        var both = KubePrefetchedIptables.Read(ns, null);
        Assert.Equal([AddressFamily.InterNetwork, AddressFamily.InterNetworkV6], both.Families.Order());
    }

    private static string Saved(IReadOnlyList<IptablesRuleset> rulesets)
        => string.Join("\n", rulesets.Select(r => r.Family + ": " + string.Join("\n", r.Rules.Select(rule => rule.Table + " " + rule))));
}
