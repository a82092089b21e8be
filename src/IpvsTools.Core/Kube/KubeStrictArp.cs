using System;
using System.Collections.Generic;
using System.IO;
using IpvsTools.Netlink;

namespace IpvsTools;

/// <summary>
/// kube-proxy's strictARP (IPVS mode, needed by MetalLB and other L2 load balancers): the node answers
/// ARP only for addresses on the interface asked (net.ipv4.conf.all.arp_ignore=1) and announces with the
/// best local address (arp_announce=2), so kube-ipvs0's service addresses are not claimed on the wire.
/// /proc/sys/net belongs to the namespace of the thread that opens it: the values are set on a thread inside it.
/// </summary>
public static class KubeStrictArp
{
    private static readonly (string Name, string Value)[] Settings = [("arp_ignore", "1"), ("arp_announce", "2")];

    /// <summary>Sets the two sysctls where they differ; returns "net.ipv4.conf.all.NAME: OLD -> NEW" for each one changed.</summary>
    public static IReadOnlyList<string> Apply(NetworkNamespace? ns)
    {
        IReadOnlyList<string> Here()
        {
            var changed = new List<string>();
            foreach (var (name, value) in Settings)
            {
                var path = "/proc/sys/net/ipv4/conf/all/" + name;
                try
                {
                    var old = File.ReadAllText(path).Trim();
                    if (old == value) continue;
                    File.WriteAllText(path, value + "\n");
                    changed.Add($"net.ipv4.conf.all.{name}: {old} -> {value}");
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    throw new IpvsToolsException($"Setting net.ipv4.conf.all.{name}={value} failed ({ex.Message}); it needs root.",
                        ex is UnauthorizedAccessException ? FailureKind.PermissionDenied : FailureKind.Other, ex);
                }
            }
            return changed;
        }
        return ns is null ? Here() : ns.Run(Here);
    }
}
