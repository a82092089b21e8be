using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Iptables;

/// <summary>
/// The model of kube-proxy's rules against what the tools make of kube-proxy's own restore input:
/// every form in the model must be the form iptables-save prints, on both backends and families.
/// </summary>
[Trait("Tier", "Host")]
public class KubeProxyIptablesHostTests
{
    public static TheoryData<IptablesBackend, IptablesFamily> Cases => new()
    {
        { IptablesBackend.NfTables, IptablesFamily.IPv4 },
        { IptablesBackend.Legacy, IptablesFamily.IPv4 },
        { IptablesBackend.NfTables, IptablesFamily.IPv6 },
        { IptablesBackend.Legacy, IptablesFamily.IPv6 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KubeProxysSyncLeavesNothingMissing(IptablesBackend backend, IptablesFamily family)
    {
        using var ns = new TestNamespace();
        var members = Populate(ns, family);
        Sync(ns, backend, family, members);
        var client = IptablesClient.Open(family, backend, NetworkNamespace.Resolve(ns.Name));
        var checks = KubeProxyIptables.Check(client.Read(), NonEmptySets(ns));
        Assert.Empty(checks.Where(c => c.IsCompliant != true).Select(c => c.ToString()));
        Assert.Equal(20, checks.Count(c => c.Kind != KubeIptablesCheckKind.Rule && c.Status == KubeIptablesCheckStatus.Present));
        Assert.True(checks.Count(c => c.Kind == KubeIptablesCheckKind.Rule && c.Status == KubeIptablesCheckStatus.Present) >= 25);
        Assert.Contains(checks, c => c.Status == KubeIptablesCheckStatus.NotRequired);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WhatIsTakenAwayIsReportedMissingAndStaleRulesAreFound(IptablesBackend backend, IptablesFamily family)
    {
        using var ns = new TestNamespace();
        var members = Populate(ns, family);
        Sync(ns, backend, family, members);
        var tool = (family == IptablesFamily.IPv6 ? "ip6tables" : "iptables") + (backend == IptablesBackend.Legacy ? "-legacy" : "-nft");
        ns.Exec(tool, "-w", "-t", "nat", "-D", "PREROUTING", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
        ns.Exec(tool, "-w", "-t", "filter", "-F", "KUBE-IPVS-OUT-FILTER");
        ns.Exec(tool, "-w", "-t", "filter", "-D", "OUTPUT", "-m", "comment", "--comment", "kubernetes ipvs access filter", "-j", "KUBE-IPVS-OUT-FILTER");
        ns.Exec(tool, "-w", "-t", "filter", "-X", "KUBE-IPVS-OUT-FILTER");
        // The cluster's last NodePort went away: the set is empty but the rule stayed.
        ns.Exec("ipset", "flush", KubeProxyIptables.SetName("KUBE-NODE-PORT-TCP", family));
        var checks = KubeProxyIptables.Check(IptablesClient.Open(family, backend, NetworkNamespace.Resolve(ns.Name)).Read(), NonEmptySets(ns));
        Assert.Equal(
        [
            "Missing filter KUBE-IPVS-OUT-FILTER",
            "Missing filter OUTPUT: -m comment --comment \"kubernetes ipvs access filter\" -j KUBE-IPVS-OUT-FILTER",
            "Missing nat PREROUTING: -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            $"Stale nat KUBE-NODE-PORT: -p tcp -m comment --comment \"Kubernetes nodeport TCP port for masquerade purpose\" -m set --match-set {KubeProxyIptables.SetName("KUBE-NODE-PORT-TCP", family)} dst -j KUBE-MARK-MASQ",
        ], checks.Where(c => c.IsCompliant == false).Select(c => c.ToString()).Order(StringComparer.Ordinal));
    }

    /// <summary>Creates kube-proxy's sets (IPv6 names for IPv6) and gives some of them members, as a node with services has.</summary>
    private static HashSet<string> Populate(TestNamespace ns, IptablesFamily family)
    {
        var v6 = family == IptablesFamily.IPv6;
        foreach (var (name, type) in KubeProxyRestoreText.Sets)
        {
            var n = KubeProxyIptables.SetName(name, family);
            if (type == "bitmap:port") ns.Exec("ipset", "create", n, type, "range", "0-65535");
            else ns.Exec("ipset", "create", n, type, "family", v6 ? "inet6" : "inet");
        }
        var vip = v6 ? "fd00:10:96::a" : "10.96.0.10";
        var ep = v6 ? "fd00:10:244::5" : "10.244.0.5";
        var lb = v6 ? "2001:db8::10" : "203.0.113.10";
        var src = v6 ? "2001:db8:1::/48" : "192.168.0.0/16";
        foreach (var (set, member) in new[]
        {
            ("KUBE-CLUSTER-IP", $"{vip},tcp:53"), ("KUBE-LOOP-BACK", $"{ep},tcp:53,{ep}"), ("KUBE-NODE-PORT-TCP", "30080"),
            ("KUBE-LOAD-BALANCER", $"{lb},tcp:80"), ("KUBE-LOAD-BALANCER-FW", $"{lb},tcp:80"), ("KUBE-LOAD-BALANCER-SOURCE-CIDR", $"{lb},tcp:80,{src}"),
            ("KUBE-EXTERNAL-IP", $"{lb},tcp:443"), ("KUBE-IPVS-IPS", vip),
        })
            ns.Exec("ipset", "add", KubeProxyIptables.SetName(set, family), member);
        return NonEmptySets(ns);
    }

    /// <summary>What kube-proxy does at a sync: jumps with iptables -I (when missing), then one iptables-restore --noflush.</summary>
    private static void Sync(TestNamespace ns, IptablesBackend backend, IptablesFamily family, ISet<string> nonEmpty)
    {
        var tool = (family == IptablesFamily.IPv6 ? "ip6tables" : "iptables") + (backend == IptablesBackend.Legacy ? "-legacy" : "-nft");
        var path = Path.GetTempFileName();
        File.WriteAllText(path, KubeProxyRestoreText.Build(family, nonEmpty));
        try { ns.Exec(tool + "-restore", "-w", "--noflush", "--counters", path); } finally { File.Delete(path); }
        foreach (var (table, from, to, comment) in KubeProxyRestoreText.Jumps)
            ns.Exec(tool, "-w", "-t", table, "-I", from, "-m", "comment", "--comment", comment, "-j", to);
    }

    /// <summary>The sets with members, from `ipset list -t`.</summary>
    private static HashSet<string> NonEmptySets(TestNamespace ns)
    {
        var result = new HashSet<string>();
        string? name = null;
        foreach (var line in ns.Exec("ipset", "list", "-t").Split('\n'))
        {
            if (line.StartsWith("Name: ")) name = line[6..];
            if (line.StartsWith("Number of entries: ") && line[19..] != "0") result.Add(name!);
        }
        return result;
    }
}
