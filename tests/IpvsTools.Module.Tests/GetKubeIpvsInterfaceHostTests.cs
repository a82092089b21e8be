using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Get-KubeIpvsInterface through the built module on the host kernel, which has no dummy links: a
/// veth named kube-ipvs0 stands in (the lab tests the real dummy), cross-checked with `ip`.
/// </summary>
[Trait("Tier", "Host")]
public class GetKubeIpvsInterfaceHostTests(PowerShellSession session)
{
    [Fact]
    public void ShowsTheInterfaceAndExactlyTheAddressesIpShows()
    {
        using var ns = WithStandIn();
        var link = session.Ok("Get-KubeIpvsInterface -NetworkNamespace $ns", Vars(ns)).Single();
        Assert.Equal("IpvsTools.KubeProxy.IpvsMode.KubeIpvsInterface", link.TypeNames[0]);
        Assert.Equal("kube-ipvs0", link.Properties["Name"].Value);
        Assert.Equal(ns.Exec("cat", "/sys/class/net/kube-ipvs0/ifindex").Trim(), link.Properties["Index"].Value.ToString());
        Assert.Equal("veth", link.Properties["Kind"].Value);
        Assert.Equal(false, link.Properties["IsUp"].Value);
        var addresses = session.Ok("(Get-KubeIpvsInterface -NetworkNamespace $ns).Addresses | ForEach-Object { \"$_\" }", Vars(ns)).Select(o => (string)o.BaseObject).Order();
        var tool = ns.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]).Order();
        Assert.Equal(tool, addresses);
        Assert.Equal(["10.96.0.1/32", "10.96.0.10/32", "fd00:10:96::a/128"], addresses);
        Assert.Equal("kube-ipvs0 (3 addresses)", link.ToString());
    }

    [Fact]
    public void AMissingInterfaceIsAnErrorThatExplains()
    {
        using var ns = new TestNamespace();
        var result = session.Run("Get-KubeIpvsInterface -NetworkNamespace $ns", Vars(ns));
        Assert.Empty(result.Output);
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetKubeIpvsInterfaceNotFound,IpvsTools.Commands.GetKubeIpvsInterfaceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("kube-ipvs0", error.TargetObject);
        Assert.Contains("first sync", error.Exception.Message);
        var bad = Assert.Single(session.Run("Get-KubeIpvsInterface 'no/slash' -NetworkNamespace $ns", Vars(ns)).AllErrors);
        Assert.Equal("GetKubeIpvsInterfaceInvalidArgument,IpvsTools.Commands.GetKubeIpvsInterfaceCommand", bad.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, bad.CategoryInfo.Category);
    }

    [Fact]
    public void OtherInterfacesReadTheSameWayAndNamesPipeIn()
    {
        using var ns = WithStandIn();
        var names = session.Ok("[pscustomobject]@{ Name = 'lo'; NetworkNamespace = $ns }, [pscustomobject]@{ Name = 'kube-ipvs0'; NetworkNamespace = $ns } | Get-KubeIpvsInterface | ForEach-Object { \"$($_.Name) $($_.AddressCount)\" }", Vars(ns));
        Assert.Equal(["lo 2", "kube-ipvs0 3"], names.Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void OutputSurvivesASerializationRoundTrip()
    {
        using var ns = WithStandIn();
        var differences = session.Ok("""
            $o = Get-KubeIpvsInterface -NetworkNamespace $ns
            $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 3))
            if ($copy.PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.KubeProxy.IpvsMode.KubeIpvsInterface') { "type name $($copy.PSObject.TypeNames[0])" }
            if ("$o" -ne "$copy") { "printed '$o' became '$copy'" }
            foreach ($p in $o.PSObject.Properties) {
                $value = $copy.($p.Name)
                if ($p.Value -is [enum]) { $value = $value -as $p.Value.GetType() }
                if ("$($p.Value)" -ne "$value") { "$($p.Name): '$($p.Value)' became '$value'" }
            }
            $i = 0
            foreach ($a in $o.Addresses) { $c = @($copy.Addresses)[$i++]; if ("$a" -ne "$c" -or "$($a.Address)" -ne "$($c.Address)") { "address $a became $c" } }
            """, Vars(ns));
        Assert.Empty(differences.Select(o => o.ToString()));
    }

    [Fact]
    public void TheDefaultViewLooksLikeIpBrief()
    {
        using var ns = WithStandIn();
        var output = Tool.Run("dotnet", Shell.Find(), "-Module", session.ModuleManifest, "-Command", $"Get-KubeIpvsInterface -NetworkNamespace {ns.Name}");
        var lines = output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToList();
        Assert.Matches(@"^Name\s+Index\s+Kind\s+Admin\s+OperState\s+Count\s+Addresses$", lines[0]);
        // One address a line (a narrow terminal wraps lines, never an address).
        Assert.Matches(@"^kube-ipvs0\s+\d+\s+veth\s+DOWN\s+DOWN\s+3\s+10\.96\.0\.10/32$", lines[2]);
        Assert.Matches(@"^\s+10\.96\.0\.1/32$", lines[3]);
        Assert.Matches(@"^\s+fd00:10:96::a/128$", lines[4]);
    }

    private static TestNamespace WithStandIn()
    {
        var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "kube-ipvs0", "type", "veth", "peer", "name", "kp1");
        ns.Exec("ip", "addr", "add", "10.96.0.10/32", "dev", "kube-ipvs0");
        ns.Exec("ip", "addr", "add", "10.96.0.1/32", "dev", "kube-ipvs0");
        ns.Exec("ip", "addr", "add", "fd00:10:96::a/128", "dev", "kube-ipvs0", "nodad");
        return ns;
    }

    private static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };
}
