using System.Net.Sockets;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>kube-proxy's IPVS-mode iptables rules as data, per family.</summary>
public class KubeIptablesRulesTests
{
    internal static KubeDesiredState Cluster(KubeProxyOptions options, params KubeService[] more)
    {
        var dns = Service("kube-dns", "10.96.0.10,fd00:10:96::10", Port("dns", IpvsProtocol.Udp, 53));
        var lb = new KubeService
        {
            Namespace = "ns", Name = "lb", Type = KubeServiceType.LoadBalancer, ClusterIPs = [IP("10.96.0.30")],
            Ports = [Port("http", IpvsProtocol.Tcp, 80, 30090)],
            LoadBalancerIngress = [new KubeLoadBalancerIngress(IP("192.0.2.50"))],
            LoadBalancerSourceRanges = [IpNetwork.Parse("203.0.113.0/24")],
            ExternalTrafficPolicy = KubeTrafficPolicy.Local, HealthCheckNodePort = 32100,
        };
        return Build(options, [dns, lb, .. more], [Slice("kube-dns", "d1", KubeAddressType.IPv4, [EPort("dns", IpvsProtocol.Udp, 53)], Endpoint("10.244.0.5", Node))]);
    }

    [Fact]
    public void RestoreInputFollowsKubeProxy()
    {
        var state = Cluster(Options("172.18.0.3", "fd00:18::3"));
        var v4 = state.Iptables.Single(r => r.AddressFamily == AddressFamily.InterNetwork);
        Assert.Equal("iptables", v4.Command);
        Assert.Equal("""
            *nat
            :KUBE-SERVICES - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-NODE-PORT - [0:0]
            :KUBE-LOAD-BALANCER - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
            -A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE
            -A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER
            -A KUBE-LOAD-BALANCER -m comment --comment "Kubernetes service load balancer ip + port with externalTrafficPolicy=local" -m set --match-set KUBE-LOAD-BALANCER-LOCAL dst,dst -j RETURN
            -A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN
            -A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ
            -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ
            -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
            -A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
            -A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT
            -A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT
            -A KUBE-POSTROUTING -m mark ! --mark 0x004000/0x004000 -j RETURN
            -A KUBE-POSTROUTING -j MARK --xor-mark 0x004000
            -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
            -A KUBE-MARK-MASQ -j MARK --or-mark 0x004000
            COMMIT
            *filter
            :KUBE-FORWARD - [0:0]
            :KUBE-NODE-PORT - [0:0]
            :KUBE-PROXY-FIREWALL - [0:0]
            :KUBE-SOURCE-RANGES-FIREWALL - [0:0]
            :KUBE-IPVS-FILTER - [0:0]
            :KUBE-IPVS-OUT-FILTER - [0:0]
            -A KUBE-PROXY-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL
            -A KUBE-SOURCE-RANGES-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source cidr for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src -j RETURN
            -A KUBE-SOURCE-RANGES-FIREWALL -j DROP
            -A KUBE-IPVS-OUT-FILTER -s 192.0.2.50 -m ipvs --vaddr 192.0.2.50 --vproto tcp --vport 80 -j DROP
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x004000/0x004000 -j ACCEPT
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT
            -A KUBE-IPVS-FILTER -m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN
            -A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT
            COMMIT

            """.Replace("\r", ""), v4.RestoreInput());
        Assert.Equal(9, v4.Jumps.Count);
        Assert.Equal("-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES", v4.Jumps[0].ToString());

        var v6 = state.Iptables.Single(r => r.AddressFamily == AddressFamily.InterNetworkV6);
        Assert.Equal("ip6tables", v6.Command);
        Assert.Equal("-A KUBE-SERVICES -s ::1/128 -j RETURN", v6.Rules[0].ToString());
        Assert.Contains(v6.Rules, r => r.ToString() == "-A KUBE-SERVICES -m comment --comment \"Kubernetes service cluster ip + port for masquerade purpose\" -m set --match-set KUBE-6-CLUSTER-IP src,dst -j KUBE-MARK-MASQ");
        // Rules of an empty set are not written (the IPv6 proxier has no load balancer here).
        Assert.DoesNotContain(v6.Rules, r => r.ToString().Contains("KUBE-6-LOAD-BALANCER-FW"));
        Assert.Contains(v6.Rules, r => r.ToString().Contains("--match-set KUBE-6-IPVS-IPS dst -j REJECT"));
    }

