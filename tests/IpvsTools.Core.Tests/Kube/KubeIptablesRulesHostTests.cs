using System.Net.Sockets;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The desired sets and rules fed to the real tools in a throwaway namespace: `ipset restore` takes the
/// sets as kube-proxy creates them, `iptables-restore --noflush` takes the rules, and iptables-save shows them.
/// </summary>
[Trait("Tier", "Host")]
public class KubeIptablesRulesHostTests
{
    [Fact]
    public void RealToolsAcceptTheSetsAndRules()
    {
        TestNamespace.RequireRoot();
        // No LoadBalancer without node access: its -m ipvs rule needs xt_ipvs, which the host kernel lacks.
        var options = new KubeProxyOptions { NodeName = Node, NodeAddresses = [IP("172.18.0.3"), IP("fd00:18::3")], NodeIPs = [IP("203.0.113.9")] };
        var external = new KubeService { Namespace = "ns", Name = "e", ClusterIPs = [IP("10.96.0.40")], ExternalIPs = [IP("198.51.100.7")], Ports = [Port("", IpvsProtocol.Tcp, 80)] };
        var state = KubeIptablesRulesTests.Cluster(options, external);
        Assert.Contains(state.Iptables[0].Rules, r => r.Arguments.Contains("--physdev-is-in"));
        using var ns = new TestNamespace();
        ns.Feed(string.Concat(state.Ipsets.Select(s => s.RestoreText())), "ipset", "restore");
        Assert.Equal(state.Ipsets.Select(s => s.Name).Order(StringComparer.Ordinal), ns.Exec("ipset", "list", "-n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal));
        Assert.Contains("Header: family inet hashsize 1024 maxelem 65536", ns.Exec("ipset", "list", "KUBE-CLUSTER-IP"));
        foreach (var rules in state.Iptables)
        {
            var restore = rules.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6tables-restore" : "iptables-restore";
            var save = rules.AddressFamily == AddressFamily.InterNetworkV6 ? "ip6tables-save" : "iptables-save";
            ns.Feed(rules.RestoreInput(), restore, "-w", "--noflush", "--counters");
            var saved = ns.Exec(save);
            foreach (var chain in KubeIptablesRules.NatChains.Concat(KubeIptablesRules.FilterChains)) Assert.Contains(":" + chain + " ", saved);
            Assert.Equal(rules.Rules.Count, saved.Split('\n').Count(l => l.StartsWith("-A KUBE-", StringComparison.Ordinal)));
            // iptables-save prints what kube-proxy wrote, rule for rule, in its own spelling of marks and REJECT.
            var reject = rules.AddressFamily == AddressFamily.InterNetworkV6 ? "icmp6-port-unreachable" : "icmp-port-unreachable";
            var expected = rules.Rules.Select(r => r.ToString()
                .Replace("--mark 0x004000/0x004000", "--mark 0x4000/0x4000")
                .Replace("-j MARK --xor-mark 0x004000", "-j MARK --set-xmark 0x4000/0x0")
                .Replace("-j MARK --or-mark 0x004000", "-j MARK --set-xmark 0x4000/0x4000")
                .Replace("-j REJECT", "-j REJECT --reject-with " + reject)).ToList();
            var actual = saved.Split('\n').Where(l => l.StartsWith("-A KUBE-", StringComparison.Ordinal)).ToList();
            Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
        }
    }
}
