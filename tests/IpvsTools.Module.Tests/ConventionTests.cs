using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// The conventions every cmdlet follows (README.md, "Conventions"), checked on the built module for
/// every exported cmdlet, so a new cmdlet that breaks one fails here.
/// </summary>
public class ConventionTests(PowerShellSession session)
{
    private IReadOnlyList<string> Cmdlets => session.Ok("(Get-Command -Module IpvsTools -CommandType Cmdlet).Name").Select(o => (string)o.BaseObject).ToList();

    [Fact]
    public void TheManifestExportsExactlyTheAssemblysCmdlets()
    {
        var manifest = session.Ok("""
            $text = [System.IO.File]::ReadAllText($path)
            $block = [scriptblock]::Create($text)
            $block.CheckRestrictedLanguage([string[]]@(), [string[]]@(), $false)
            (& $block).CmdletsToExport
            """, new Dictionary<string, object> { ["path"] = session.ModuleManifest }).Select(o => (string)o.BaseObject).Order().ToList();
        var inAssembly = session.Ok("""
            [IpvsTools.Commands.ModuleInitializer].Assembly.GetTypes() |
                Where-Object { $_.IsPublic -and -not $_.IsAbstract -and $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
                ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" }
            """).Select(o => (string)o.BaseObject).Order().ToList();
        Assert.NotEmpty(manifest);
        Assert.Equal(inAssembly, manifest);
        Assert.Equal(inAssembly, Cmdlets.Order().ToList());
    }

