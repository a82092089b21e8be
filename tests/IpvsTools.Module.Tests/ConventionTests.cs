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
    public void TheManifestPassesTestModuleManifestAndDescribesTheModuleForAGallery()
    {
        var facts = session.Ok("""
            $m = Test-ModuleManifest -Path $path -ErrorAction Stop
            "$($m.PowerShellVersion)"
            $m.CompatiblePSEditions -join ','
            ($m.ExportedFormatFiles | ForEach-Object { [System.IO.Path]::GetFileName($_) }) -join ','
            $m.Tags -join ','
            "$($m.LicenseUri)"
            "$($m.ReleaseNotes)".Trim().Length
            $m.ExportedCmdlets.Count
            $text = [System.IO.File]::ReadAllText($path)
            $data = & ([scriptblock]::Create($text))
            foreach ($key in 'CmdletsToExport', 'FunctionsToExport', 'VariablesToExport', 'AliasesToExport') {
                if ($null -eq $data[$key]) { "$key is not given" }
                foreach ($v in @($data[$key])) { if ($v -match '[*?]') { "$key has the wildcard $v" } }
            }
            """, new Dictionary<string, object> { ["path"] = session.ModuleManifest }).Select(o => o.BaseObject).ToList();
        Assert.Equal("7.4", facts[0]);
        Assert.Equal("Core", facts[1]);
        Assert.Equal("IpvsTools.Format.ps1xml", facts[2]);
        var tags = ((string)facts[3]).Split(',');
        foreach (var tag in new[] { "Linux", "IPVS", "Kubernetes", "kube-proxy", "networking" }) Assert.Contains(tag, tags);
        Assert.StartsWith("https://", (string)facts[4]);
        Assert.True((int)facts[5] > 40, "ReleaseNotes are missing or too short to say anything");
        Assert.Equal(Cmdlets.Count, (int)facts[6]);
        Assert.Empty(facts.Skip(7));
        Assert.True(File.Exists(Path.Combine(session.ModuleDirectory, "LICENSE")), "the module layout has no LICENSE");
    }

    [Fact]
    public void TheReadmeTableNamesEveryCmdlet()
    {
        var readme = RepositoryFile("README.md");
        var tableRows = File.ReadLines(readme).Where(l => l.StartsWith('|')).ToList();
        Assert.All(Cmdlets, name => Assert.True(tableRows.Any(r => r.Contains($"`{name}`")), $"README.md's cmdlet table has no row naming `{name}`"));
    }

    [Fact]
    public void TheReadmeNamesExactlyTheCmdletsThatAskFirst()
    {
        // The cmdlets whose ConfirmImpact is High prompt without -Confirm: README's conventions list names them all.
        var high = session.Ok("""
            Get-Command -Module IpvsTools -CommandType Cmdlet | Where-Object {
                @($_.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false))[0].ConfirmImpact -eq 'High'
            } | ForEach-Object Name
            """).Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(high);
        var line = string.Join(' ', File.ReadLines(RepositoryFile("README.md")).SkipWhile(l => !l.StartsWith("- **Changes**", StringComparison.Ordinal)).Take(2));
        var listed = System.Text.RegularExpressions.Regex.Match(line, @"ConfirmImpact High, so they ask first: ([^)]*)\)").Groups[1].Value;
        var named = System.Text.RegularExpressions.Regex.Matches(listed, "`([A-Za-z]+-[A-Za-z]+)`").Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(high, named);
    }

    internal static string RepositoryFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, name)) && File.Exists(Path.Combine(dir.FullName, "IpvsTools.slnx"))) return Path.Combine(dir.FullName, name);
        }
        throw new FileNotFoundException($"{name} of the repository was not found above {AppContext.BaseDirectory}");
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
                // Plain values PowerShell already formats: a Test- cmdlet's bool (and -InformationLevel Quiet of a Compare- cmdlet), an Export- cmdlet's text.
                if ((t == "System.Boolean" && (name.StartsWith("Test-") || name.StartsWith("Compare-"))) || (t == "System.String" && name.StartsWith("Export-"))) return;
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
                $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
                $documented = @{}
                foreach ($p in @($h.parameters.parameter)) { $documented[$p.name] = (($p.description | ForEach-Object Text) -join ' ').Trim() }
                foreach ($p in (Get-Command $name).Parameters.Keys) {
                    if ($common -notcontains $p -and -not $documented[$p]) { "undocumented:$p" }
                }
                """, new Dictionary<string, object> { ["name"] = name });
            Assert.False(string.IsNullOrWhiteSpace((string)facts[0].BaseObject), $"{name} has no description");
            Assert.Empty(facts.Skip(1).Select(o => $"{name}: {o}"));
        }
    }

    /// <summary>
    /// The rest of a complete help entry, for every exported cmdlet (so the cmdlets other work adds are
    /// held to it too): two or more examples each with code and words, inputs, outputs naming every
    /// [OutputType], notes that say how the cmdlet and kube-proxy get along, no help for parameters that
    /// do not exist, and pipeline input documented as the parameter really takes it.
    /// </summary>
    [Fact]
    public void EveryCmdletHasExamplesInputsOutputsAndNotes()
    {
        var faults = new List<string>();
        foreach (var name in Cmdlets)
        {
            faults.AddRange(session.Ok("""
                $c = Get-Command $name
                $h = Get-Help $name -Full
                $examples = @($h.examples.example)
                if ($examples.Count -lt 2) { "has $($examples.Count) example(s), needs at least 2" }
                foreach ($e in $examples) {
                    if (-not "$($e.code)".Trim()) { "example '$($e.title)' has no code" }
                    if (-not (($e.remarks | ForEach-Object Text) -join '').Trim()) { "example '$($e.code)' has no remarks" }
                }
                $inputs = @($h.inputTypes.inputType | Where-Object { "$($_.type.name)".Trim() })
                if ($inputs.Count -eq 0) { 'names no input type' }
                foreach ($i in $inputs) { if (-not (($i.description | ForEach-Object Text) -join '').Trim()) { "input $($i.type.name) is not described" } }
                $outputs = @($h.returnValues.returnValue | ForEach-Object { "$($_.type.name)".Trim() } | Where-Object { $_ })
                foreach ($t in $c.OutputType.Name) { if ($outputs -notcontains $t) { "output type $t is not in its help's outputs ($($outputs -join ', '))" } }
                $notes = (@($h.alertSet.alert) | ForEach-Object Text) -join ' '
                if ($notes -notmatch 'kube-proxy') { 'has no notes on kube-proxy' }
                foreach ($p in @($h.parameters.parameter)) { if (-not $c.Parameters.ContainsKey($p.name)) { "help documents -$($p.name), which does not exist" } }
                $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
                foreach ($p in $c.Parameters.Values) {
                    if ($common -contains $p.Name) { continue }
                    $hp = @($h.parameters.parameter) | Where-Object name -eq $p.Name
                    $piped = @($p.ParameterSets.Values | Where-Object { $_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName }).Count -gt 0
                    $says = "$($hp.pipelineInput)" -match 'True'
                    if ($piped -ne $says) { "-$($p.Name): help says pipeline input '$($hp.pipelineInput)', the parameter takes pipeline input: $piped" }
                }
                """, new Dictionary<string, object> { ["name"] = name }).Select(o => $"{name}: {o}"));
        }
        Assert.Empty(faults);
    }

    [Fact]
    public void TheConceptsTopicIsFoundByGetHelp()
    {
        var text = string.Join("\n", session.Ok("Get-Help about_IpvsTools").Select(o => o.ToString()));
        foreach (var concept in new[] { "THE THREE LAYERS", "KUBE-IPVS0", "GRACEFUL TERMINATION", "NETWORK NAMESPACES", "TROUBLESHOOTING", "Test-KubeIptablesRule -Missing", "VIEWS, COMPLETION AND REMOTING" })
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
