using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IptablesMode;
using IpvsTools.KubeProxy.NftablesMode;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.KubeProxy.KubeProxyFixtures;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>
/// kube-proxy's own expected rulesets, loaded into the host kernel (`nft -f`, iptables-restore) in throwaway
/// namespaces and read back as Service front ends. The expected objects are written by hand from the Services and
/// EndpointSlices of kube-proxy's test (each fixture's header lists them), following the conventions of
/// KubeProxyService: NodePorts at 0.0.0.0, endpoints as an external client reaches them, rejected front ends with
/// no endpoints.
/// </summary>
[Trait("Tier", "Host")]
public class KubeProxyFixtureHostTests
{
    // TestOverallIPTablesRules and TestOverallNFTablesRules have the same inputs; the kinds of external addresses
    // are what each mode's rules say (nftables cannot tell an external IP from a load balancer's without source ranges).
    private static string[] Overall(string externalIp, string loadBalancer) =>
    [
        "TCP 0.0.0.0:3001 NodePort ns2/svc2:p80 [] affinity=none",
        "TCP 0.0.0.0:3002 NodePort ns5/svc5:p80 [10.180.0.3:80 p=1] affinity=10800",
        "TCP 0.0.0.0:3003 NodePort ns3/svc3:p80 [10.180.0.3:80 p=1] affinity=none",
        $"TCP 1.2.3.4:80 {loadBalancer} ns2/svc2:p80 [] affinity=none",
        "TCP 172.30.0.41:80 ClusterIP ns1/svc1:p80 [10.180.0.1:80 p=1] affinity=none",
        "TCP 172.30.0.42:80 ClusterIP ns2/svc2:p80 [10.180.0.2:80 p=1] affinity=none",
        "TCP 172.30.0.43:80 ClusterIP ns3/svc3:p80 [10.180.0.3:80 p=1] affinity=none",
        "TCP 172.30.0.44:80 ClusterIP ns4/svc4:p80 [10.180.0.4:80 p=0.5, 10.180.0.5:80 p=0.5] affinity=none",
        "TCP 172.30.0.45:80 ClusterIP ns5/svc5:p80 [10.180.0.3:80 p=1] affinity=10800",
        "TCP 172.30.0.46:80 ClusterIP ns6/svc6:p80 [] affinity=none",
        $"TCP 192.168.99.22:80 {externalIp} ns2/svc2:p80 [] affinity=none",
        $"TCP 192.168.99.33:80 {externalIp} ns4/svc4:p80 [10.180.0.4:80 p=0.5, 10.180.0.5:80 p=0.5] affinity=none",
        // Source ranges (203.0.113.0/25) do not change the endpoints; nftables knows it is a load balancer from firewall-ips.
        "TCP 5.6.7.8:80 LoadBalancer ns5/svc5:p80 [10.180.0.3:80 p=1] affinity=10800",
    ];

    public static TheoryData<IptablesBackend> Backends => new() { IptablesBackend.NfTables, IptablesBackend.Legacy };