    [Fact]
    public void EveryCmdletUsesAnApprovedVerb()
    {
        var approved = new[] { typeof(VerbsCommon), typeof(VerbsCommunications), typeof(VerbsData), typeof(VerbsDiagnostic), typeof(VerbsLifecycle), typeof(VerbsSecurity), typeof(VerbsOther) }
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!).ToHashSet();
        Assert.All(Cmdlets, name => Assert.Contains(name.Split('-')[0], approved));
    }

    [Fact]
    public void EveryCmdletDeclaresStableIpvsToolsOutputTypesThatHaveAView()
    {
        var viewed = XDocument.Load(Path.Combine(session.ModuleDirectory, "IpvsTools.Format.ps1xml"))
            .Descendants("TypeName").Select(e => e.Value).ToHashSet();
        foreach (var name in Cmdlets)
        {
            var types = session.Ok("(Get-Command $name).OutputType.Name", new Dictionary<string, object> { ["name"] = name }).Select(o => (string)o.BaseObject).ToList();
            Assert.True(types.Count > 0, $"{name} declares no [OutputType]");
            Assert.All(types, t =>
            {
                // Plain values PowerShell already formats: a Test- cmdlet's bool, an Export- cmdlet's text.
                if ((t == "System.Boolean" && name.StartsWith("Test-")) || (t == "System.String" && name.StartsWith("Export-"))) return;
                Assert.StartsWith("IpvsTools.", t);
                Assert.True(viewed.Contains(t), $"{t} (output of {name}) has no view in IpvsTools.Format.ps1xml");
            });
        }
    }

    [Fact]
    public void EveryCmdletTakesNetworkNamespaceAndDerivesFromTheSharedBase()
    {
        foreach (var name in Cmdlets)
        {
            var facts = session.Ok("""
                $c = Get-Command $name
                $c.Parameters.ContainsKey('NetworkNamespace')
                $c.ImplementingType.IsSubclassOf([IpvsTools.Commands.IpvsToolsCmdlet])
                """, new Dictionary<string, object> { ["name"] = name });
            Assert.True((bool)facts[0].BaseObject, $"{name} has no -NetworkNamespace");
            Assert.True((bool)facts[1].BaseObject, $"{name} does not derive from IpvsToolsCmdlet (which words its ErrorIds)");
        }
    }

    [Fact]
    public void EveryCmdletAndParameterHasHelp()
    {
        foreach (var name in Cmdlets)
        {
            var help = session.Ok("Get-Help $name -Full", new Dictionary<string, object> { ["name"] = name }).Single();
            var synopsis = ((string?)help.Properties["Synopsis"]?.Value)?.Trim() ?? "";
            Assert.False(string.IsNullOrEmpty(synopsis) || synopsis.StartsWith(name + " ") || synopsis.StartsWith("\n"), $"{name} has no synopsis in en-US/IpvsTools.dll-Help.xml");
            var facts = session.Ok("""
                $h = Get-Help $name -Full
                ($h.description | ForEach-Object Text) -join ' '
                @($h.examples.example).Count
                $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
                $documented = @{}
                foreach ($p in @($h.parameters.parameter)) { $documented[$p.name] = (($p.description | ForEach-Object Text) -join ' ').Trim() }
                foreach ($p in (Get-Command $name).Parameters.Keys) {
                    if ($common -notcontains $p -and -not $documented[$p]) { "undocumented:$p" }
                }
                """, new Dictionary<string, object> { ["name"] = name });
            Assert.False(string.IsNullOrWhiteSpace((string)facts[0].BaseObject), $"{name} has no description");
            Assert.True((int)facts[1].BaseObject >= 1, $"{name} has no example");
            Assert.Empty(facts.Skip(2).Select(o => $"{name}: {o}"));
        }
    }

    [Fact]
    public void TheConceptsTopicIsFoundByGetHelp()
    {
        var text = string.Join("\n", session.Ok("Get-Help about_IpvsTools").Select(o => o.ToString()));
        foreach (var concept in new[] { "THE THREE LAYERS", "KUBE-IPVS0", "GRACEFUL TERMINATION", "NETWORK NAMESPACES", "TROUBLESHOOTING" })
            Assert.Contains(concept, text);
    }

    [Fact]
    public void EveryChangeSupportsShouldProcessAndNewAddSetHavePassThru()
    {
        // Verbs that change kernel state; Clear- flushes everything and must ask first (ConfirmImpact High).
        var changing = new[] { "New", "Set", "Add", "Remove", "Clear", "Reset", "Start", "Stop", "Import" };
        foreach (var name in Cmdlets.Where(n => changing.Contains(n.Split('-')[0])))
        {
            var facts = session.Ok("""
                $c = Get-Command $name
                $a = $c.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]
                $a.SupportsShouldProcess
                "$($a.ConfirmImpact)"
                $c.Parameters.ContainsKey('PassThru')
                """, new Dictionary<string, object> { ["name"] = name });
            Assert.True((bool)facts[0].BaseObject, $"{name} changes state but does not support -WhatIf/-Confirm");
            if (name.StartsWith("Clear-")) Assert.Equal("High", (string)facts[1].BaseObject);
            if (name.Split('-')[0] is "New" or "Add" or "Set") Assert.True((bool)facts[2].BaseObject, $"{name} has no -PassThru");
        }
    }

    [Fact]
    public void OtherPlatformsAreRefusedWithAClearMessage()
    {
        var message = (string)session.Ok("[IpvsTools.Commands.ModuleInitializer]::PlatformRefusal($false, 'Microsoft Windows 10.0.26100')").Single().BaseObject;
        Assert.Contains("Linux only", message);
        Assert.Contains("Microsoft Windows", message);
        Assert.True((bool)session.Ok("$null -eq [IpvsTools.Commands.ModuleInitializer]::PlatformRefusal($true, 'Linux')").Single().BaseObject);
    }

    [Fact]
    public void TheLayoutShipsLibCForEachLinuxArchitecture()
    {
        foreach (var rid in new[] { "linux-x64", "linux-arm64", "linux-arm" })
            Assert.True(File.Exists(Path.Combine(session.ModuleDirectory, "runtimes", rid, "Tmds.LibC.dll")), $"runtimes/{rid}/Tmds.LibC.dll is missing");
        Assert.True(Directory.Exists(Path.Combine(session.ModuleDirectory, "dependencies")), "dependencies/ (for the isolated cluster adapter) is missing");
        Assert.False(File.Exists(Path.Combine(session.ModuleDirectory, "Tmds.LibC.dll")), "an architecture-neutral Tmds.LibC.dll must not shadow the per-architecture ones");
    }

    [Fact]
    public void MissingNamespacesGiveANamedErrorRecord()
    {
        var result = session.Run("Get-Ipset -NetworkNamespace ipvstools-no-such-ns");
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetIpsetNetworkNamespaceNotFound,IpvsTools.Commands.GetIpsetCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("ipvstools-no-such-ns", error.TargetObject);
        Assert.Contains("ip netns list", error.Exception.Message);
    }
}
