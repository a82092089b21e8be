using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Test-KubeProxyMigration on the host kernel (nf_tables, ipset, iptables; no IPVS, no dummy links) in throwaway
/// namespaces: a node after the switch to nftables mode (kube-proxy's own nftables ruleset, tests/Shared/Fixtures)
/// with IPVS mode's KUBE-CLUSTER-IP set and KUBE-IPVS-FILTER chain left over; the nft checks cross-checked with
/// `nft --version`; the go/no-go boolean; the refusals with their ErrorIds.
/// </summary>
[Trait("Tier", "Host")]
public class TestKubeProxyMigrationHostTests(PowerShellSession session)
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeProxy", name);

    private static string Prop(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? "";

    [Fact]
    public void AfterTheSwitchIpvsModesSetAndChainAreLeftoversAndNftPasses()
    {
        using var ns = new TestNamespace();
        ns.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        ns.Exec("ipset", "create", "KUBE-CLUSTER-IP", "hash:ip,port");
        ns.Exec("ipset", "add", "KUBE-CLUSTER-IP", "10.96.0.10,udp:53");
        ns.Exec("ipset", "create", "MY-OWN", "hash:ip");
        ns.Feed("*filter\n:KUBE-IPVS-FILTER - [0:0]\n-A INPUT -m comment --comment \"kubernetes ipvs access filter\" -j KUBE-IPVS-FILTER\n-A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN\nCOMMIT\n", "iptables-restore", "--noflush");

        var findings = session.Ok("Test-KubeProxyMigration -NetworkNamespace $ns", new Hashtable { ["ns"] = ns.Name });
        Assert.All(findings, f => Assert.Equal(ns.Name, Prop(f, "NetworkNamespace")));
        Assert.All(findings, f => Assert.Equal("Nftables", Prop(f, "TargetMode")));
        var phase = Assert.Single(findings, f => Prop(f, "Check") == "Phase");
        Assert.Equal("After", Prop(phase, "Target"));

        var leftovers = findings.Where(f => Prop(f, "Check") == "Leftover").Select(f => Prop(f, "Target")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["KUBE-CLUSTER-IP", "filter/KUBE-IPVS-FILTER (iptables)"], leftovers);
        Assert.All(findings.Where(f => Prop(f, "Check") == "Leftover"), f => Assert.StartsWith("Remove-KubeIpvs -Force", Prop(f, "Remedy")));

        // nft as the node has it: the version `nft --version` prints, and JSON from `nft -j`.
        var version = Tool.Run("nft", "--version").Split(' ').First(w => w.StartsWith('v')).Substring(1).Trim();
        var nft = Assert.Single(findings, f => Prop(f, "Check") == "NftVersion");
        Assert.Equal("nft " + version, Prop(nft, "Target"));
        Assert.Equal(Version.Parse(version) >= new Version(1, 0, 1) ? "Pass" : "Blocker", Prop(nft, "Status"));
        Assert.Equal("Pass", Prop(Assert.Single(findings, f => Prop(f, "Check") == "NftJson"), "Status"));
        // No IPVS on the host: nothing for kube-proxy's cleanup to flush.
        Assert.Equal("Pass", Prop(Assert.Single(findings, f => Prop(f, "Check") == "ForeignVirtualServer"), "Status"));
        // The kernel's release is the host's.
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/osrelease").Trim(), Prop(Assert.Single(findings, f => Prop(f, "Check") == "KernelVersion"), "Target"));
    }

    [Fact]
    public void QuietIsOneBooleanThatIsFalseExactlyWhenAFindingIsABlocker()
    {
        using var ns = new TestNamespace();
        var vars = new Hashtable { ["ns"] = ns.Name };
        var findings = session.Ok("Test-KubeProxyMigration -NetworkNamespace $ns", vars);
        Assert.Equal("Unknown", Prop(Assert.Single(findings, f => Prop(f, "Check") == "Phase"), "Target"));
        var quiet = Assert.Single(session.Ok("Test-KubeProxyMigration -NetworkNamespace $ns -InformationLevel Quiet", vars));
        Assert.Equal(findings.All(f => Prop(f, "Status") != "Blocker"), (bool)quiet.BaseObject);
    }

    [Fact]
    public void TheDefaultViewShowsStatusCheckTargetAndDetail()
    {
        using var ns = new TestNamespace();
        var lines = RenderingHost.Lines(RenderingHost.Instance.Render("Test-KubeProxyMigration -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = ns.Name }));
        Assert.Equal($"Migration: to Nftables mode in network namespace {ns.Name}", lines[0].Trim());
        Assert.Matches(@"^Status\s+Check\s+Target\s+Detail$", lines[1]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Warning Phase\s+Unknown\s+No IPVS-mode state"));
    }

    [Theory]
    [InlineData("Test-KubeProxyMigration -NodePortRange 30000 -NetworkNamespace $ns", "TestKubeProxyMigrationInvalidNodePortRange", "InvalidArgument")]
    [InlineData("Test-KubeProxyMigration -ExcludeCidr 10.0.0.1 -NetworkNamespace $ns", "TestKubeProxyMigrationInvalidCidr", "InvalidArgument")]
    [InlineData("Test-KubeProxyMigration -Path /nonexistent/cluster.yaml -NetworkNamespace $ns", "TestKubeProxyMigrationSnapshotNotFound", "ObjectNotFound")]
    [InlineData("Test-KubeProxyMigration -NetworkNamespace no-such-namespace-xyz", "TestKubeProxyMigrationNetworkNamespaceNotFound", "ObjectNotFound")]
    [InlineData("Export-IpvsConfig -Foreign -NodePortRange 1-x -NetworkNamespace $ns", "ExportIpvsConfigInvalidNodePortRange", "InvalidArgument")]
    public void BadInputIsOneErrorWithItsId(string script, string errorId, string category)
    {
        using var ns = new TestNamespace();
        var result = session.Run(script, new Hashtable { ["ns"] = ns.Name });
        var error = Assert.Single(result.AllErrors);
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category.ToString());
        Assert.Empty(result.Output);
    }
}
