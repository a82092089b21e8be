using System.Net;
using System.Net.Sockets;
using IpvsTools.Diagnostics;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using Xunit;
using static IpvsTools.Tests.KubeProxy.KubeProxyFixtures;

namespace IpvsTools.Tests.Diagnostics;

/// <summary>
/// What Test-ServiceReachability reads of kube-proxy's iptables- and nftables-mode rules besides the front ends: the
/// hooks, the rule or element that rejects a front end without endpoints, the addresses node ports are taken on. On
/// kube-proxy's proxier-test rulesets (unit tier; the same read on the host kernel is in the module's host tests).
/// </summary>
public sealed class ProxyModeRulesTests
{
    private static IptablesRuleset Overall(string extra = "")
        => IptablesSaveParser.Parse(File.ReadAllText(PathOf("iptables-overall.rules")) + extra, IptablesFamily.IPv4);

    [Fact]
    public void IptablesProxierRulesAloneLackTheJumpsFromTheBuiltInChains()
    {
        // kube-proxy's test input holds only KUBE-* chains: the jumps are inserted with iptables -I.
        var rules = ProxyModeRules.FromIptables(Overall());
        Assert.True(rules.Present);
        Assert.Equal(new[] { "nat PREROUTING -j KUBE-SERVICES", "nat OUTPUT -j KUBE-SERVICES", "nat POSTROUTING -j KUBE-POSTROUTING" },
            rules.Hooks.Where(h => !h.Present).Select(h => h.Description));
        Assert.True(rules.Hooks.Single(h => h.Purpose == "node ports").Present);
        Assert.True(rules.LocalhostNodePorts);
        Assert.Null(rules.NodePortAddresses);
    }

    [Fact]
    public void IptablesJumpsInsertedAsKubeProxyDoesAreFound()
    {
        var rules = ProxyModeRules.FromIptables(Overall("""
            *nat
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
            COMMIT

            """));
        Assert.All(rules.Hooks, h => Assert.True(h.Present, h.Description));
    }

    [Fact]
    public void IptablesNamesTheRejectOrDropRuleOfAFrontEndWithoutEndpoints()
    {
        var rules = ProxyModeRules.FromIptables(Overall());
        // The fixture's text as parsed (iptables-save on a kernel prints -d 172.30.0.46/32; the host tests see that form).
        Assert.Equal("filter -A KUBE-SERVICES -d 172.30.0.46 -p tcp -m comment --comment \"ns6/svc6:p80 has no endpoints\" -m tcp --dport 80 -j REJECT",
            rules.NoEndpointRule(IpvsProtocol.Tcp, IPAddress.Parse("172.30.0.46"), 80));
        Assert.StartsWith("filter -A KUBE-EXTERNAL-SERVICES -d 1.2.3.4 -p tcp -m comment --comment \"ns2/svc2:p80 has no local endpoints\"",
            rules.NoEndpointRule(IpvsProtocol.Tcp, IPAddress.Parse("1.2.3.4"), 80));
        // The node port: matched by addrtype LOCAL, not by an address.
        Assert.EndsWith("--dport 3001 -j DROP", rules.NoEndpointRule(IpvsProtocol.Tcp, null, 3001));
        Assert.Null(rules.NoEndpointRule(IpvsProtocol.Tcp, IPAddress.Parse("172.30.0.41"), 80));
        Assert.Null(rules.NoEndpointRule(IpvsProtocol.Udp, IPAddress.Parse("172.30.0.46"), 80));
    }

