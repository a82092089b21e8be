using System;
using System.Collections.Generic;
using System.IO;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy;

/// <summary>
/// The sysctls kube-proxy's IPVS mode sets in the node's network namespace: net.ipv4.vs.conntrack=1
/// (IPVS connections go through conntrack, so kube-proxy's MASQUERADE rules and the UDP conntrack
/// clean-up see them), vs.expire_nodest_conn=1, vs.expire_quiescent_template=1, net.ipv4.ip_forward=1;
/// and with strictARP net.ipv4.conf.all.arp_ignore=1 and arp_announce=2 (the node does not answer ARP
/// for kube-ipvs0's service addresses; MetalLB's L2 mode needs it); net.ipv4.vs.conn_reuse_mode=0 on kernels
/// 4.1 to 5.8 only (<see cref="KubeProxyConnReuseMode"/>). /proc/sys/net belongs to the
/// namespace of the thread that opens it, so they are set on a thread inside the namespace.
/// </summary>
public static class KubeProxySysctls
{
    private static readonly (string Path, string Value)[] Always =
    [
        ("net/ipv4/vs/conntrack", "1"),
        ("net/ipv4/vs/expire_nodest_conn", "1"),
        ("net/ipv4/vs/expire_quiescent_template", "1"),
        ("net/ipv4/ip_forward", "1"),
    ];

    private static readonly (string Path, string Value)[] StrictArp =
    [
        ("net/ipv4/conf/all/arp_ignore", "1"),
        ("net/ipv4/conf/all/arp_announce", "2"),
    ];

    private static readonly (string Path, string Value)[] ConnReuse = [("net/ipv4/vs/conn_reuse_mode", "0")];

    /// <summary>Sets the sysctls where they differ; returns "net.ipv4.vs.conntrack: 0 -> 1" for each one changed.</summary>
    public static IReadOnlyList<string> Apply(NetworkNamespace? ns, bool strictArp) => Apply(ns, strictArp, KubeProxyConnReuseMode.KernelRelease());

    /// <summary>
    /// As <see cref="Apply(NetworkNamespace?, bool)"/> for a kernel of <paramref name="kernelRelease"/>: with
    /// net.ipv4.vs.conn_reuse_mode=0 where kube-proxy sets it (kernels 4.1 to 5.8).
    /// </summary>
    public static IReadOnlyList<string> Apply(NetworkNamespace? ns, bool strictArp, string kernelRelease)
    {
        var settings = Settings(strictArp, kernelRelease);
        IReadOnlyList<string> Here()
        {
            var changed = new List<string>();
            foreach (var (path, value) in settings)
            {
                var name = path.Replace('/', '.');
                try
                {
                    var old = File.ReadAllText("/proc/sys/" + path).Trim();
                    if (old == value) continue;
                    File.WriteAllText("/proc/sys/" + path, value + "\n");
                    changed.Add($"{name}: {old} -> {value}");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new IpvsToolsException($"Setting {name}={value} failed ({ex.Message}); it needs root, and net.ipv4.vs.* the ip_vs module.",
                        ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.Other, ex);
                }
            }
            return changed;
        }
        return ns is null ? Here() : ns.Run(Here);
    }

    /// <summary>The sysctls kube-proxy sets, as "net.ipv4.vs.conntrack=1", for a kernel of <paramref name="kernelRelease"/>.</summary>
    public static IReadOnlyList<string> Describe(bool strictArp, string kernelRelease)
        => Array.ConvertAll(Settings(strictArp, kernelRelease), s => s.Path.Replace('/', '.') + "=" + s.Value);

    private static (string Path, string Value)[] Settings(bool strictArp, string kernelRelease)
    {
        var connReuse = KubeProxyConnReuseMode.Applies(kernelRelease) ? ConnReuse : [];
        return strictArp ? [.. Always, .. connReuse, .. StrictArp] : [.. Always, .. connReuse];
    }
}
