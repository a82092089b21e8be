using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Cluster;

namespace IpvsTools.KubeProxy;

/// <summary>
/// The node addresses that carry NodePort virtual servers, as kube-proxy's IPVS proxier picks them
/// (pkg/proxy/util/nodeport_addresses.go and syncProxyRules): --nodeport-addresses is narrowed to the
/// family's CIDRs; none of them, or a zero CIDR, matches all: every node address (kube-ipvs0's left out).
/// Otherwise the CIDRs are matched against EVERY interface address, kube-ipvs0's included, and loopback
/// addresses are dropped: so a load-balancer IP on kube-ipvs0 inside a CIDR carries NodePorts too, from
/// the sync after the one that put it there.
/// </summary>
internal static class KubeNodePortAddresses
{
    /// <summary>The family's CIDRs of --nodeport-addresses, 'primary' expanded to the node IPs; empty means all.</summary>
    public static IReadOnlyList<IpNetwork> Cidrs(KubeProxyOptions options, AddressFamily family, KubeNode? node)
    {
        var cidrs = options.NodePortAddresses.Where(n => n.AddressFamily == family).ToList();
        if (options.NodePortAddressesPrimary)
        {
            var primary = options.NodeIPs.FirstOrDefault(a => a.AddressFamily == family) ?? node?.HostIPs().FirstOrDefault(a => a.AddressFamily == family);
            if (primary is not null) cidrs.Add(new IpNetwork(primary, family == AddressFamily.InterNetworkV6 ? 128 : 32));
        }
        return cidrs.Any(n => n.PrefixLength == 0) ? [] : cidrs;
    }

    /// <summary>
    /// The NodePort addresses of the family (sorted): without CIDRs, the node's address set
    /// (<see cref="KubeProxyOptions.NodeAddresses"/> without loopback and IPv6 link-local addresses);
    /// with CIDRs, every interface address in one of them (<see cref="KubeProxyOptions.InterfaceAddresses"/>,
    /// kube-ipvs0's included), loopback left out.
    /// </summary>
    public static IReadOnlyList<IPAddress> NodeIPs(KubeProxyOptions options, AddressFamily family, KubeNode? node)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (family is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new IpvsToolsException($"{family} is not IPv4 (InterNetwork) or IPv6 (InterNetworkV6).", FailureKind.InvalidArgument);
        return NodeIPs(options, family, options.NodeAddresses.Where(a => ValidForSet(a, family)).Distinct().ToList(), node);
    }

    /// <summary>The NodePort addresses of the family (sorted), given the node address set (no kube-ipvs0, no loopback).</summary>
    public static IReadOnlyList<IPAddress> NodeIPs(KubeProxyOptions options, AddressFamily family, IReadOnlyList<IPAddress> nodeAddressSet, KubeNode? node)
    {
        var cidrs = Cidrs(options, family, node);
        if (cidrs.Count == 0) return SortAddresses(nodeAddressSet);
        var every = options.InterfaceAddresses.Count > 0 ? options.InterfaceAddresses : options.NodeAddresses;
        return SortAddresses(every.Where(a => a.AddressFamily == family && !IPAddress.IsLoopback(a) && cidrs.Any(n => n.Contains(a))));
    }

    /// <summary>isValidForSet: the family's addresses, without loopback and IPv6 link-local.</summary>
    internal static bool ValidForSet(IPAddress a, AddressFamily family)
        => a.AddressFamily == family && !IPAddress.IsLoopback(a) && !(a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv6LinkLocal);

    internal static IReadOnlyList<IPAddress> SortAddresses(IEnumerable<IPAddress> addresses)
    {
        var list = addresses.Distinct().ToList();
        list.Sort(CompareAddresses);
        return list;
    }

    internal static int CompareAddresses(IPAddress a, IPAddress b)
    {
        if (a.AddressFamily != b.AddressFamily) return a.AddressFamily == AddressFamily.InterNetwork ? -1 : 1;
        // Bytes written to the stack, not two arrays per comparison (the build sorts 10,000s of addresses).
        Span<byte> x = stackalloc byte[16];
        Span<byte> y = stackalloc byte[16];
        a.TryWriteBytes(x, out var n);
        b.TryWriteBytes(y, out _);
        return x[..n].SequenceCompareTo(y[..n]);
    }
}
