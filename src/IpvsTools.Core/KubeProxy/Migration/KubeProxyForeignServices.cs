using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Sync;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// The IPVS virtual servers kube-proxy does not own (keepalived's, kube-vip's, an operator's), by the rule
/// Remove-KubeIpvs uses: kube-proxy's are those whose address is on kube-ipvs0, and those on a node address whose
/// port is in the NodePort range; an address in --ipvs-exclude-cidrs is never kube-proxy's. When kube-proxy starts in
/// nftables mode its cleanup flushes the whole IPVS table (kubernetes pkg/proxy/ipvs/cleanup.go, cleanupLeftovers:
/// ipvs.Flush()), these included: Export-IpvsConfig -Foreign saves them, `ipvsadm -R` or Import-IpvsConfig puts
/// them back.
/// </summary>
public static class KubeProxyForeignServices
{
    /// <summary>The foreign virtual servers of <paramref name="services"/>, in ipvsadm's order.</summary>
    public static IReadOnlyList<IpvsService> Select(IReadOnlyList<IpvsService> services, IEnumerable<IPAddress> kubeIpvs0Addresses, KubeProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(kubeIpvs0Addresses);
        ArgumentNullException.ThrowIfNull(options);
        var removals = new List<KubeIpvsOperation>();
        var foreign = new List<IpvsServiceKey>();
        KubeIpvsPlanner.PlanStaleServers(services, new HashSet<IPAddress>(kubeIpvs0Addresses), options, includeForeign: false, removals, foreign);
        var wanted = new HashSet<IpvsServiceKey>(foreign);
        return IpvsadmOrder.Sort(services.Where(s => wanted.Contains(s.Key)).ToList(), (a, b) => IpvsadmOrder.CompareServices(a.Key, b.Key));
    }

    /// <summary>
    /// Reads the namespace's IPVS table and links and returns its foreign virtual servers; <paramref name="options"/>
    /// gives the NodePort range and excluded CIDRs, and the node addresses (read from the kernel when it has none).
    /// </summary>
    public static IReadOnlyList<IpvsService> Read(NetworkNamespace? ns, KubeProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NodeAddresses.Count == 0) options = options with { NodeAddresses = KubeNodeReader.LocalAddresses(ns) };
        IReadOnlyList<IpvsService> services;
        using (var ipvs = IpvsClient.Open(ns)) services = ipvs.GetServices(includeDestinations: true);
        return Select(services, KubeNodeReader.KubeIpvs0Addresses(ns), options);
    }
}
