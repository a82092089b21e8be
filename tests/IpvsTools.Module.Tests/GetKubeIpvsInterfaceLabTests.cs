using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// What only the lab kernel has: Get-KubeIpvsInterface on a real dummy kube-ipvs0 made by `ip` as
/// kube-proxy makes it, and kube-proxy's -m ipvs rule (xt_ipvs) through Get-KubeIptablesRule.
/// </summary>
[Trait("Tier", "Lab")]
public class GetKubeIpvsInterfaceLabTests
{
    private readonly PowerShellSession _session;

    public GetKubeIpvsInterfaceLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    [Fact]
    public void ShowsTheDummyInterfaceDownWithItsServiceAddresses()
    {
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "kube-ipvs0", "type", "dummy");
        ns.Exec("ip", "addr", "add", "10.96.0.10/32", "dev", "kube-ipvs0");
        ns.Exec("ip", "addr", "add", "10.96.0.1/32", "dev", "kube-ipvs0");
        ns.Exec("ip", "addr", "add", "fd00:10:96::a/128", "dev", "kube-ipvs0", "nodad");
        var facts = _session.Ok("""
            $i = Get-KubeIpvsInterface -NetworkNamespace $ns
            $i.Kind; $i.IsDummy; $i.IsUp; [string]$i.OperationalState; $i.Index
            ($i.Addresses | ForEach-Object { "$_" }) -join ' '
            """, new Dictionary<string, object> { ["ns"] = ns.Name });
        Assert.Equal("dummy", facts[0].BaseObject);
        Assert.Equal(true, facts[1].BaseObject);
        Assert.Equal(false, facts[2].BaseObject);
        Assert.Equal("Down", facts[3].BaseObject);
        Assert.Equal(ns.Exec("cat", "/sys/class/net/kube-ipvs0/ifindex").Trim(), facts[4].BaseObject.ToString());
        var tool = ns.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]);
        Assert.Equal(string.Join(' ', tool), facts[5].BaseObject);
    }

    [Fact]
    public void KubeProxysIpvsDropRuleIsARuleObject()
    {
        using var ns = new TestNamespace();
        ns.Exec("iptables", "-w", "-t", "filter", "-N", "KUBE-IPVS-OUT-FILTER");
        ns.Exec("iptables", "-w", "-t", "filter", "-A", "KUBE-IPVS-OUT-FILTER", "-s", "203.0.113.10", "-m", "ipvs", "--vaddr", "203.0.113.10", "--vproto", "tcp", "--vport", "80", "-j", "DROP");
        var saved = ns.Exec("iptables-save").Split('\n').Single(l => l.StartsWith("-A KUBE-IPVS-OUT-FILTER"));
        var facts = _session.Ok("""
            $r = Get-KubeIptablesRule KUBE-IPVS-OUT-FILTER -NetworkNamespace $ns
            "$r"; $r.Matches[0].Module; $r.Matches[0].Option('--vaddr').Value; $r.Target
            """, new Dictionary<string, object> { ["ns"] = ns.Name });
        Assert.Equal([saved, "ipvs", "203.0.113.10", "DROP"], facts.Select(o => o.BaseObject.ToString()));
    }
}
