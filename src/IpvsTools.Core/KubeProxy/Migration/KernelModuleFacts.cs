using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>Where a kernel module was found.</summary>
public enum KernelModuleState
{
    /// <summary>None of the sources that could be read has it.</summary>
    Missing,

    /// <summary>Loaded now (/proc/modules).</summary>
    Loaded,

    /// <summary>Built into the kernel (modules.builtin, or =y in /proc/config.gz).</summary>
    BuiltIn,

    /// <summary>A loadable module the kernel loads on first use (modules.dep, or =m in /proc/config.gz).</summary>
    Loadable,
}

/// <summary>
/// What the running kernel has of the nf_tables expressions kube-proxy's nftables mode uses, from the sources a node
/// has, looked at in this order: /proc/modules (loaded), /lib/modules/RELEASE/modules.builtin (built in),
/// /lib/modules/RELEASE/modules.dep (loadable), and /proc/config.gz (CONFIG_...=y or =m). <see cref="Sources"/>
/// names those that could be read; with none, nothing can be said.
/// </summary>
public sealed class KernelModuleFacts
{
    private readonly HashSet<string> _loaded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _builtin = new(StringComparer.Ordinal);
    private readonly HashSet<string> _loadable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, char> _config = new(StringComparer.Ordinal);
    private readonly List<string> _sources = new();

    /// <summary>The files that could be read, as paths.</summary>
    public IReadOnlyList<string> Sources => _sources;

    /// <summary>Reads the sources under <paramref name="root"/> ("/" on a node; a folder laid out the same way in tests) for a kernel of <paramref name="release"/>.</summary>
    public static KernelModuleFacts Read(string root, string release)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(release);
        var facts = new KernelModuleFacts();
        var modules = Path.Combine(root, "proc/modules");
        if (TryRead(modules) is { } loaded)
        {
            facts._sources.Add("/proc/modules");
            foreach (var line in Lines(loaded)) facts._loaded.Add(Normal(line.Split(' ', 2)[0]));
        }
        var lib = Path.Combine(root, "lib/modules", release);
        if (TryRead(Path.Combine(lib, "modules.builtin")) is { } builtin)
        {
            facts._sources.Add($"/lib/modules/{release}/modules.builtin");
            foreach (var line in Lines(builtin)) facts._builtin.Add(ModuleName(line));
        }
        if (TryRead(Path.Combine(lib, "modules.dep")) is { } dep)
        {
            facts._sources.Add($"/lib/modules/{release}/modules.dep");
            foreach (var line in Lines(dep)) facts._loadable.Add(ModuleName(line.Split(':', 2)[0]));
        }
        var config = Path.Combine(root, "proc/config.gz");
        if (File.Exists(config))
        {
            try
            {
                using var file = File.OpenRead(config);
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                using var reader = new StreamReader(gzip);
                foreach (var line in Lines(reader.ReadToEnd()))
                {
                    var eq = line.IndexOf('=');
                    if (!line.StartsWith("CONFIG_", StringComparison.Ordinal) || eq < 0 || eq + 1 >= line.Length) continue;
                    facts._config[line.Substring(0, eq)] = line[eq + 1];
                }
                facts._sources.Add("/proc/config.gz");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                // unreadable: not a source
            }
        }
        return facts;
    }

    /// <summary>Where <paramref name="module"/> (whose Kconfig symbol is <paramref name="configSymbol"/>) was found, and in which source.</summary>
    public (KernelModuleState State, string? Source) Find(string module, string configSymbol)
    {
        var name = Normal(module);
        if (_loaded.Contains(name)) return (KernelModuleState.Loaded, "/proc/modules");
        if (_builtin.Contains(name)) return (KernelModuleState.BuiltIn, _sources.First(s => s.EndsWith("modules.builtin", StringComparison.Ordinal)));
        if (_config.TryGetValue(configSymbol, out var v) && v == 'y') return (KernelModuleState.BuiltIn, "/proc/config.gz");
        if (_loadable.Contains(name)) return (KernelModuleState.Loadable, _sources.First(s => s.EndsWith("modules.dep", StringComparison.Ordinal)));
        if (v == 'm') return (KernelModuleState.Loadable, "/proc/config.gz");
        return (KernelModuleState.Missing, null);
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>"kernel/net/netfilter/nft_ct.ko.xz" -> "nft_ct".</summary>
    private static string ModuleName(string path)
    {
        var file = path.Substring(path.LastIndexOf('/') + 1);
        var ko = file.IndexOf(".ko", StringComparison.Ordinal);
        return Normal(ko >= 0 ? file.Substring(0, ko) : file);
    }

    /// <summary>Module names use '-' and '_' interchangeably.</summary>
    private static string Normal(string name) => name.Replace('-', '_');
}
