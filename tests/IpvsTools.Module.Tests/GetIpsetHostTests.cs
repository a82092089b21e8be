using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>Get-Ipset through the built module, against the host kernel, each test in its own namespace.</summary>
[Trait("Tier", "Host")]
public class GetIpsetHostTests(PowerShellSession session)
{
    private const string KubeProxySets = SampleSets.KubeProxy;

    /// <summary>Rebuilds `ipset list` from the objects' properties alone, in PowerShell.</summary>
    private const string ListFromObjects = """
        $blocks = foreach ($s in Get-Ipset -NetworkNamespace $ns) {
            $lines = @("Name: $($s.Name)", "Type: $($s.Type)", "Revision: $($s.Revision)", "Header: $($s.Header)",
                "Size in memory: $($s.SizeInMemory)", "References: $($s.References)", "Number of entries: $($s.EntryCount)", 'Members:') +
                @($s.Members | ForEach-Object { if ($_.Options) { "$_ $($_.Options)" } else { "$_" } })
            ($lines -join "`n") + "`n"
        }
        $blocks -join "`n"
        """;

    [Fact]
    public void ReadsEveryKubeProxySetExactlyAsIpsetListShows()
    {
        using var ns = Prepare(KubeProxySets);
        var text = (string)session.Ok(ListFromObjects, Vars(ns)).Single().BaseObject;
        Assert.Equal(ns.Exec("ipset", "list"), text);
    }

    [Fact]
    public void MembersAreTypedObjects()
    {
        using var ns = Prepare(KubeProxySets);
        var member = session.Ok("(Get-Ipset KUBE-CLUSTER-IP -NetworkNamespace $ns).Members | Where-Object { $_.Protocol -eq 'udp' }", Vars(ns)).Single();
        Assert.Equal("IpvsTools.Ipsets.IpsetMember", member.TypeNames[0]);
        Assert.Equal("10.96.0.10,udp:53", member.ToString());
        Assert.Equal("10.96.0.10", member.Properties["Address"].Value.ToString());
        Assert.Equal((ushort)53, member.Properties["Port"].Value);
        var network = session.Ok("(Get-Ipset KUBE-6-LOAD-BALANCER-SOURCE-CID -NetworkNamespace $ns).Members[0].Network", Vars(ns)).Single();
        Assert.Equal("2001:db8:1::/48", network.BaseObject);
    }

    [Fact]
    public void WildcardsFilterAndExactNamesMustExist()
    {
        using var ns = Prepare(KubeProxySets);
        var names = session.Ok("(Get-Ipset 'kube-6-*' -NetworkNamespace $ns).Name", Vars(ns)).Select(o => (string)o.BaseObject);
        Assert.Equal(["KUBE-6-CLUSTER-IP", "KUBE-6-LOOP-BACK", "KUBE-6-LOAD-BALANCER-SOURCE-CID", "KUBE-6-IPVS-IPS"], names);
        Assert.Empty(session.Ok("Get-Ipset 'NOTHING-*' -NetworkNamespace $ns", Vars(ns)));

        var result = session.Run("Get-Ipset KUBE-CLUSTER-IP, NOPE -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("KUBE-CLUSTER-IP", Assert.Single(result.Output).Properties["Name"].Value);
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetIpsetNotFound,IpvsTools.Commands.GetIpsetCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("NOPE", error.TargetObject);
        Assert.Contains("No ipset named 'NOPE'", error.Exception.Message);
    }

    [Fact]
    public void SetsPipeIntoGetIpsetByPropertyName()
    {
        using var ns = Prepare(KubeProxySets);
        var direct = session.Ok("(Get-Ipset -NetworkNamespace $ns).Name", Vars(ns)).Select(o => o.BaseObject);
        var piped = session.Ok("(Get-Ipset -NetworkNamespace $ns | Get-Ipset).Name", Vars(ns)).Select(o => o.BaseObject);
        Assert.Equal(direct, piped);
    }

    [Fact]
    public void OutputSurvivesASerializationRoundTrip()
    {
        using var ns = Prepare(KubeProxySets);
        var differences = session.Ok("""
            foreach ($set in Get-Ipset -NetworkNamespace $ns) {
                $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($set, 3))
                if ($copy.PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.Ipsets.Ipset') { "type name $($copy.PSObject.TypeNames[0])" }
                foreach ($p in $set.PSObject.Properties) {
                    if ($p.Name -eq 'Members') { continue }
                    if ("$($p.Value)" -ne "$($copy.($p.Name))") { "$($set.Name).$($p.Name): '$($p.Value)' became '$($copy.($p.Name))'" }
                }
                $i = 0
                foreach ($m in $set.Members) {
                    $c = @($copy.Members)[$i++]
                    if ($c.PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.Ipsets.IpsetMember') { "member type name $($c.PSObject.TypeNames[0])" }
                    foreach ($p in $m.PSObject.Properties) {
                        if ("$($p.Value)" -ne "$($c.($p.Name))") { "$($set.Name) member $($m).$($p.Name): '$($p.Value)' became '$($c.($p.Name))'" }
                    }
                    if ("$m" -ne "$c") { "member $m printed as $c" }
                }
            }
            """, Vars(ns));
        Assert.Empty(differences.Select(d => d.ToString()));
    }

    [Fact]
    public void LibCIsLoadedFromTheRuntimeFolderOfThisArchitecture()
    {
        using var ns = Prepare("create X hash:ip\n");
        var location = (string)session.Ok("""
            $null = Get-Ipset -NetworkNamespace $ns
            ([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Tmds.LibC' }).Location
            """, Vars(ns)).Single().BaseObject;
        var rid = System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.Arm64 => "linux-arm64",
            System.Runtime.InteropServices.Architecture.Arm => "linux-arm",
            _ => "linux-x64",
        };
        Assert.Equal(Path.Combine(session.ModuleDirectory, "runtimes", rid, "Tmds.LibC.dll"), location);
    }

    [Fact]
    public void WithoutCapNetAdminTheErrorSaysWhatToDo()
    {
        using var ns = Prepare("create X hash:ip\n");
        var shell = Shell.Find();
        // The shell runs inside the namespace as nobody, with every capability dropped.
        var result = ns.TryExec(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
            "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "IPVSTOOLS_MODULE=" + session.ModuleManifest,
            "dotnet", shell, "-Command", "Get-Ipset"]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ERROR GetIpsetPermissionDenied,IpvsTools.Commands.GetIpsetCommand PermissionDenied:", result.Error);
        Assert.Contains("CAP_NET_ADMIN", result.Error);
        Assert.Contains("sudo pwsh", result.Error);
        // The kernel state was not touched.
        Assert.Contains("Name: X", ns.Exec("ipset", "list"));
    }

    private static TestNamespace Prepare(string sets)
    {
        var ns = new TestNamespace();
        try
        {
            ns.Feed(sets, "ipset", "restore");
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
