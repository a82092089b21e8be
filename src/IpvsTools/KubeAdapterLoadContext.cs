using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace IpvsTools.Commands;

/// <summary>
/// The isolated load context of the cluster adapter: IpvsTools.Kube and its dependencies
/// (KubernetesClient, YamlDotNet, Fractions) load from the module's dependencies/ folder, whatever
/// versions of them the session already holds. Everything else, above all IpvsTools.Core, comes from
/// the default context, so the engine's types are the same on both sides.
/// </summary>
internal sealed class KubeAdapterLoadContext : AssemblyLoadContext
{
    public const string AdapterName = "IpvsTools.Kube";

    private readonly string _directory;

    private KubeAdapterLoadContext(string directory) : base("IpvsTools.Kube", isCollectible: false) => _directory = directory;

    private static KubeAdapterLoadContext? _instance;
    private static readonly object Gate = new();

    /// <summary>The one context of this module, made on first use.</summary>
    public static KubeAdapterLoadContext For(string moduleDirectory)
    {
        lock (Gate)
        {
            return _instance ??= new KubeAdapterLoadContext(Path.Combine(moduleDirectory, "dependencies"));
        }
    }

    /// <summary>The adapter assembly, loaded in this context.</summary>
    public Assembly LoadAdapter() => LoadFromAssemblyName(new AssemblyName(AdapterName));

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || assemblyName.Name == "IpvsTools.Core") return null;
        var path = Path.Combine(_directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
