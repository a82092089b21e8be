using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.Kube;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.AnyMode;
using IpvsTools.Namespaces;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.KubeProxy.KubeProxyFixtures;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>
/// The comparison of a node with a cluster in iptables and nftables mode: kube-proxy's own expected rulesets
/// (tests/Shared/Fixtures/KubeProxy) loaded into throwaway namespaces and compared with the cluster kube-proxy's test
/// made them from (tests/Shared/Snapshots/kube-proxy-overall.json, the same test's Services and EndpointSlices):
/// no difference; then one change to the rules or to the cluster, and exactly the difference it makes.
/// </summary>
[Trait("Tier", "Host")]
public class KubeProxyComparisonHostTests
{
    internal static ClusterSnapshot Overall() => SnapshotReader.ReadFiles([Path.Combine(AppContext.BaseDirectory, "Snapshots", "kube-proxy-overall.json")]);

    private static readonly KubeProxyOptions TestNode = new() { NodeName = "test-node" };

    private static string[] Lines(KubeProxyNodeComparison c) => c.Differences.Select(d => d.ToString()).ToArray();

    public static TheoryData<IptablesBackend> Backends => new() { IptablesBackend.NfTables, IptablesBackend.Legacy };

    [Fact]
    public void NftablesOverallMatchesItsCluster()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-overall.nft");
        var c = KubeProxyNodeComparison.Run(Overall(), TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name));
        Assert.Empty(Lines(c));
        Assert.Equal(13, c.Expected.Count);
        Assert.Equal(13, c.Actual.Count);
        // What nftables cannot tell is not a difference: the external IPs and ns2's load balancer are External on the node.
        Assert.Equal(3, c.Actual.Count(s => s.Kind == KubeProxyServiceKind.External));
        Assert.Equal(KubeProxyServiceKind.ExternalIP, c.Expected.Single(s => s.FrontEnd == "TCP 192.168.99.33:80").Kind);
        // Node ports are one front end at 0.0.0.0 on both sides.
        Assert.Equal(3, c.Expected.Count(s => s.Kind == KubeProxyServiceKind.NodePort && s.Address.Equals(System.Net.IPAddress.Any)));
        var all = KubeProxyNodeComparison.Run(Overall(), TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name), includeEqual: true);
        Assert.Equal(13, all.Differences.Count);
        Assert.All(all.Differences, d => Assert.Equal(KubeProxyServiceDifferenceKind.Equal, d.Difference));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void IptablesOverallMatchesItsCluster(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        LoadIptables(ns, "iptables-overall.rules", backend);
        var c = KubeProxyNodeComparison.Run(Overall(), TestNode, KubeProxyMode.Iptables, NetworkNamespace.Resolve(ns.Name), backend);
        Assert.Empty(Lines(c));
        Assert.Equal(13, c.Actual.Count);
    }

    [Fact]
    public void NftablesEndpointRemovedFromTheRulesIsAnEndpointsDifferenceOfEachFrontEndThatUsesIt()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-overall.nft");
        // ns4/svc4's service chain sends everything to 10.180.0.4 now; 10.180.0.5 is gone.
        ns.Exec("nft", "flush", "chain", "ip", "kube-proxy", "service-LAUZTJTB-ns4/svc4/tcp/p80");
        ns.Exec("nft", "add", "rule", "ip", "kube-proxy", "service-LAUZTJTB-ns4/svc4/tcp/p80", "numgen", "random", "mod", "1", "vmap",
            "{ 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 }");
        var c = KubeProxyNodeComparison.Run(Overall(), TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[]
        {
            "Endpoints TCP 172.30.0.44:80 ns4/svc4:p80: expected 10.180.0.4:80, 10.180.0.5:80, actual 10.180.0.4:80",
            "Endpoints TCP 192.168.99.33:80 ns4/svc4:p80: expected 10.180.0.4:80, 10.180.0.5:80, actual 10.180.0.4:80",
        }, Lines(c));
        Assert.All(c.Differences, d => Assert.Equal(ns.Name, d.NetworkNamespace));
    }

    [Fact]
    public void NftablesServiceIpMapEntryRemovedIsMissing()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-overall.nft");
        ns.Exec("nft", "delete", "element", "ip", "kube-proxy", "service-ips", "{ 172.30.0.41 . tcp . 80 }");
        var c = KubeProxyNodeComparison.Run(Overall(), TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name));
        var d = Assert.Single(c.Differences);
        Assert.Equal("Missing TCP 172.30.0.41:80 ns1/svc1:p80: expected ClusterIP -> 10.180.0.1:80, actual (nothing)", d.ToString());
        Assert.Equal(KubeProxyServiceKind.ClusterIP, d.Kind);
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void IptablesClusterIpRuleRemovedIsMissing(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        LoadIptables(ns, "iptables-overall.rules", backend);
        ns.Exec(backend == IptablesBackend.Legacy ? "iptables-legacy" : "iptables-nft", "-w", "-t", "nat", "-D", "KUBE-SERVICES",
            "-m", "comment", "--comment", "ns1/svc1:p80 cluster IP", "-m", "tcp", "-p", "tcp", "-d", "172.30.0.41", "--dport", "80", "-j", "KUBE-SVC-XPGD46QRK7WJZT7O");
        var c = KubeProxyNodeComparison.Run(Overall(), TestNode, KubeProxyMode.Iptables, NetworkNamespace.Resolve(ns.Name), backend);
        Assert.Equal(new[] { "Missing TCP 172.30.0.41:80 ns1/svc1:p80: expected ClusterIP -> 10.180.0.1:80, actual (nothing)" }, Lines(c));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void IptablesServiceMissingFromTheClusterIsUnexpectedOnTheNode(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        LoadIptables(ns, "iptables-overall.rules", backend);
        var overall = Overall();
        var withoutSvc6 = new ClusterSnapshot(overall.Services.Where(s => s.Name != "svc6").ToList(), overall.EndpointSlices, overall.Nodes);
        var c = KubeProxyNodeComparison.Run(withoutSvc6, TestNode, KubeProxyMode.Iptables, NetworkNamespace.Resolve(ns.Name), backend);
        var d = Assert.Single(c.Differences);
        Assert.Equal("Unexpected TCP 172.30.0.46:80 ns6/svc6:p80: expected (nothing), actual ClusterIP -> (rejected)", d.ToString());
    }

    [Fact]
    public void NftablesEndpointMissingFromTheClusterIsAnEndpointsDifference()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-overall.nft");
        var overall = Overall();
        // ns1/svc1's EndpointSlice is gone: kube-proxy would reject its ClusterIP.
        var withoutEndpoints = new ClusterSnapshot(overall.Services, overall.EndpointSlices.Where(s => s.ServiceName != "svc1").ToList(), overall.Nodes);
        var c = KubeProxyNodeComparison.Run(withoutEndpoints, TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[] { "Endpoints TCP 172.30.0.41:80 ns1/svc1:p80: expected (rejected), actual 10.180.0.1:80" }, Lines(c));
    }

    [Fact]
    public void NftablesAffinityRemovedFromTheClusterIsAnAffinityDifference()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-overall.nft");
        var overall = Overall();
        var services = overall.Services.Select(s => s.Name != "svc5" ? s : new KubeService
        {
            Namespace = s.Namespace, Name = s.Name, Type = s.Type, ClusterIPs = s.ClusterIPs, Ports = s.Ports, ExternalIPs = s.ExternalIPs,
            LoadBalancerIngress = s.LoadBalancerIngress, LoadBalancerSourceRanges = s.LoadBalancerSourceRanges, ExternalTrafficPolicy = s.ExternalTrafficPolicy,
            HealthCheckNodePort = s.HealthCheckNodePort, SessionAffinity = KubeSessionAffinity.None,
        }).ToList();
        var c = KubeProxyNodeComparison.Run(new ClusterSnapshot(services, overall.EndpointSlices, overall.Nodes), TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[]
        {
            "Affinity TCP 0.0.0.0:3002 ns5/svc5:p80: expected none, actual ClientIP 10800 s",
            "Affinity TCP 172.30.0.45:80 ns5/svc5:p80: expected none, actual ClientIP 10800 s",
            "Affinity TCP 5.6.7.8:80 ns5/svc5:p80: expected none, actual ClientIP 10800 s",
        }, Lines(c).Order(StringComparer.Ordinal));
    }
}

