using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>Get-KubeIptablesRule and Test-KubeIptablesRule through the built module, cross-checked with iptables-save in throwaway namespaces.</summary>
[Trait("Tier", "Host")]
public class KubeIptablesRuleHostTests(PowerShellSession session)
{
    [Fact]
    public void ByDefaultReturnsExactlyKubeProxysRulesAsIptablesSavePrintsThem()
    {
        using var ns = Prepare();
        // A rule of another program, which the default must leave out and -All must show.
        ns.Exec("iptables", "-w", "-t", "filter", "-A", "INPUT", "-p", "tcp", "--dport", "22", "-j", "ACCEPT");
        var saved = ns.Exec("iptables-save", "-c").Split('\n').Where(l => l.StartsWith('[')).Select(l => l[(l.IndexOf(']') + 2)..]).ToList();
        var kube = saved.Where(l => l.Contains("KUBE-")).ToList();
        var rules = session.Ok("Get-KubeIptablesRule -NetworkNamespace $ns | ForEach-Object { $_.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(kube, rules);
        var all = session.Ok("Get-KubeIptablesRule -All -NetworkNamespace $ns | ForEach-Object { $_.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(saved, all);
        Assert.Contains("-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT", all);
    }

    [Fact]
    public void RulesAreObjectsWithTheirParts()
    {
        using var ns = Prepare();
        var rule = session.Ok("Get-KubeIptablesRule KUBE-SERVICES -Table nat -NetworkNamespace $ns | Where-Object Position -eq 3", Vars(ns)).Single();
        Assert.Equal("IpvsTools.Iptables.IptablesRule", rule.TypeNames[0]);
        Assert.Equal("KUBE-MARK-MASQ", rule.Properties["Target"].Value);
        Assert.Equal("Kubernetes service cluster ip + port for masquerade purpose", rule.Properties["Comment"].Value);
        Assert.Equal("KUBE-CLUSTER-IP src,dst", session.Ok("(Get-KubeIptablesRule KUBE-SERVICES -Table nat -NetworkNamespace $ns)[2].ReferencedSets[0].ToString()", Vars(ns)).Single().BaseObject);
        Assert.Equal(0ul, rule.Properties["Packets"].Value);
        var backend = session.Ok("[string](Get-KubeIptablesRule KUBE-MARK-MASQ -NetworkNamespace $ns).Backend", Vars(ns)).Single().BaseObject;
        Assert.Equal(Tool.Run("iptables", "--version").Contains("nf_tables") ? "NfTables" : "Legacy", backend);
        Assert.Equal("--set-xmark 0x4000/0x4000", session.Ok("(Get-KubeIptablesRule KUBE-MARK-MASQ -NetworkNamespace $ns).TargetOptions[0].ToString()", Vars(ns)).Single().BaseObject);
    }

    [Fact]
    public void FiltersSelectTablesChainsAndSets()
    {
        using var ns = Prepare();
        Assert.Equal(["filter", "nat"], session.Ok("Get-KubeIptablesRule 'KUBE-NODE-PORT' -NetworkNamespace $ns | ForEach-Object Table", Vars(ns)).Select(o => (string)o.BaseObject).Distinct().Order());
        Assert.Equal(["filter"], session.Ok("Get-KubeIptablesRule 'kube-node-port' -Table filter -NetworkNamespace $ns | ForEach-Object Table", Vars(ns)).Select(o => (string)o.BaseObject).Distinct());
        var lines = session.Ok("Get-KubeIptablesRule 'KUBE-*-FIREWALL' -NetworkNamespace $ns | ForEach-Object { $_.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(ns.Exec("iptables", "-w", "-S", "KUBE-PROXY-FIREWALL").Split('\n').Concat(ns.Exec("iptables", "-w", "-S", "KUBE-SOURCE-RANGES-FIREWALL").Split('\n')).Where(l => l.StartsWith("-A ")), lines);
        var cluster = session.Ok("Get-KubeIptablesRule -SetName KUBE-CLUSTER-IP -NetworkNamespace $ns | ForEach-Object { $_.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(ns.Exec("iptables-save").Split('\n').Where(l => l.Contains("--match-set KUBE-CLUSTER-IP ")), cluster);
        // Get-Ipset's sets pipe in: their Name binds -SetName, their family -Family (a bitmap set has none: IPv4).
        var piped = session.Ok("Get-Ipset 'KUBE-LOAD-BALANCER*', KUBE-NODE-PORT-TCP -NetworkNamespace $ns | Get-KubeIptablesRule | ForEach-Object { $_.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject).Distinct().Count();
        Assert.Equal(ns.Exec("iptables-save").Split('\n').Count(l => l.Contains("--match-set KUBE-LOAD-BALANCER") || l.Contains("--match-set KUBE-NODE-PORT-TCP ")), piped);
    }

    [Fact]
    public void AChainThatDoesNotExistIsAnError()
    {
        using var ns = Prepare();
        var result = session.Run("Get-KubeIptablesRule KUBE-NOPE, KUBE-MARK-MASQ -NetworkNamespace $ns", Vars(ns));
        Assert.Single(result.Output);
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetKubeIptablesRuleChainNotFound,IpvsTools.Commands.GetKubeIptablesRuleCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("KUBE-NOPE", error.TargetObject);
        Assert.Empty(session.Ok("Get-KubeIptablesRule 'KUBE-NOPE*' -NetworkNamespace $ns", Vars(ns)));
        // A chain of the other table is not found in this one.
        Assert.Equal("GetKubeIptablesRuleChainNotFound,IpvsTools.Commands.GetKubeIptablesRuleCommand",
            Assert.Single(session.Run("Get-KubeIptablesRule KUBE-MARK-MASQ -Table filter -NetworkNamespace $ns", Vars(ns)).AllErrors).FullyQualifiedErrorId);
    }

    [Fact]
    public void BothFamiliesOnAnIpv4OnlyNodeFindTheChainInIpv4WithoutAnError()
    {
        using var ns = Prepare();
        Assert.DoesNotContain(ns.Exec("ip6tables-save").Split('\n'), l => l.Contains("KUBE-", StringComparison.Ordinal));
        // README's line, as written.
        var result = session.Run("Get-KubeIptablesRule KUBE-SERVICES -Table nat -Family IPv4, IPv6 -NetworkNamespace $ns | ForEach-Object { \"$($_.Family) $_\" }", Vars(ns));
        Assert.Empty(result.AllErrors.Select(e => e.ToString()));
        Assert.Equal(ns.Exec("iptables-save", "-t", "nat").Split('\n').Where(l => l.StartsWith("-A KUBE-SERVICES ", StringComparison.Ordinal)).Select(l => "IPv4 " + l),
            result.Output.Select(o => (string)o.BaseObject));
        // A chain in neither family is one error naming both.
        var missing = session.Run("Get-KubeIptablesRule KUBE-NOPE -Family IPv4, IPv6 -NetworkNamespace $ns", Vars(ns));
        var error = Assert.Single(missing.AllErrors);
        Assert.Equal("GetKubeIptablesRuleChainNotFound,IpvsTools.Commands.GetKubeIptablesRuleCommand", error.FullyQualifiedErrorId);
        Assert.Matches(@"^No chain named 'KUBE-NOPE' exists in any table in network namespace '[^']+' for IPv4 \(\w+ backend\) or IPv6 \(\w+ backend\)\.$", error.Exception.Message);
    }

    [Fact]
    public void BothFamiliesAndTheLegacyBackendRead()
    {
        using var ns = new TestNamespace();
        ns.Exec("ip6tables-legacy", "-w", "-t", "nat", "-N", "KUBE-SERVICES");
        ns.Exec("ip6tables-legacy", "-w", "-t", "nat", "-A", "KUBE-SERVICES", "-s", "::1/128", "-j", "RETURN");
        ns.Exec("iptables-legacy", "-w", "-t", "nat", "-N", "KUBE-SERVICES");
        ns.Exec("iptables-legacy", "-w", "-t", "nat", "-A", "KUBE-SERVICES", "-s", "127.0.0.0/8", "-j", "RETURN");
        var rules = session.Ok("Get-KubeIptablesRule -Family IPv4, IPv6 -Backend Legacy -NetworkNamespace $ns | ForEach-Object { \"$($_.Family) $($_.Backend) $_\" }", Vars(ns)).Select(o => (string)o.BaseObject);
        Assert.Equal(["IPv4 Legacy -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN", "IPv6 Legacy -A KUBE-SERVICES -s ::1/128 -j RETURN"], rules);
        // The nft tools see none of it, and warn that legacy tables exist.
        var nft = session.Run("Get-KubeIptablesRule -Backend NfTables -NetworkNamespace $ns -WarningVariable w; $w.Count", Vars(ns));
        Assert.True((int)nft.Output.Single().BaseObject >= 1);
    }

    [Fact]
    public void TestKubeIptablesRuleFindsNothingMissingAfterASyncAndNamesWhatIsTakenAway()
    {
        using var ns = Prepare();
        Assert.Empty(session.Ok("Test-KubeIptablesRule -Missing -NetworkNamespace $ns", Vars(ns)));
        Assert.Empty(session.Ok("Test-KubeIptablesRule -NetworkNamespace $ns | Where-Object IsCompliant -ne $true | ForEach-Object { $_.ToString() }", Vars(ns)));
        ns.Exec("iptables", "-w", "-t", "nat", "-D", "PREROUTING", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
        ns.Exec("ipset", "flush", "KUBE-NODE-PORT-TCP");
        var problems = session.Ok("Test-KubeIptablesRule -NetworkNamespace $ns | Where-Object IsCompliant -eq $false | ForEach-Object { $_.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal);
        Assert.Equal(
        [
            "Missing nat PREROUTING: -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            "Stale nat KUBE-NODE-PORT: -p tcp -m comment --comment \"Kubernetes nodeport TCP port for masquerade purpose\" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ",
        ], problems);
        // The stale check pipes into Get-KubeIptablesRule: its chain's rules, as iptables -S lists them.
        var chain = session.Ok("Test-KubeIptablesRule -NetworkNamespace $ns | Where-Object Status -eq 'Stale' | Get-KubeIptablesRule | ForEach-Object { $_.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject);
        Assert.Equal(ns.Exec("iptables", "-w", "-t", "nat", "-S", "KUBE-NODE-PORT").Split('\n').Where(l => l.StartsWith("-A ")), chain);
        // Without the sets, conditional rules cannot be Missing or Stale.
        Assert.DoesNotContain("Stale", session.Ok("Test-KubeIptablesRule -SkipIpset -NetworkNamespace $ns | ForEach-Object { [string]$_.Status }", Vars(ns)).Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void OutputSurvivesASerializationRoundTrip()
    {
        using var ns = Prepare();
        var differences = session.Ok("""
            function Compare-Copy($original, $copy, $path) {
                if ($copy.PSObject.TypeNames[0] -ne "Deserialized.$($original.GetType().FullName)") { "$path type name $($copy.PSObject.TypeNames[0])" }
                if ("$original" -ne "$copy") { "$path printed '$original' became '$copy'" }
                foreach ($p in $original.PSObject.Properties) {
                    $value = $copy.($p.Name)
                    # Enums travel as their numbers: they must convert back to the same value.
                    if ($p.Value -is [enum]) { $value = $value -as $p.Value.GetType() }
                    if ("$($p.Value)" -ne "$value") { "$path.$($p.Name): '$($p.Value)' became '$value'" }
                }
            }
            foreach ($o in @(Get-KubeIptablesRule -All -NetworkNamespace $ns) + @(Test-KubeIptablesRule -NetworkNamespace $ns)) {
                $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 4))
                Compare-Copy $o $copy "$o"
                $i = 0
                foreach ($m in $o.Matches) { Compare-Copy $m @($copy.Matches)[$i++] "$o match $m" }
                $i = 0
                foreach ($s in $o.ReferencedSets) { Compare-Copy $s @($copy.ReferencedSets)[$i++] "$o set $s" }
            }
            """, Vars(ns));
        Assert.Empty(differences.Select(o => o.ToString()));
    }

    [Fact]
    public void WithoutPrivilegesTheErrorSaysWhatToDo()
    {
        using var ns = Prepare();
        var shell = Shell.Find();
        var result = ns.TryExec(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
            "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "IPVSTOOLS_MODULE=" + session.ModuleManifest,
            "dotnet", shell, "-Command", "Get-KubeIptablesRule"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ERROR GetKubeIptablesRulePermissionDenied,IpvsTools.Commands.GetKubeIptablesRuleCommand PermissionDenied:", result.Error);
        Assert.Contains("sudo pwsh", result.Error);
    }

    [Fact]
    public void TheDefaultViewGroupsRulesByChain()
    {
        using var ns = Prepare();
        var output = Tool.Run("dotnet", Shell.Find(), "-Module", session.ModuleManifest, "-Command", $"Get-KubeIptablesRule KUBE-MARK-MASQ -NetworkNamespace {ns.Name}");
        var lines = output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.Equal("Chain: IPv4 nat KUBE-MARK-MASQ", lines[0].Trim());
        Assert.Matches(@"^\s*#\s+Packets\s+Bytes\s+Target\s+Rule$", lines[1]);
        Assert.Matches(@"^\s*1\s+0\s+0\s+MARK\s+-j MARK --set-xmark 0x4000/0x4000$", lines[3]);
    }

    private static TestNamespace Prepare()
    {
        var ns = new TestNamespace();
        try
        {
            KubeProxyIptablesSample.Apply(ns);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    private static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };
}
