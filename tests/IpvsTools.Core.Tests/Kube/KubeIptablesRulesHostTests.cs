using System.Net.Sockets;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The desired sets and rules fed to the real tools in a throwaway namespace: `ipset restore` takes the
/// sets as kube-proxy creates them, `iptables-restore --noflush` takes the rules, and iptables-save shows them.
/// </summary>
[Trait("Tier", "Host")]
public class KubeIptablesRulesHostTests
{
    [Theory]
    [InlineData("")]        // iptables-nft, the default
    [InlineData("-legacy")] // iptables-legacy
    public void RealToolsAcceptTheSetsAndRules(string backend)
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
            var command = rules.Command + backend;
            var restore = command + "-restore";
            var save = command + "-save";
            ns.Feed(rules.RestoreInput(), restore, "-w", "--noflush", "--counters");
            var saved = ns.Exec(save);
            foreach (var chain in KubeIptablesRules.NatChains.Concat(KubeIptablesRules.FilterChains)) Assert.Contains(":" + chain + " ", saved);
            Assert.Equal(rules.Rules.Count, saved.Split('\n').Count(l => l.StartsWith("-A KUBE-", StringComparison.Ordinal)));
            // iptables-save prints what kube-proxy wrote, rule for rule and in order, in the spelling SavedForm predicts.
            var expected = rules.Rules.Select(r => (r.Table, r.SavedForm(rules.AddressFamily))).ToList();
            var actual = new List<(string, string)>();
            var table = "";
            foreach (var line in saved.Split('\n'))
            {
                if (line.StartsWith('*')) table = line[1..];
                else if (line.StartsWith("-A KUBE-", StringComparison.Ordinal)) actual.Add((table, line));
            }
            foreach (var (t, chains) in new[] { ("nat", KubeIptablesRules.NatChains), ("filter", KubeIptablesRules.FilterChains) })
            {
                foreach (var chain in chains)
                {
                    bool InChain((string Table, string Line) r) => r.Table == t && r.Line.StartsWith("-A " + chain + " ", StringComparison.Ordinal);
                    Assert.Equal(expected.Where(InChain), actual.Where(InChain));
                }
            }
            Assert.Equal(expected.Count, actual.Count);

            // The jumps, inserted as kube-proxy inserts them (argument lists), read back as SavedForm predicts.
            foreach (var jump in rules.Jumps) ns.Exec([command, "-w", "-t", jump.Table, "-I", jump.Chain, .. jump.ArgumentVector()]);
            var withJumps = ns.Exec(save);
            foreach (var jump in rules.Jumps) Assert.Contains(jump.SavedForm(rules.AddressFamily) + "\n", withJumps);
        }
    }
}