/// <summary>The other fixtures of kube-proxy's proxier tests against the clusters their steps had: no difference.</summary>
[Trait("Tier", "Host")]
public class KubeProxyFixtureClusterHostTests
{
    private static ClusterSnapshot Snapshot(string name) => SnapshotReader.ReadFiles([Path.Combine(AppContext.BaseDirectory, "Snapshots", name)]);

    private static readonly KubeProxyOptions TestNode = new() { NodeName = "test-node" };

    [Theory]
    [MemberData(nameof(KubeProxyComparisonHostTests.Backends), MemberType = typeof(KubeProxyComparisonHostTests))]
    public void IptablesLocalPolicyMatchesItsCluster(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        LoadIptables(ns, "iptables-local-policy.rules", backend);
        var c = KubeProxyNodeComparison.Run(Snapshot("kube-proxy-local-policy.json"), TestNode, KubeProxyMode.Iptables, NetworkNamespace.Resolve(ns.Name), backend);
        Assert.Empty(c.Differences.Select(d => d.ToString()));
        Assert.Equal(4, c.Actual.Count);
        // Under another node name no endpoint is local: every external front end would drop its traffic.
        var elsewhere = KubeProxyNodeComparison.Run(Snapshot("kube-proxy-local-policy.json"), new KubeProxyOptions { NodeName = "other-node" }, KubeProxyMode.Iptables,
            NetworkNamespace.Resolve(ns.Name), backend);
        Assert.Equal(new[]
        {
            "Endpoints TCP 0.0.0.0:3001 ns1/svc1:p80: expected (rejected), actual 10.180.2.1:80",
            "Endpoints TCP 1.2.3.4:80 ns1/svc1:p80: expected (rejected), actual 10.180.2.1:80",
            "Endpoints TCP 192.168.99.11:80 ns1/svc1:p80: expected (rejected), actual 10.180.2.1:80",
        }, elsewhere.Differences.Select(d => d.ToString()).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("nftables-deleted-service.nft", "kube-proxy-deleted-service.json", 2)]
    [InlineData("nftables-no-endpoints-and-stale-endpoint.nft", "kube-proxy-no-endpoints-and-stale-endpoint.json", 3)]
    public void NftablesStepsMatchTheirClusters(string fixture, string snapshot, int frontEnds)
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, fixture);
        var c = KubeProxyNodeComparison.Run(Snapshot(snapshot), TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name));
        Assert.Empty(c.Differences.Select(d => d.ToString()));
        Assert.Equal(frontEnds, c.Actual.Count);
    }

    [Fact]
    public void NftablesDeletedServiceStillInTheClusterIsMissing()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-deleted-service.nft");
        // The cluster before the deletion (ns2/svc2 still there): its flushed chains are not a front end on the node.
        var before = Snapshot("kube-proxy-deleted-service.json");
        var svc2 = new KubeService { Namespace = "ns2", Name = "svc2", ClusterIPs = [System.Net.IPAddress.Parse("172.30.0.42")], Ports = [new KubeServicePort("p8080", IpvsTools.Ipvs.IpvsProtocol.Tcp, 8080)] };
        var c = KubeProxyNodeComparison.Run(new ClusterSnapshot([.. before.Services, svc2], before.EndpointSlices), TestNode, KubeProxyMode.Nftables, NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[] { "Missing TCP 172.30.0.42:8080 ns2/svc2:p8080: expected ClusterIP -> (rejected), actual (nothing)" }, c.Differences.Select(d => d.ToString()));
    }
}