    /// <summary>Items of `nft -j list table ip kube-proxy` (nft 1.0.6) for kube-proxy's TestOverallNFTablesRules ruleset
    /// (tests/Shared/Fixtures/KubeProxy/nftables-overall.nft), cut to what these tests read.</summary>
    private const string NftJson = """
        {"nftables": [
        {"table": {"family": "ip", "name": "kube-proxy", "handle": 1}},
        {"set": {"family": "ip", "name": "nodeport-ips", "table": "kube-proxy", "type": "ipv4_addr", "handle": 2, "comment": "IPs that accept NodePort traffic", "elem": ["192.168.0.2"]}},
        {"map": {"family": "ip", "name": "no-endpoint-services", "table": "kube-proxy", "type": ["ipv4_addr", "inet_proto", "inet_service"], "handle": 5, "comment": "vmap to drop or reject packets to services with no endpoints", "map": "verdict", "elem": [[{"elem": {"val": {"concat": ["1.2.3.4", "tcp", 80]}, "comment": "ns2/svc2:p80"}}, {"drop": null}], [{"elem": {"val": {"concat": ["192.168.99.22", "tcp", 80]}, "comment": "ns2/svc2:p80"}}, {"drop": null}], [{"elem": {"val": {"concat": ["172.30.0.46", "tcp", 80]}, "comment": "ns6/svc6:p80"}}, {"goto": {"target": "reject-chain"}}]]}},
        {"chain": {"family": "ip", "table": "kube-proxy", "name": "nat-output", "handle": 17, "type": "nat", "hook": "output", "prio": -100, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "kube-proxy", "name": "nat-prerouting", "handle": 19, "type": "nat", "hook": "prerouting", "prio": -100, "policy": "accept"}},
        {"chain": {"family": "ip", "table": "kube-proxy", "name": "services", "handle": 22}},
        {"rule": {"family": "ip", "table": "kube-proxy", "chain": "nat-output", "handle": 39, "expr": [{"jump": {"target": "services"}}]}},
        {"rule": {"family": "ip", "table": "kube-proxy", "chain": "nat-prerouting", "handle": 41, "expr": [{"jump": {"target": "services"}}]}},
        {"rule": {"family": "ip", "table": "kube-proxy", "chain": "services", "handle": 45, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@nodeport-ips"}}, {"vmap": {"key": {"concat": [{"meta": {"key": "l4proto"}}, {"payload": {"protocol": "th", "field": "dport"}}]}, "data": "@service-nodeports"}}]}}
        ]}
        """;

    [Fact]
    public void NftablesHooksAreTheBaseChainsWithTheirJumps()
    {
        var rules = ProxyModeRules.FromNftables(NftJson, AddressFamily.InterNetwork);
        Assert.True(rules.Present);
        // nat-postrouting is left out of the sample: it is the one hook missing.
        Assert.Equal(new[] { "chain nat-postrouting (type nat hook postrouting) jump masquerading" }, rules.Hooks.Where(h => !h.Present).Select(h => h.Description));
        Assert.Contains(rules.Hooks, h => h is { Description: "chain nat-output (type nat hook output) jump services", Present: true });
        Assert.Equal(new[] { IPAddress.Parse("192.168.0.2") }, rules.NodePortAddresses);
    }

    [Fact]
    public void NftablesNamesTheNoEndpointElementWithItsVerdict()
    {
        var rules = ProxyModeRules.FromNftables(NftJson, AddressFamily.InterNetwork);
        Assert.Equal("ip kube-proxy map no-endpoint-services element { 172.30.0.46 . tcp . 80 comment \"ns6/svc6:p80\" : goto reject-chain }",
            rules.NoEndpointRule(IpvsProtocol.Tcp, IPAddress.Parse("172.30.0.46"), 80));
        Assert.Equal("ip kube-proxy map no-endpoint-services element { 1.2.3.4 . tcp . 80 comment \"ns2/svc2:p80\" : drop }",
            rules.NoEndpointRule(IpvsProtocol.Tcp, IPAddress.Parse("1.2.3.4"), 80));
        Assert.Null(rules.NoEndpointRule(IpvsProtocol.Tcp, IPAddress.Parse("172.30.0.41"), 80));
    }

    [Fact]
    public void AMissingNftablesTableIsTheOneMissingHook()
    {
        var rules = ProxyModeRules.FromNftables(null, AddressFamily.InterNetworkV6);
        Assert.False(rules.Present);
        var hook = Assert.Single(rules.Hooks);
        Assert.Equal(("table ip6 kube-proxy", false), (hook.Description, hook.Present));
    }
}
