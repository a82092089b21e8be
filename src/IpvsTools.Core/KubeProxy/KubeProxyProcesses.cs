using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy;

/// <summary>
/// Finds kube-proxy processes that run in a given network namespace: every /proc/PID whose command name
/// (comm, or the file name of argv[0]) is kube-proxy and whose /proc/PID/ns/net is the namespace. A sync
/// next to one would be undone by it within its resync period (30 s), and would undo it.
/// </summary>
public static class KubeProxyProcesses
{
    /// <summary>The process name looked for.</summary>
    public const string ProcessName = "kube-proxy";

    /// <summary>Process ids of kube-proxy in <paramref name="ns"/> (the process's own namespace when null), ascending.</summary>
    public static IReadOnlyList<int> Find(NetworkNamespace? ns) => Find(NamespaceIdentity.Of(ns));

    /// <summary>Process ids of kube-proxy in the namespace with <paramref name="identity"/> ("net:[INODE]").</summary>
    public static IReadOnlyList<int> Find(string identity)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(System.IO.Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (!IsKubeProxy(dir)) continue;
            if (NamespaceIdentity.OfProcess(pid) == identity) found.Add(pid);
        }
        found.Sort();
        return found;
    }

    private static bool IsKubeProxy(string dir)
    {
        try
        {
            if (File.ReadAllText(dir + "/comm").TrimEnd('\n') == ProcessName) return true;
            var cmdline = File.ReadAllText(dir + "/cmdline");
            var end = cmdline.IndexOf('\0');
            var argv0 = end < 0 ? cmdline : cmdline.Substring(0, end);
            return System.IO.Path.GetFileName(argv0) == ProcessName;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false; // gone meanwhile, or not ours to read
        }
    }
}