    [Fact]
    public void NftablesOverall()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-overall.nft");
        var services = NftablesModeReader.Read(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(Overall("External", "External").Order(StringComparer.Ordinal), Describe(services));
        Assert.All(services, s => Assert.Equal(KubeProxyMode.Nftables, s.Mode));
        Assert.All(services, s => Assert.Equal(ns.Name, s.NetworkNamespace));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void IptablesOverall(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        LoadIptables(ns, "iptables-overall.rules", backend);
        var services = IptablesModeReader.Read(NetworkNamespace.Resolve(ns.Name), backend);
        Assert.Equal(Overall("ExternalIP", "LoadBalancer").Order(StringComparer.Ordinal), Describe(services));
        Assert.All(services, s => Assert.Equal(KubeProxyMode.Iptables, s.Mode));
        Assert.All(services, s => Assert.Equal(ns.Name, s.NetworkNamespace));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void IptablesLocalPolicyReachesOnlyTheLocalEndpointFromOutside(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        LoadIptables(ns, "iptables-local-policy.rules", backend);
        var services = IptablesModeReader.Read(NetworkNamespace.Resolve(ns.Name), backend);
        Assert.Equal(new[]
        {
            "TCP 0.0.0.0:3001 NodePort ns1/svc1:p80 [10.180.2.1:80 p=1] affinity=none",
            "TCP 1.2.3.4:80 LoadBalancer ns1/svc1:p80 [10.180.2.1:80 p=1] affinity=none",
            // The ClusterIP keeps both endpoints: internal traffic policy is Cluster.
            "TCP 172.30.0.41:80 ClusterIP ns1/svc1:p80 [10.180.0.1:80 p=0.5, 10.180.2.1:80 p=0.5] affinity=none",
            "TCP 192.168.99.11:80 ExternalIP ns1/svc1:p80 [10.180.2.1:80 p=1] affinity=none",
        }, Describe(services));
    }

    [Fact]
    public void NftablesDeletedServiceChainsAreNotFrontEnds()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-deleted-service.nft");
        var services = NftablesModeReader.Read(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[]
        {
            "TCP 172.30.0.41:80 ClusterIP ns1/svc1:p80 [10.0.1.1:80 p=1] affinity=none",
            "TCP 172.30.0.43:80 ClusterIP ns3/svc3:p80 [10.0.3.1:80 p=1] affinity=none",
        }, Describe(services));
    }

    [Fact]
    public void NftablesServiceWithoutEndpointsIsRejectedAndAStaleEndpointChainIsNoEndpoint()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-no-endpoints-and-stale-endpoint.nft");
        var services = NftablesModeReader.Read(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[]
        {
            "TCP 172.30.0.41:80 ClusterIP ns1/svc1:p80 [10.0.1.1:80 p=1] affinity=none",
            "TCP 172.30.0.43:80 ClusterIP ns3/svc3:p80 [10.0.3.2:80 p=1] affinity=none",
            "TCP 172.30.0.44:80 ClusterIP ns4/svc4:p80 [] affinity=none",
        }, Describe(services));
        Assert.True(services.Single(s => s.Service == "ns4/svc4").IsRejected);
    }

    /// <summary>
    /// The same kube-proxy inputs in both modes give equal objects, except that nftables may say External where
    /// iptables says ExternalIP or LoadBalancer.
    /// </summary>
    [Fact]
    public void IptablesAndNftablesModesOfTheSameServicesAgree()
    {
        using var iptablesNs = new TestNamespace();
        using var nftablesNs = new TestNamespace();
        LoadIptables(iptablesNs, "iptables-overall.rules", IptablesBackend.NfTables);
        LoadNftables(nftablesNs, "nftables-overall.nft");
        var fromIptables = IptablesModeReader.Read(NetworkNamespace.Resolve(iptablesNs.Name));
        var fromNftables = NftablesModeReader.Read(NetworkNamespace.Resolve(nftablesNs.Name));
        Assert.Equal(Describe(fromIptables, withKind: false), Describe(fromNftables, withKind: false));
        foreach (var n in fromNftables)
        {
            var i = fromIptables.Single(s => s.FrontEnd == n.FrontEnd);
            if (n.Kind == KubeProxyServiceKind.External) Assert.Contains(i.Kind, new[] { KubeProxyServiceKind.ExternalIP, KubeProxyServiceKind.LoadBalancer });
            else Assert.Equal(i.Kind, n.Kind);
        }
    }

    [Fact]
    public void ANamespaceWithoutKubeProxyHasNoFrontEnds()
    {
        using var ns = new TestNamespace();
        var where = NetworkNamespace.Resolve(ns.Name);
        Assert.False(NftablesModeReader.HasTables(where));
        Assert.Empty(NftablesModeReader.Read(where));
        Assert.Empty(IptablesModeReader.Read(where));
    }
}
