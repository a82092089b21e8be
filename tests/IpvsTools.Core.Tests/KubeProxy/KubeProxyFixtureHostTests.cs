using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IptablesMode;
using IpvsTools.KubeProxy.NftablesMode;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.KubeProxy.KubeProxyFixtures;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;

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
        // A stable order whatever order nft lists map elements in: by Service, then kind.
        Assert.Equal(services.OrderBy(s => s.Service, StringComparer.Ordinal).ThenBy(s => s.Kind).Select(s => s.FrontEnd), services.Select(s => s.FrontEnd));
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

    /// <summary>
    /// The table ip6 kube-proxy. kube-proxy's tests have no IPv6 ruleset to copy (its IPv6 cases trace packets), so
    /// this one is written for this test in the form kube-proxy's IPv4 fixtures have, with IPv6 addresses (the colons
    /// of an endpoint's address become dots in its chain's name) and an unnamed port in an element comment.
    /// </summary>
    private const string Ipv6Table = """
        add table ip6 kube-proxy { comment "rules for kube-proxy" ; }
        add set ip6 kube-proxy cluster-ips { type ipv6_addr ; comment "Active ClusterIPs" ; }
        add map ip6 kube-proxy service-ips { type ipv6_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
        add map ip6 kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
        add map ip6 kube-proxy no-endpoint-services { type ipv6_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }
        add chain ip6 kube-proxy mark-for-masquerade
        add chain ip6 kube-proxy reject-chain
        add rule ip6 kube-proxy reject-chain reject
        add chain ip6 kube-proxy endpoint-AAAAAAAA-ns1/svc1/udp/dns__fd00.10.180..1/53
        add chain ip6 kube-proxy service-BBBBBBBB-ns1/svc1/udp/dns
        add chain ip6 kube-proxy external-BBBBBBBB-ns1/svc1/udp/dns
        add rule ip6 kube-proxy service-BBBBBBBB-ns1/svc1/udp/dns ip6 daddr fd00:172:30::41 ip6 saddr != fd00:10::/64 jump mark-for-masquerade
        add rule ip6 kube-proxy service-BBBBBBBB-ns1/svc1/udp/dns numgen random mod 1 vmap { 0 : goto endpoint-AAAAAAAA-ns1/svc1/udp/dns__fd00.10.180..1/53 }
        add rule ip6 kube-proxy external-BBBBBBBB-ns1/svc1/udp/dns jump mark-for-masquerade
        add rule ip6 kube-proxy external-BBBBBBBB-ns1/svc1/udp/dns goto service-BBBBBBBB-ns1/svc1/udp/dns
        add rule ip6 kube-proxy endpoint-AAAAAAAA-ns1/svc1/udp/dns__fd00.10.180..1/53 ip6 saddr fd00:10:180::1 jump mark-for-masquerade
        add rule ip6 kube-proxy endpoint-AAAAAAAA-ns1/svc1/udp/dns__fd00.10.180..1/53 meta l4proto udp dnat to [fd00:10:180::1]:53
        add element ip6 kube-proxy cluster-ips { fd00:172:30::41 }
        add element ip6 kube-proxy cluster-ips { fd00:172:30::42 }
        add element ip6 kube-proxy service-ips { fd00:172:30::41 . udp . 53 : goto service-BBBBBBBB-ns1/svc1/udp/dns }
        add element ip6 kube-proxy service-nodeports { udp . 30053 : goto external-BBBBBBBB-ns1/svc1/udp/dns }
        add element ip6 kube-proxy no-endpoint-services { fd00:172:30::42 . tcp . 80 comment "ns2/svc2" : goto reject-chain }
        """;

    [Fact]
    public void NftablesIpv6TableIsReadBesideTheIpv4One()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-deleted-service.nft");
        ns.Feed(Ipv6Table, "nft", "-f", "-");
        var services = NftablesModeReader.Read(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[]
        {
            "TCP 172.30.0.41:80 ClusterIP ns1/svc1:p80 [10.0.1.1:80 p=1] affinity=none",
            "TCP 172.30.0.43:80 ClusterIP ns3/svc3:p80 [10.0.3.1:80 p=1] affinity=none",
            "TCP [fd00:172:30::42]:80 ClusterIP ns2/svc2: [] affinity=none",
            "UDP [::]:30053 NodePort ns1/svc1:dns [[fd00:10:180::1]:53 p=1] affinity=none",
            "UDP [fd00:172:30::41]:53 ClusterIP ns1/svc1:dns [[fd00:10:180::1]:53 p=1] affinity=none",
        }, Describe(services));
    }

    /// <summary>ip6tables rules written for this test in the form of kube-proxy's IPv4 fixtures (kube-proxy's tests have no
    /// IPv6 ruleset): a ClusterIP with two endpoints, its node port, and a ClusterIP without endpoints.</summary>
    private const string Ip6tablesRules = """
        *filter
        :KUBE-SERVICES - [0:0]
        -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 has no endpoints" -m tcp -p tcp -d fd00:172:30::42 --dport 80 -j REJECT
        COMMIT
        *nat
        :KUBE-NODEPORTS - [0:0]
        :KUBE-SERVICES - [0:0]
        :KUBE-EXT-XPGD46QRK7WJZT7O - [0:0]
        :KUBE-MARK-MASQ - [0:0]
        :KUBE-SEP-AAAAAAAAAAAAAAAA - [0:0]
        :KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]
        :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
        -A KUBE-NODEPORTS -m comment --comment ns1/svc1:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-XPGD46QRK7WJZT7O
        -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d fd00:172:30::41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
        -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
        -A KUBE-EXT-XPGD46QRK7WJZT7O -m comment --comment "masquerade traffic for ns1/svc1:p80 external destinations" -j KUBE-MARK-MASQ
        -A KUBE-EXT-XPGD46QRK7WJZT7O -j KUBE-SVC-XPGD46QRK7WJZT7O
        -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
        -A KUBE-SEP-AAAAAAAAAAAAAAAA -m comment --comment ns1/svc1:p80 -s fd00:10:180::1 -j KUBE-MARK-MASQ
        -A KUBE-SEP-AAAAAAAAAAAAAAAA -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination [fd00:10:180::1]:80
        -A KUBE-SEP-BBBBBBBBBBBBBBBB -m comment --comment ns1/svc1:p80 -s fd00:10:180::2:1 -j KUBE-MARK-MASQ
        -A KUBE-SEP-BBBBBBBBBBBBBBBB -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination [fd00:10:180::2:1]:80
        -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d fd00:172:30::41 --dport 80 ! -s fd00:10::/64 -j KUBE-MARK-MASQ
        -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> [fd00:10:180::1]:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-AAAAAAAAAAAAAAAA
        -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> [fd00:10:180::2:1]:80" -j KUBE-SEP-BBBBBBBBBBBBBBBB
        COMMIT

        """;

    [Theory]
    [MemberData(nameof(Backends))]
    public void Ip6tablesRulesAreReadAsIpv6FrontEnds(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        ns.Feed(Ip6tablesRules, backend == IptablesBackend.Legacy ? "ip6tables-legacy-restore" : "ip6tables-nft-restore");
        var services = IptablesModeReader.Read(NetworkNamespace.Resolve(ns.Name), backend);
        Assert.Equal(new[]
        {
            "TCP [::]:3001 NodePort ns1/svc1:p80 [[fd00:10:180::1]:80 p=0.5, [fd00:10:180::2:1]:80 p=0.5] affinity=none",
            "TCP [fd00:172:30::41]:80 ClusterIP ns1/svc1:p80 [[fd00:10:180::1]:80 p=0.5, [fd00:10:180::2:1]:80 p=0.5] affinity=none",
            "TCP [fd00:172:30::42]:80 ClusterIP ns2/svc2:p80 [] affinity=none",
        }, Describe(services));
    }

    /// <summary>
    /// externalTrafficPolicy Local with a local endpoint in nftables mode, with local traffic detected by interface
    /// (kube-proxy's --detect-local-mode InterfaceNamePrefix): the external- chain's last rule goes to local-.
    /// kube-proxy's nftables tests check this case by tracing packets, not with a ruleset, so this one is written for
    /// this test in the form of TestOverallNFTablesRules' svc2 (the Services of TestExternalTrafficPolicyLocal).
    /// </summary>
    private const string NftablesLocalPolicy = """
        add table ip kube-proxy { comment "rules for kube-proxy" ; }
        add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
        add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
        add map ip kube-proxy service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }
        add chain ip kube-proxy mark-for-masquerade
        add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80
        add chain ip kube-proxy endpoint-ZAZ6AFXN-ns1/svc1/tcp/p80__10.180.2.1/80
        add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80
        add chain ip kube-proxy local-ULMVA6XW-ns1/svc1/tcp/p80
        add chain ip kube-proxy external-ULMVA6XW-ns1/svc1/tcp/p80
        add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 iifname != "veth*" jump mark-for-masquerade
        add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 2 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 , 1 : goto endpoint-ZAZ6AFXN-ns1/svc1/tcp/p80__10.180.2.1/80 }
        add rule ip kube-proxy local-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-ZAZ6AFXN-ns1/svc1/tcp/p80__10.180.2.1/80 }
        add rule ip kube-proxy external-ULMVA6XW-ns1/svc1/tcp/p80 iifname "veth*" goto service-ULMVA6XW-ns1/svc1/tcp/p80 comment "short-circuit pod traffic"
        add rule ip kube-proxy external-ULMVA6XW-ns1/svc1/tcp/p80 fib saddr type local jump mark-for-masquerade comment "masquerade local traffic"
        add rule ip kube-proxy external-ULMVA6XW-ns1/svc1/tcp/p80 fib saddr type local goto service-ULMVA6XW-ns1/svc1/tcp/p80 comment "short-circuit local traffic"
        add rule ip kube-proxy external-ULMVA6XW-ns1/svc1/tcp/p80 goto local-ULMVA6XW-ns1/svc1/tcp/p80
        add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade
        add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80
        add rule ip kube-proxy endpoint-ZAZ6AFXN-ns1/svc1/tcp/p80__10.180.2.1/80 ip saddr 10.180.2.1 jump mark-for-masquerade
        add rule ip kube-proxy endpoint-ZAZ6AFXN-ns1/svc1/tcp/p80__10.180.2.1/80 meta l4proto tcp dnat to 10.180.2.1:80
        add element ip kube-proxy cluster-ips { 172.30.0.41 }
        add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
        add element ip kube-proxy service-ips { 192.168.99.11 . tcp . 80 : goto external-ULMVA6XW-ns1/svc1/tcp/p80 }
        add element ip kube-proxy service-ips { 1.2.3.4 . tcp . 80 : goto external-ULMVA6XW-ns1/svc1/tcp/p80 }
        add element ip kube-proxy service-nodeports { tcp . 3001 : goto external-ULMVA6XW-ns1/svc1/tcp/p80 }
        """;

    [Fact]
    public void NftablesLocalPolicyReachesOnlyTheLocalEndpointFromOutsideAsIptablesModeDoes()
    {
        using var ns = new TestNamespace();
        ns.Feed(NftablesLocalPolicy, "nft", "-f", "-");
        var services = NftablesModeReader.Read(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[]
        {
            "TCP 0.0.0.0:3001 ns1/svc1:p80 [10.180.2.1:80 p=1] affinity=none",
            "TCP 1.2.3.4:80 ns1/svc1:p80 [10.180.2.1:80 p=1] affinity=none",
            "TCP 172.30.0.41:80 ns1/svc1:p80 [10.180.0.1:80 p=0.5, 10.180.2.1:80 p=0.5] affinity=none",
            "TCP 192.168.99.11:80 ns1/svc1:p80 [10.180.2.1:80 p=1] affinity=none",
        }, Describe(services, withKind: false));

        // kube-proxy's iptables ruleset of the same Services (TestExternalTrafficPolicyLocal) reads the same.
        using var iptablesNs = new TestNamespace();
        LoadIptables(iptablesNs, "iptables-local-policy.rules", IptablesBackend.NfTables);
        Assert.Equal(Describe(IptablesModeReader.Read(NetworkNamespace.Resolve(iptablesNs.Name)), withKind: false), Describe(services, withKind: false));
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
