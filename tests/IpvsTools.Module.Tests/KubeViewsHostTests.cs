using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// The views of the kube-proxy and ipset results, rendered by the console host from objects read in a
/// throwaway namespace holding kube-proxy's sets and rules (restored with ipset and iptables-restore),
/// and what remoting returns of them rendered the same.
/// </summary>
[Trait("Tier", "Host")]
public class KubeViewsHostTests
{
    private const string CopyViaRemoting =
        "function Copy-ViaRemoting { process { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($_)) } }\n";

    [Fact]
    public void KubeProxysSetsShowTheirPurposeSizeAndVirtualServers()
    {
        using var ns = new TestNamespace();
        KubeProxyIptablesSample.Apply(ns);
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name };
        var sets = RenderingHost.Lines(RenderingHost.Instance.Render("Get-KubeIpset KUBE-CLUSTER-IP, KUBE-NODE-PORT-TCP -NetworkNamespace $ns", vars));
        Assert.Matches(@"^Name\s+Type\s+Entries\s+Refs\s+Description$", sets[0]);
        // Entries and references as `ipset list` counts them.
        var clusterRefs = ns.Exec("ipset", "list", "KUBE-CLUSTER-IP").Split('\n').Single(l => l.StartsWith("References: "))["References: ".Length..];
        Assert.Matches($@"^KUBE-CLUSTER-IP\s+hash:ip,port\s+1\s+{clusterRefs}\s+\S", sets[2]);
        Assert.Matches(@"^KUBE-NODE-PORT-TCP\s+bitmap:port\s+1\s+\d+\s+\S", sets[3]);

        var members = RenderingHost.Lines(RenderingHost.Instance.Render("(Get-KubeIpset KUBE-CLUSTER-IP -NetworkNamespace $ns).Members", vars));
        Assert.Equal("Set: KUBE-CLUSTER-IP", members[0].Trim());
        Assert.Matches(@"^Member\s+VirtualServer$", members[1]);
        Assert.StartsWith("10.96.0.10,tcp:53", members[3]);
    }

    [Fact]
    public void MemberTestsAndRuleChecksShowOneLineEach()
    {
        using var ns = new TestNamespace();
        KubeProxyIptablesSample.Apply(ns);
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name };
        var tests = RenderingHost.Lines(RenderingHost.Instance.Render("Test-IpsetMember KUBE-CLUSTER-IP '10.96.0.10,tcp:53', '10.96.0.11,tcp:53' -Detailed -NetworkNamespace $ns", vars));
        Assert.Matches(@"^SetName\s+IsMember\s+Member$", tests[0]);
        Assert.Matches(@"^KUBE-CLUSTER-IP\s+True\s+10\.96\.0\.10,tcp:53$", tests[2]);
        Assert.Matches(@"^KUBE-CLUSTER-IP\s+False\s+10\.96\.0\.11,tcp:53$", tests[3]);
        Assert.Equal(0, ns.TryExec("ipset", "test", "KUBE-CLUSTER-IP", "10.96.0.10,tcp:53").ExitCode);
        Assert.NotEqual(0, ns.TryExec("ipset", "test", "KUBE-CLUSTER-IP", "10.96.0.11,tcp:53").ExitCode);

        // Remove one jump kube-proxy keeps; the check names it Missing, on its own line.
        ns.Exec("iptables", "-w", "-t", "nat", "-D", "OUTPUT", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
        var missing = RenderingHost.Lines(RenderingHost.Instance.Render("Test-KubeIptablesRule -Missing -NetworkNamespace $ns", vars));
        Assert.Matches(@"^Status\s+Kind\s+Table\s+Chain\s+Rule$", missing[0]);
        Assert.Contains(missing.Skip(2), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Missing\s+Jump\s+nat\s+OUTPUT\s+.*-j KUBE-SERVICES"));
        Assert.All(missing.Skip(2), l => Assert.StartsWith("Missing", l));
    }

    [Fact]
    public void WhatRemotingReturnsRendersAsTheOriginalsDo()
    {
        using var ns = new TestNamespace();
        KubeProxyIptablesSample.Apply(ns);
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name };
        foreach (var script in new[] { "Get-KubeIptablesRule -NetworkNamespace $ns", "Test-KubeIptablesRule -NetworkNamespace $ns", "Get-KubeIpset -NetworkNamespace $ns",
                     "Test-IpsetMember KUBE-CLUSTER-IP '10.96.0.10,tcp:53' -Detailed -NetworkNamespace $ns" })
        {
            var original = RenderingHost.Instance.Render(script, vars);
            Assert.Contains("KUBE-", original);
            Assert.Equal(original, RenderingHost.Instance.Render(CopyViaRemoting + script + " | Copy-ViaRemoting", vars));
        }
    }
}
