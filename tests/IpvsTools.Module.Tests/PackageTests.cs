using System.IO.Compression;
using System.Xml.Linq;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// build.ps1 -Task Package run in the hosted engine (core language, .NET and dotnet only): the .nupkg
/// holds what PSResourceGet's Install-PSResource needs from a local repository (file name
/// IpvsTools.VERSION.nupkg, a .nuspec with id, version, authors, description and the PSModule tag,
/// the module's files at the root) and what is left once installed is a module that passes Test-ModuleManifest.
/// </summary>
public class PackageTests(PowerShellSession session)
{
    [Fact]
    public void PackageMakesANupkgWithTheModuleAtItsRoot()
    {
        var output = Directory.CreateTempSubdirectory("ipvstools-package-");
        try
        {
            var build = ConventionTests.RepositoryFile("build.ps1");
            // -NoReadyToRun: the layout is what this test checks; the pwsh tier packages with the ReadyToRun images (crossgen2,
            // a minute of CPU) and checks that the installed module runs them (tests/pwsh/FirstCommands.Tests.ps1).
            var said = session.Ok("& $build -Task Package -NoBuild -NoReadyToRun -OutputPath $output", new Dictionary<string, object> { ["build"] = build, ["output"] = output.FullName });
            var version = (string)session.Ok("(Test-ModuleManifest $path).Version.ToString(3)", new Dictionary<string, object> { ["path"] = session.ModuleManifest }).Single().BaseObject;
            var nupkg = Path.Combine(output.FullName, $"IpvsTools.{version}.nupkg");
            Assert.Contains(nupkg, string.Join("\n", said.Select(o => o.ToString())));
            Assert.True(File.Exists(nupkg), $"no {nupkg}");

            using var zip = ZipFile.OpenRead(nupkg);
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            var moduleFiles = Directory.GetFiles(session.ModuleDirectory, "*", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(session.ModuleDirectory, f).Replace('\\', '/')).ToList();
            Assert.All(moduleFiles, f => Assert.Contains(f, entries));
            foreach (var required in new[] { "IpvsTools.nuspec", "[Content_Types].xml", "_rels/.rels", "IpvsTools.psd1", "IpvsTools.dll", "IpvsTools.Core.dll",
                         "IpvsTools.Format.ps1xml", "IpvsTools.Types.ps1xml", "LICENSE", "en-US/IpvsTools.dll-Help.xml", "en-US/about_IpvsTools.help.txt",
                         "runtimes/linux-x64/Tmds.LibC.dll", "runtimes/linux-arm64/Tmds.LibC.dll", "dependencies/IpvsTools.Kube.dll" })
                Assert.Contains(required, entries);
            // Nothing but the module, the OPC parts and the .nuspec.
            var extra = entries.Except(moduleFiles).Where(e => e is not ("IpvsTools.nuspec" or "[Content_Types].xml" or "_rels/.rels") && !e.StartsWith("package/services/metadata/core-properties/")).ToList();
            Assert.True(extra.Count == 0, "the package holds files that are not the module's: " + string.Join(", ", extra));

            XNamespace ns = "http://schemas.microsoft.com/packaging/2011/08/nuspec.xsd";
            using (var nuspecStream = zip.GetEntry("IpvsTools.nuspec")!.Open())
            {
                var metadata = XDocument.Load(nuspecStream).Root!.Element(ns + "metadata")!;
                Assert.Equal("IpvsTools", metadata.Element(ns + "id")!.Value);
                Assert.Equal(version, metadata.Element(ns + "version")!.Value);
                Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "authors")!.Value));
                Assert.Contains("IPVS", metadata.Element(ns + "description")!.Value);
                var tags = metadata.Element(ns + "tags")!.Value.Split(' ');
                foreach (var tag in new[] { "PSModule", "Linux", "IPVS", "Kubernetes", "kube-proxy", "networking", "PSCmdlet_Get-IpvsService", "PSEdition_Core" })
                    Assert.Contains(tag, tags);
                Assert.Equal("https://spdx.org/licenses/MIT.html", metadata.Element(ns + "licenseUrl")!.Value);
                Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "releaseNotes")?.Value));
            }
            var contentTypes = XDocument.Load(zip.GetEntry("[Content_Types].xml")!.Open());
            var extensions = contentTypes.Root!.Elements().Select(e => (string)e.Attribute("Extension")!).ToHashSet();
            Assert.All(entries.Select(e => Path.GetExtension(e).TrimStart('.').ToLowerInvariant()).Where(e => e.Length > 0), e => Assert.Contains(e, extensions));

            // What Install-PSResource leaves: the files without the package's own parts, a module folder that passes Test-ModuleManifest.
            var installed = Path.Combine(output.FullName, "IpvsTools", version);
            zip.ExtractToDirectory(installed);
            foreach (var part in new[] { "IpvsTools.nuspec", "[Content_Types].xml" }) File.Delete(Path.Combine(installed, part));
            Directory.Delete(Path.Combine(installed, "_rels"), true);
            Directory.Delete(Path.Combine(installed, "package"), true);
            var facts = session.Ok("$m = Test-ModuleManifest ([System.IO.Path]::Combine($dir, 'IpvsTools.psd1')) -ErrorAction Stop; $m.Name; $m.ExportedCmdlets.Count",
                new Dictionary<string, object> { ["dir"] = installed });
            Assert.Equal("IpvsTools", facts[0].BaseObject);
            Assert.Equal(session.Ok("(Get-Command -Module IpvsTools -CommandType Cmdlet).Count").Single().BaseObject, facts[1].BaseObject);
        }
        finally
        {
            output.Delete(true);
        }
    }
}
