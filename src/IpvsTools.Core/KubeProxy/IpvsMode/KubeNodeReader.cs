using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// Reads what a node holds for the planner, from the kernel of a network namespace: the links and
/// addresses (kube-ipvs0's and the node's), the IPVS table with connection counts, the KUBE-* ipsets,
/// and iptables-save of each family. Reads only.
/// </summary>
public static class KubeNodeReader
{
    /// <summary>Every address on an interface other than kube-ipvs0 (kube-proxy's node address set, before its filters).</summary>
    public static IReadOnlyList<IPAddress> LocalAddresses(NetworkNamespace? ns)
    {
        var (dummy, addresses) = ReadLinks(ns);
        return addresses.Where(a => dummy is null || a.InterfaceIndex != dummy.Index).Select(a => a.Address).Distinct().ToList();
    }

    /// <summary>The addresses on kube-ipvs0 (none when it does not exist).</summary>
    public static IReadOnlyList<IPAddress> KubeIpvs0Addresses(NetworkNamespace? ns)
    {
        var (dummy, addresses) = ReadLinks(ns);
        return dummy is null ? Array.Empty<IPAddress>() : addresses.Where(a => a.InterfaceIndex == dummy.Index).Select(a => a.Address).Distinct().ToList();
    }

    /// <summary>
    /// <paramref name="options"/> with the node's addresses read from the kernel where it has none:
    /// NodeAddresses (every address but kube-ipvs0's) and InterfaceAddresses (those and kube-ipvs0's, what
    /// --nodeport-addresses CIDRs are matched against).
    /// </summary>
    public static KubeProxyOptions WithNodeAddresses(KubeProxyOptions options, NetworkNamespace? ns)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.NodeAddresses.Count == 0) options = options with { NodeAddresses = LocalAddresses(ns) };
        if (options.InterfaceAddresses.Count == 0) options = options with { InterfaceAddresses = options.NodeAddresses.Concat(KubeIpvs0Addresses(ns)).Distinct().ToList() };
        return options;
    }

    /// <summary>The node's state for the given families (iptables is read for those; IPVS and sets whole).</summary>
    public static KubeNodeActualState Read(NetworkNamespace? ns, IEnumerable<AddressFamily> families, IptablesBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        var tables = ReadTables(ns);
        return tables.With(ReadIptables(ns, families, backend));
    }

    /// <summary>
    /// The kernel tables a node's state holds apart from iptables: kube-ipvs0 and its addresses, the IPVS table
    /// with connection counts, the KUBE-* ipsets.
    /// </summary>
    public static KubeNodeTables ReadTables(NetworkNamespace? ns)
    {
        var (dummy, addresses) = ReadLinks(ns);
        var dummyAddresses = dummy is null ? new List<IPAddress>() : addresses.Where(a => a.InterfaceIndex == dummy.Index).Select(a => a.Address).Distinct().ToList();

        IReadOnlyList<IpvsService> services;
        using (var ipvs = IpvsClient.Open(ns)) services = ipvs.GetServices(includeDestinations: true);

        IReadOnlyList<KubeActualIpset> sets;
        using (var ipset = IpsetClient.Open(ns))
            sets = ipset.List().Where(s => s.Name.StartsWith("KUBE-", StringComparison.Ordinal)).Select(KubeActualIpset.From).ToList();
        return new KubeNodeTables(services, sets, dummy is not null, dummyAddresses) { HasIPv6Addresses = HasIPv6Addresses(addresses) };
    }

    /// <summary>
    /// True when one of the addresses is an IPv6 address a node or a Service uses: anything but loopback and
    /// link-local (fe80::/10, which an IPv4-only node has on each interface). A node without one has no IPv6
    /// Service to proxy unless its cluster says so.
    /// </summary>
    public static bool HasIPv6Addresses(IEnumerable<InterfaceAddress> addresses)
    {
        ArgumentNullException.ThrowIfNull(addresses);
        return addresses.Any(a => a.Address.AddressFamily == AddressFamily.InterNetworkV6 && !IPAddress.IsLoopback(a.Address) && !a.Address.IsIPv6LinkLocal);
    }

    /// <summary>iptables-save (or ip6tables-save) of each of the given families.</summary>
    public static IReadOnlyList<IptablesRuleset> ReadIptables(NetworkNamespace? ns, IEnumerable<AddressFamily> families, IptablesBackend? backend = null)
    {
        ArgumentNullException.ThrowIfNull(families);
        var iptables = new List<IptablesRuleset>();
        foreach (var family in families.Distinct())
        {
            var f = family == AddressFamily.InterNetworkV6 ? IptablesFamily.IPv6 : IptablesFamily.IPv4;
            iptables.Add(IptablesClient.Open(f, backend, ns).Read());
        }
        return iptables;
    }

    /// <summary>kube-ipvs0 (null when there is none) and every interface address of the namespace.</summary>
    internal static (NetworkLink? Dummy, IReadOnlyList<InterfaceAddress> Addresses) ReadLinks(NetworkNamespace? ns)
    {
        NetworkLink? dummy;
        using (var links = LinkClient.Open(ns)) dummy = links.Find(KubeIpvsInterface.LinkName);
        IReadOnlyList<InterfaceAddress> addresses;
        using (var client = AddressClient.Open(ns)) addresses = client.List();
        return (dummy, addresses);
    }
}

/// <summary>What <see cref="KubeNodeReader.ReadTables"/> read: everything of a node's state but its iptables rules.</summary>
public sealed record KubeNodeTables(IReadOnlyList<IpvsService> Services, IReadOnlyList<KubeActualIpset> Ipsets, bool HasDummy, IReadOnlyList<IPAddress> DummyAddresses)
{
    /// <summary>The namespace had an IPv6 address other than loopback and link-local (<see cref="KubeNodeReader.HasIPv6Addresses"/>).</summary>
    public bool HasIPv6Addresses { get; init; } = true;

    /// <summary>The node's state: these tables and the given iptables rulesets.</summary>
    public KubeNodeActualState With(IReadOnlyList<IptablesRuleset> iptables) => new(Services, Ipsets, HasDummy, DummyAddresses, iptables);
}
