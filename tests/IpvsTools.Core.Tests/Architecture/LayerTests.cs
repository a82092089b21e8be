using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Xunit;

namespace IpvsTools.Tests.Architecture;

/// <summary>
/// The layers of docs/architecture.md, held by the compiled assemblies: every arrow between the engine's
/// namespaces that a type reference makes must be one the document allows, the engine never references
/// PowerShell, and the module's cmdlets never touch the netlink wire (message writers, sockets, requests).
/// </summary>
public class LayerTests
{
    /// <summary>Which engine namespaces each one may use (IpvsTools itself, the root, is open to all).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Allowed = new Dictionary<string, string[]>
    {
        ["IpvsTools"] = [],
        ["IpvsTools.Namespaces"] = [],
        ["IpvsTools.Netlink"] = ["IpvsTools.Namespaces"],
        ["IpvsTools.Processes"] = ["IpvsTools.Namespaces"],
        ["IpvsTools.Ipvs"] = ["IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes"],
        ["IpvsTools.Ipsets"] = ["IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes"],
        ["IpvsTools.Iptables"] = ["IpvsTools.Namespaces", "IpvsTools.Processes"],
        ["IpvsTools.Links"] = ["IpvsTools.Netlink", "IpvsTools.Namespaces"],
        ["IpvsTools.Conntrack"] = ["IpvsTools.Ipvs", "IpvsTools.Namespaces", "IpvsTools.Processes"],
        ["IpvsTools.Cluster"] = ["IpvsTools.Ipvs"],
        ["IpvsTools.KubeProxy"] = ["IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links"],
        ["IpvsTools.KubeProxy.IpvsMode"] = ["IpvsTools.KubeProxy", "IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links"],
        ["IpvsTools.KubeProxy.IptablesMode"] = ["IpvsTools.KubeProxy", "IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links"],
        ["IpvsTools.KubeProxy.NftablesMode"] = ["IpvsTools.KubeProxy", "IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links"],
        ["IpvsTools.KubeProxy.AnyMode"] = ["IpvsTools.KubeProxy.IpvsMode", "IpvsTools.KubeProxy.IptablesMode", "IpvsTools.KubeProxy.NftablesMode", "IpvsTools.KubeProxy", "IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links"],
        ["IpvsTools.Sync"] = ["IpvsTools.KubeProxy.IpvsMode", "IpvsTools.Conntrack", "IpvsTools.KubeProxy", "IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links"],
        ["IpvsTools.KubeProxy.Migration"] = ["IpvsTools.Sync", "IpvsTools.KubeProxy.AnyMode", "IpvsTools.KubeProxy.IptablesMode", "IpvsTools.KubeProxy.NftablesMode", "IpvsTools.KubeProxy.IpvsMode", "IpvsTools.KubeProxy", "IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links"],
        ["IpvsTools.Diagnostics"] = ["IpvsTools.Sync", "IpvsTools.KubeProxy.AnyMode", "IpvsTools.KubeProxy.IptablesMode", "IpvsTools.KubeProxy.NftablesMode", "IpvsTools.KubeProxy.IpvsMode", "IpvsTools.KubeProxy", "IpvsTools.Cluster", "IpvsTools.Netlink", "IpvsTools.Namespaces", "IpvsTools.Processes", "IpvsTools.Ipvs", "IpvsTools.Ipsets", "IpvsTools.Iptables", "IpvsTools.Links", "IpvsTools.Conntrack"],
    };

    private static readonly Assembly Engine = typeof(IpvsToolsException).Assembly;

    /// <summary>The namespace a type belongs to: its outermost declaring type's.</summary>
    private static string NamespaceOf(Type t) => TypeReferences.Owner(t).Namespace ?? "";

    [Fact]
    public void EveryEngineNamespaceIsALayerOfTheDocument()
    {
        var namespaces = Engine.GetTypes().Select(NamespaceOf).Where(n => n.StartsWith("IpvsTools", StringComparison.Ordinal)).Distinct().OrderBy(n => n).ToArray();
        Assert.Empty(namespaces.Except(Allowed.Keys));
        Assert.Empty(Allowed.Keys.Except(namespaces));
    }

    [Fact]
    public void EveryArrowBetweenEngineLayersIsAllowed()
    {
        var forbidden = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var type in Engine.GetTypes())
        {
            var from = NamespaceOf(type);
            if (!Allowed.TryGetValue(from, out var may)) continue;
            foreach (var used in TypeReferences.Of(type))
            {
                if (used.Assembly != Engine) continue;
                var to = NamespaceOf(used);
                // Compiler-generated helpers (collection expressions, regex generators) live outside IpvsTools.
                if (!to.StartsWith("IpvsTools", StringComparison.Ordinal)) continue;
                if (to == from || to == "IpvsTools" || may.Contains(to)) continue;
                var arrow = $"{from} -> {to}";
                if (!forbidden.TryGetValue(arrow, out var examples)) forbidden[arrow] = examples = new SortedSet<string>(StringComparer.Ordinal);
                examples.Add($"{TypeReferences.Owner(type).Name} uses {TypeReferences.Owner(used).Name}");
            }
        }
        Assert.True(forbidden.Count == 0, "arrows docs/architecture.md does not allow:\n" + string.Join("\n", forbidden.Select(kv => $"  {kv.Key}: {string.Join(", ", kv.Value.Take(6))}")));
    }

    [Fact]
    public void TheAnalysisSeesArrowsInsideMethodBodies()
    {
        // KubeNodeLock calls NamespaceIdentity only inside method bodies (PathFor): the IL scan must see it.
        var used = TypeReferences.Of(typeof(IpvsTools.Sync.KubeNodeLock)).ToHashSet();
        Assert.Contains(typeof(IpvsTools.Namespaces.NamespaceIdentity), used);
    }

    [Fact]
    public void TheEngineNeverReferencesPowerShell()
    {
        Assert.DoesNotContain(Engine.GetReferencedAssemblies(), a => a.Name!.StartsWith("System.Management.Automation", StringComparison.Ordinal));
    }

    [Fact]
    public void TheModuleNeverTouchesTheNetlinkWire()
    {
        // The cmdlets' assembly, read as metadata (loading it would need PowerShell): no type it references
        // lives in IpvsTools.Netlink, where messages are built and sockets opened.
        var module = ModuleAssemblyPath();
        using var stream = File.OpenRead(module);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var wire = md.TypeReferences.Select(h => md.GetTypeReference(h))
            .Select(r => md.GetString(r.Namespace) + "." + md.GetString(r.Name))
            .Where(n => n.StartsWith("IpvsTools.Netlink.", StringComparison.Ordinal)).Distinct().OrderBy(n => n).ToArray();
        Assert.True(wire.Length == 0, "the module references the netlink layer: " + string.Join(", ", wire));
        Assert.DoesNotContain(md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)), n => n == "Tmds.LibC");
    }

    private static string ModuleAssemblyPath()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "IpvsTools.psd1"))) dir = dir.Parent;
        Assert.True(dir is not null, "the repository root (IpvsTools.psd1) is not above " + AppContext.BaseDirectory);
        var config = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var path = Path.Combine(dir!.FullName, "src", "IpvsTools", "bin", config, "net8.0", "IpvsTools.dll");
        Assert.True(File.Exists(path), $"{path} is missing: build the solution (dotnet build -c {config} IpvsTools.slnx) before the tests");
        return path;
    }
}
