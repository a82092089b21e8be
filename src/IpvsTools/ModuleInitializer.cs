using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace IpvsTools.Commands;

/// <summary>
/// Runs when the module is imported: refuses platforms other than Linux, and teaches the default load
/// context where Tmds.LibC lives (runtimes/RID/, one per architecture, since the package has no
/// architecture-neutral assembly), and hands the cluster adapter (IpvsTools.Kube) over from its
/// isolated load context (<see cref="KubeAdapterLoadContext"/>).
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly string ModuleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;

    public void OnImport()
    {
        var refusal = PlatformRefusal(RuntimeInformation.IsOSPlatform(OSPlatform.Linux), RuntimeInformation.OSDescription);
        if (refusal is not null) throw new PlatformNotSupportedException(refusal);
        AssemblyLoadContext.Default.Resolving += Resolve;
    }

    public void OnRemove(PSModuleInfo module) => AssemblyLoadContext.Default.Resolving -= Resolve;

    /// <summary>The message that refuses an import on a platform other than Linux; null on Linux.</summary>
    public static string? PlatformRefusal(bool isLinux, string osDescription) => isLinux
        ? null
        : $"IpvsTools administers the Linux kernel's IP Virtual Server, ipsets and iptables and runs on Linux only; this is {osDescription}. Use it on the node itself (ssh, or Invoke-Command -HostName).";

    /// <summary>The runtime folder name for a process architecture.</summary>
    public static string RuntimeIdentifier(Architecture architecture) => architecture switch
    {
        Architecture.X64 => "linux-x64",
        Architecture.Arm64 => "linux-arm64",
        Architecture.Arm => "linux-arm",
        _ => throw new PlatformNotSupportedException($"IpvsTools ships Tmds.LibC for x64, arm64 and arm; this process is {architecture}."),
    };

    private static Assembly? Resolve(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name == "Tmds.LibC")
        {
            var path = Path.Combine(ModuleDirectory, "runtimes", RuntimeIdentifier(RuntimeInformation.ProcessArchitecture), "Tmds.LibC.dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        }
        if (name.Name == KubeAdapterLoadContext.AdapterName)
        {
            // The adapter and its dependencies live in their own context; only the adapter itself is
            // handed to the default context, so the cmdlets can call it.
            var path = Path.Combine(ModuleDirectory, "dependencies", KubeAdapterLoadContext.AdapterName + ".dll");
            return File.Exists(path) ? KubeAdapterLoadContext.For(ModuleDirectory).LoadAdapter() : null;
        }
        if (name.Name == "IpvsTools.Core")
        {
            var path = Path.Combine(ModuleDirectory, "IpvsTools.Core.dll");
            return File.Exists(path) ? context.LoadFromAssemblyPath(path) : null;
        }
        return null;
    }
}