    [Fact]
    public void MasqueradeAllAndClusterCidrChangeTheClusterIPRule()
    {
        string ClusterIPRule(KubeProxyOptions o) => Cluster(o).Iptables[0].Rules.Single(r => r.ToString().Contains("KUBE-CLUSTER-IP") && r.ToString().Contains("KUBE-MARK-MASQ")).ToString();
        Assert.EndsWith("--match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ",
            ClusterIPRule(new KubeProxyOptions { NodeName = Node, NodeAddresses = [IP("172.18.0.3")], MasqueradeAll = true, ClusterCidrs = [IpNetwork.Parse("10.244.0.0/16")] }));
        Assert.EndsWith("--match-set KUBE-CLUSTER-IP dst,dst ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
            ClusterIPRule(new KubeProxyOptions { NodeName = Node, NodeAddresses = [IP("172.18.0.3")], ClusterCidrs = [IpNetwork.Parse("fd00:244::/56"), IpNetwork.Parse("10.244.0.0/16")] }));
        var noRandom = Cluster(new KubeProxyOptions { NodeName = Node, NodeAddresses = [IP("172.18.0.3")], RandomFully = false }).Iptables[0];
        Assert.Contains(noRandom.Rules, r => r.ToString() == "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE");
    }

    [Fact]
    public void ExternalIPsGetTheirAcceptRules()
    {
        var svc = new KubeService { Namespace = "ns", Name = "e", ClusterIPs = [IP("10.96.0.40")], ExternalIPs = [IP("198.51.100.7")], Ports = [Port("", IpvsProtocol.Tcp, 80)] };
        var rules = Build(Options("172.18.0.3"), [svc], []).Iptables[0].Rules.Select(r => r.ToString()).ToList();
        const string match = "-A KUBE-SERVICES -m comment --comment \"Kubernetes service external ip + port for masquerade and filter purpose\" -m set --match-set KUBE-EXTERNAL-IP dst,dst";
        Assert.Equal(
            [match + " -j KUBE-MARK-MASQ", match + " -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT", match + " -m addrtype --dst-type LOCAL -j ACCEPT"],
            rules.Where(r => r.StartsWith(match, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void TheDesiredRulesPassTheKubeProxyIptablesCheck(bool masqueradeAll, bool clusterCidr)
    {
        // What Sync writes (the model under the node's options, rules of empty sets left out) and what
        // Test-KubeIptablesRule checks (the same model in iptables-save's form, with the set conditions):
        // every check must find the rule as iptables-save would print it back, and no rule of an empty set may be written.
        var external = new KubeService { Namespace = "ns", Name = "e", ClusterIPs = [IP("10.96.0.40")], ExternalIPs = [IP("198.51.100.7")], Ports = [Port("", IpvsProtocol.Tcp, 80)] };
        var options = new KubeProxyOptions
        {
            NodeName = Node, NodeAddresses = [IP("172.18.0.3"), IP("fd00:18::3")], MasqueradeAll = masqueradeAll,
            ClusterCidrs = clusterCidr ? [IpNetwork.Parse("10.244.0.0/16"), IpNetwork.Parse("fd00:244::/56")] : [],
        };
        var state = Cluster(options, external);
        foreach (var rules in state.Iptables)
        {
            var ruleset = KubeIpvsPlannerTests.Saved(rules);
            var nonEmpty = state.Ipsets.Where(x => x.AddressFamily == rules.AddressFamily && x.Members.Count > 0).Select(x => x.Name).ToList();
            var checks = KubeProxyIptables.Check(ruleset, nonEmpty);
            Assert.All(checks, c => Assert.True(c.Status is KubeIptablesCheckStatus.Present or KubeIptablesCheckStatus.NotRequired, $"{rules.Command}: {c.Table} {c.Chain} {c.Rule}: {c.Status}"));
            Assert.Contains(checks, c => c.Status == KubeIptablesCheckStatus.NotRequired); // e.g. no SCTP NodePort
        }
    }
}
