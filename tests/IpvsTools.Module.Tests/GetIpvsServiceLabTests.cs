using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>Get-IpvsService through the built module in the lab kernel, cross-checked with ipvsadm.</summary>
[Trait("Tier", "Lab")]
public class GetIpvsServiceLabTests
{
    private readonly PowerShellSession _session;

    public GetIpvsServiceLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    [Fact]
    public void ShowsExactlyWhatIpvsadmShows()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        // The listing is rebuilt from the cmdlet's objects in the order the cmdlet writes them (ipvsadm's: sorting them
        // again would not give it, as ipvsadm's comparison is not transitive); only the version line comes from the
        // engine's GetInfo.
        var text = (string)_session.Ok("""
            $client = [IpvsTools.Ipvs.IpvsClient]::Open([IpvsTools.Namespaces.NetworkNamespace]::Resolve($ns))
            try { $info = $client.GetInfo() } finally { $client.Dispose() }
            $lines = @([IpvsTools.Ipvs.IpvsadmText]::FormatVersionLine($info), 'Prot LocalAddress:Port Scheduler Flags', '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn')
            foreach ($s in Get-IpvsService -NetworkNamespace $ns) {
                $lines += [IpvsTools.Ipvs.IpvsadmText]::FormatServiceLine($s)
                foreach ($d in [IpvsTools.Ipvs.IpvsadmText]::SortDestinations($s.Destinations)) { $lines += [IpvsTools.Ipvs.IpvsadmText]::FormatDestinationLine($d) }
            }
            ($lines -join "`n") + "`n"
            """, Vars(ns)).Single().BaseObject;
        Assert.Equal(ns.Exec("ipvsadm", "-Ln"), text);
        Assert.Equal(14, _session.Ok("@(Get-IpvsService -NetworkNamespace $ns).Count", Vars(ns)).Single().BaseObject);
    }

    [Fact]
    public void ListsServicesAndRealServersInIpvsadmsOrder()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        // Each object printed as ipvsadm prints its line, in the order the cmdlets write them: the same lines,
        // in the same order, as `ipvsadm -Ln` (which sorts with a wrapping address subtraction).
        var listing = ns.Exec("ipvsadm", "-Ln").Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(3).ToList();
        var services = _session.Ok("Get-IpvsService -NetworkNamespace $ns | ForEach-Object { [IpvsTools.Ipvs.IpvsadmText]::FormatServiceLine($_) }", Vars(ns))
            .Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(listing.Where(l => !l.StartsWith("  ->", StringComparison.Ordinal)), services);
        var destinations = _session.Ok("Get-IpvsDestination -NetworkNamespace $ns | ForEach-Object { [IpvsTools.Ipvs.IpvsadmText]::FormatDestinationLine($_) }", Vars(ns))
            .Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(listing.Where(l => l.StartsWith("  ->", StringComparison.Ordinal)), destinations);
    }

    [Fact]
    public void FiltersSelectServicesAndAMissOfAnExactFilterIsAnError()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        Assert.Equal(["TCP  10.96.0.10:53", "UDP  10.96.0.10:53"],
            _session.Ok("Get-IpvsService 10.96.0.10 -NetworkNamespace $ns | ForEach-Object { $_.Key.ToString() }", Vars(ns)).Select(o => (string)o.BaseObject).Order());
        Assert.Equal("UDP  10.96.0.10:53",
            _session.Ok("(Get-IpvsService -Address 10.96.0.10 -Port 53 -Protocol Udp -NetworkNamespace $ns).Key.ToString()", Vars(ns)).Single().BaseObject);
        Assert.Equal(5u, _session.Ok("(Get-IpvsService -FirewallMark 5 -NetworkNamespace $ns).FirewallMark", Vars(ns)).Single().BaseObject);
        Assert.Equal("fd00:10:244::5",
            _session.Ok("(Get-IpvsService -Address 'fd00:10:96::a' -NetworkNamespace $ns).Destinations[0].Address.ToString()", Vars(ns)).Single().BaseObject);

        var result = _session.Run("Get-IpvsService -Address 10.96.0.99 -Port 80 -NetworkNamespace $ns", Vars(ns));
        Assert.Empty(result.Output);
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetIpvsServiceNotFound,IpvsTools.Commands.GetIpvsServiceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("10.96.0.99 port 80", error.TargetObject);
    }

    [Fact]
    public void DestinationsCarryTheirServicesKey()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var mismatches = _session.Ok("""
            foreach ($s in Get-IpvsService -NetworkNamespace $ns) {
                foreach ($d in $s.Destinations) { if (-not $d.Service.Equals($s.Key)) { "$d of $($s.Key) says $($d.Service)" } }
            }
            """, Vars(ns));
        Assert.Empty(mismatches.Select(o => o.ToString()));
    }

    [Fact]
    public void OutputSurvivesASerializationRoundTrip()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var differences = _session.Ok("""
            function Compare-Copy($original, $copy, $path) {
                if ($copy.PSObject.TypeNames[0] -ne "Deserialized.$($original.GetType().FullName)") { "$path type name $($copy.PSObject.TypeNames[0])" }
                if ("$original" -ne "$copy") { "$path printed '$original' became '$copy'" }
                foreach ($p in $original.PSObject.Properties) {
                    if ($p.Name -eq 'Destinations') { continue }
                    $value = $copy.($p.Name)
                    # Enums travel as their numbers (as for every PowerShell object): they must convert back to the same value.
                    if ($p.Value -is [enum]) { $value = $value -as $p.Value.GetType() }
                    if ("$($p.Value)" -ne "$value") { "$path.$($p.Name): '$($p.Value)' became '$value'" }
                }
            }
            foreach ($s in Get-IpvsService -NetworkNamespace $ns) {
                $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($s, 4))
                Compare-Copy $s $copy "$s"
                $i = 0
                foreach ($d in $s.Destinations) { Compare-Copy $d @($copy.Destinations)[$i++] "$s -> $d" }
            }
            """, Vars(ns));
        Assert.Empty(differences.Select(o => o.ToString()));
    }

    [Fact]
    public void TheDefaultViewLooksLikeIpvsadm()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, "-A -t 10.96.0.10:53 -s rr\n-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1\n-a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 3\n");
        // Rendered in this process by the console host (a second engine process costs minutes under a busy emulator).
        var lines = RenderingHost.Lines(RenderingHost.Instance.Render("Get-IpvsService -NetworkNamespace $ns", Vars(ns)));
        // ipvsadm's lines: the service (its scheduler and flags last), then "->" and each real server.
        Assert.Matches(@"^Prot\s+LocalAddress:Port\s+Forward\s+Weight\s+ActiveConn\s+InActConn\s+Scheduler Flags$", lines[0]);
        Assert.Matches(@"^TCP\s+10\.96\.0\.10:53\s+rr$", lines[2]);
        Assert.Matches(@"^\s+->\s+10\.244\.1\.5:53\s+Masq\s+1\s+0\s+0$", lines[3]);
        Assert.Matches(@"^\s+->\s+10\.244\.2\.7:53\s+Masq\s+3\s+0\s+0$", lines[4]);
    }

    private static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };
}

/// <summary>Runs in a lab booted WITHOUT ip_vs, with module loading made to fail.</summary>
[Trait("Tier", "LabNoIpvs")]
public class MissingIpvsModuleLabTests(PowerShellSession session)
{
    [Fact]
    public void AMissingIpvsModuleIsNamedWithWhatToDo()
    {
        Lab.RequireNoIpvs();
        File.WriteAllText("/proc/sys/kernel/modprobe", "/bin/false\n");
        var result = session.Run("Get-IpvsService");
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetIpvsServiceKernelModuleMissing,IpvsTools.Commands.GetIpvsServiceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.NotInstalled, error.CategoryInfo.Category);
        Assert.Contains("the ip_vs kernel module is not loaded and could not be loaded (modprobe ip_vs)", error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(Directory.Exists("/sys/module/ip_vs"), "ip_vs got loaded after all");
    }
}
