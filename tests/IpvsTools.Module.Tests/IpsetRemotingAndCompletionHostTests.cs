using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// The ipset surface on the host kernel, each test in its own namespace: what remoting returns (a
/// PSSerializer round trip at Invoke-Command's depth) renders as the originals do and pipes into the
/// change cmdlets by property name, cross-checked with `ipset save`; set names and namespaces complete on Tab.
/// </summary>
[Trait("Tier", "Host")]
public class IpsetRemotingAndCompletionHostTests(PowerShellSession session)
{
    private const string CopyViaRemoting =
        "function Copy-ViaRemoting { process { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($_)) } }\n";

    private static void Sets(TestNamespace ns) => ns.Feed("""
        create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
        add KUBE-CLUSTER-IP 10.96.0.10,udp:53
        add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
        create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
        add KUBE-LOOP-BACK 10.244.1.5,tcp:53,10.244.1.5
        create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
        add KUBE-NODE-PORT-TCP 30080
        create SCRATCH hash:net family inet6 hashsize 1024 maxelem 65536

        """, "ipset", "restore");

    [Fact]
    public void WhatRemotingReturnsRendersAsTheOriginalsDo()
    {
        using var ns = new TestNamespace();
        Sets(ns);
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name };
        foreach (var script in new[] { "Get-Ipset -NetworkNamespace $ns", "(Get-Ipset KUBE-CLUSTER-IP -NetworkNamespace $ns).Members", "Get-KubeIpset KUBE-CLUSTER-IP -NetworkNamespace $ns" })
        {
            var original = RenderingHost.Instance.Render(script, vars);
            Assert.Contains("KUBE-CLUSTER-IP", original);
            Assert.Equal(original, RenderingHost.Instance.Render(CopyViaRemoting + script + " | Copy-ViaRemoting", vars));
        }
    }

    [Fact]
    public void WhatRemotingReturnsPipesIntoTheChangeCmdlets()
    {
        using var ns = new TestNamespace();
        Sets(ns);
        var results = session.Ok(CopyViaRemoting + """
            $sets = @(Get-Ipset -NetworkNamespace $ns | Copy-ViaRemoting)
            $cluster = $sets | Where-Object Name -eq 'KUBE-CLUSTER-IP'
            if ($cluster.Members[0].PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.Ipsets.IpsetMember') { throw "members came back as $($cluster.Members[0].PSObject.TypeNames[0])" }
            $cluster | Add-IpsetMember -Member '10.96.0.11,tcp:443'
            $cluster.Members | Where-Object Protocol -eq 'udp' | Remove-IpsetMember
            foreach ($m in $cluster.Members) { "$($m.Element)=$($m | Test-IpsetMember)" }
            $sets | Where-Object Name -eq 'KUBE-NODE-PORT-TCP' | Clear-Ipset -Confirm:$false
            $sets | Where-Object Name -eq 'SCRATCH' | Rename-Ipset -NewName SCRATCH2
            Get-Ipset KUBE-LOOP-BACK -NetworkNamespace $ns | Copy-ViaRemoting | Remove-Ipset -Confirm:$false
            """, new Dictionary<string, object> { ["ns"] = ns.Name });
        Assert.Equal(["10.96.0.10,tcp:53=True", "10.96.0.10,udp:53=False"], results.Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal)); // udp:53 was removed
        var saved = ns.Exec("ipset", "save");
        Assert.Contains("add KUBE-CLUSTER-IP 10.96.0.11,tcp:443\n", saved);
        Assert.Contains("add KUBE-CLUSTER-IP 10.96.0.10,tcp:53\n", saved);
        Assert.DoesNotContain("10.96.0.10,udp:53", saved);
        Assert.DoesNotContain("add KUBE-NODE-PORT-TCP", saved);
        Assert.Contains("create KUBE-NODE-PORT-TCP bitmap:port range 0-65535", saved);
        Assert.Contains("create SCRATCH2 hash:net family inet6", saved);
        Assert.DoesNotContain("KUBE-LOOP-BACK", saved);
    }

    [Fact]
    public void SetNamesAndNamespacesCompleteOnTab()
    {
        using var ns = new TestNamespace();
        Sets(ns);
        string[] Complete(string line) => session.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object> { ["line"] = line }).Select(o => (string)o.BaseObject).ToArray();
        var n = $"-NetworkNamespace {ns.Name}";
        var kernelSets = ns.Exec("ipset", "list", "-n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(kernelSets, Complete($"Get-Ipset {n} -Name "));
        Assert.Equal(["KUBE-CLUSTER-IP"], Complete($"Add-IpsetMember {n} -Name KUBE-C"));
        Assert.Equal(["KUBE-NODE-PORT-TCP"], Complete($"Clear-Ipset {n} kube-n"));
        Assert.Equal(["SCRATCH"], Complete($"Switch-Ipset {n} -Name KUBE-CLUSTER-IP -OtherName S"));
        Assert.Equal(["KUBE-LOOP-BACK"], Complete($"Export-Ipset {n} -Name *LOOP"));
        Assert.Equal(["KUBE-NODE-PORT-TCP"], Complete($"Get-KubeIptablesRule {n} -SetName KUBE-NODE"));
        Assert.Equal([ns.Name], Complete($"Get-IpvsService -NetworkNamespace {ns.Name[..^3]}"));
        Assert.Contains(ns.Name, Complete("Get-Ipset -NetworkNamespace ipvstools-t-"));
        Assert.Equal([ns.Name], Complete($"Get-KubeIptablesRule -NetworkNamespace {ns.Name}"));
        // Members of the set typed, from the kernel, quoted (they hold commas); none for Add-IpsetMember.
        Assert.Equal(["'10.96.0.10,tcp:53'", "'10.96.0.10,udp:53'"], Complete($"Remove-IpsetMember {n} -Name KUBE-CLUSTER-IP -Member "));
        Assert.Equal(["'10.96.0.10,udp:53'"], Complete($"Remove-IpsetMember {n} KUBE-CLUSTER-IP '10.96.0.10,u"));
        Assert.Equal(["'10.244.1.5,tcp:53,10.244.1.5'"], Complete($"Test-IpsetMember {n} -Name KUBE-LOOP-BACK -Member 10."));
        Assert.Equal(["'30080'"], Complete($"Remove-IpsetMember {n} -Name KUBE-NODE-PORT-TCP -Member 3"));
        Assert.DoesNotContain("'10.96.0.10,tcp:53'", Complete($"Add-IpsetMember {n} -Name KUBE-CLUSTER-IP -Member '10.96.0.10,t"));
    }

    [Fact]
    public void IptablesChainsCompleteFromTheKernel()
    {
        using var ns = new TestNamespace();
        KubeProxyIptablesSample.Apply(ns);
        string[] Complete(string line) => session.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object> { ["line"] = line }).Select(o => (string)o.BaseObject).ToArray();
        var n = $"-NetworkNamespace {ns.Name}";
        // The chains iptables-save lists (":NAME POLICY" lines), of the table typed.
        string[] Chains(string? table, string prefix) => (table is null ? ns.Exec("iptables-save") : ns.Exec("iptables-save", "-t", table)).Split('\n')
            .Where(l => l.StartsWith(':')).Select(l => l[1..].Split(' ')[0]).Where(c => c.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Chains(null, "KUBE-").Distinct(), Complete($"Get-KubeIptablesRule {n} -Chain KUBE-"));
        Assert.Equal(Chains("nat", "KUBE-"), Complete($"Get-KubeIptablesRule {n} -Table nat -Chain KUBE-"));
        Assert.Equal(["KUBE-SERVICES"], Complete($"Get-KubeIptablesRule {n} kube-serv"));
        Assert.Empty(Complete($"Get-KubeIptablesRule {n} -Family IPv6 -Chain KUBE-"));
    }
}
