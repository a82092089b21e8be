using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Links;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Diagnostics;

/// <summary>
/// The node state the reachability checks read, taken once per run from the kernel of one network
/// namespace: links and addresses, the IPVS table, the ipsets, and (on first use) iptables per family,
/// the IPVS connection table and conntrack. A part that cannot be read is kept as the reason, so the
/// checks that need it report "not tested" instead of failing.
/// </summary>
public sealed class ReachabilityNode
{
    private readonly Dictionary<AddressFamily, (IReadOnlyList<KubeIptablesCheck>? Checks, string? Error)> _iptables = new();
    private (IReadOnlyList<IpvsConnection>? Connections, string? Error)? _ipvsConnections;
    private (IReadOnlyList<ConntrackEntry>? Entries, string? Error)? _conntrack;

    private ReachabilityNode(NetworkNamespace? ns, IptablesBackend? backend) => (Namespace, Backend) = (ns, backend);

    public NetworkNamespace? Namespace { get; }
    public IptablesBackend? Backend { get; }

    /// <summary>Whether kube-ipvs0 exists, and its addresses.</summary>
    public bool KubeIpvs0Exists { get; private set; }
    public IReadOnlyList<IPAddress> KubeIpvs0Addresses { get; private set; } = Array.Empty<IPAddress>();

    /// <summary>Every address on another link, with the link's name.</summary>
    public IReadOnlyList<(IPAddress Address, string Link)> OtherAddresses { get; private set; } = Array.Empty<(IPAddress, string)>();

    /// <summary>The IPVS table; null when it could not be read (<see cref="IpvsError"/> says why).</summary>
    public IReadOnlyList<IpvsService>? Services { get; private set; }
    public string? IpvsError { get; private set; }

    /// <summary>The ipsets' members by set name (as `ipset list` spells them); null when unreadable (<see cref="IpsetError"/>).</summary>
    public IReadOnlyDictionary<string, (string Type, HashSet<string> Members)>? Ipsets { get; private set; }
    public string? IpsetError { get; private set; }

    /// <summary>kube-proxy's IPVS mode leaves kube-ipvs0 or KUBE-* sets behind; without either the node is in another mode.</summary>
    public bool LooksLikeIpvsMode => KubeIpvs0Exists || (Ipsets?.Keys.Any(n => n.StartsWith("KUBE-", StringComparison.Ordinal)) ?? false);

    /// <summary>Reads links, addresses, IPVS and ipsets of <paramref name="ns"/> (the caller's namespace when null).</summary>
    public static ReachabilityNode Read(NetworkNamespace? ns, IptablesBackend? backend = null)
    {
        var node = new ReachabilityNode(ns, backend);
        IReadOnlyList<NetworkLink> links;
        using (var client = LinkClient.Open(ns)) links = client.List();
        IReadOnlyList<InterfaceAddress> addresses;
        using (var client = AddressClient.Open(ns)) addresses = client.List();
        var dummy = links.FirstOrDefault(l => l.Name == KubeIpvsInterface.LinkName);
        node.KubeIpvs0Exists = dummy is not null;
        node.KubeIpvs0Addresses = addresses.Where(a => dummy is not null && a.InterfaceIndex == dummy.Index).Select(a => a.Address).ToList();
        node.OtherAddresses = addresses.Where(a => dummy is null || a.InterfaceIndex != dummy.Index)
            .Select(a => (a.Address, links.FirstOrDefault(l => l.Index == a.InterfaceIndex)?.Name ?? "#" + a.InterfaceIndex)).ToList();
        try
        {
            using var ipvs = IpvsClient.Open(ns);
            node.Services = ipvs.GetServices(includeDestinations: true);
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            node.IpvsError = ex.Message;
        }
        try
        {
            using var ipset = IpsetClient.Open(ns);
            node.Ipsets = ipset.List().ToDictionary(s => s.Name, s => (s.Type, s.Members.Select(m => KubeIpvsPlanner.Canonical(s.Type, m.Element)).ToHashSet(StringComparer.Ordinal)), StringComparer.Ordinal);
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            node.IpsetError = ex.Message;
        }
        return node;
    }

    /// <summary>The virtual server with this key, or null.</summary>
    public IpvsService? Service(IpvsServiceKey key) => Services?.FirstOrDefault(s => s.Key == key);

    /// <summary>kube-proxy's iptables checks for the family (read on first use); null with the reason when unreadable.</summary>
    public (IReadOnlyList<KubeIptablesCheck>? Checks, string? Error) Iptables(AddressFamily family)
    {
        if (_iptables.TryGetValue(family, out var known)) return known;
        try
        {
            var ruleset = IptablesClient.Open(family == AddressFamily.InterNetworkV6 ? IptablesFamily.IPv6 : IptablesFamily.IPv4, Backend, Namespace).Read();
            var nonEmpty = Ipsets?.Where(s => s.Value.Members.Count > 0).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
            known = (KubeProxyIptables.Check(ruleset, nonEmpty), null);
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            known = (null, ex.Message);
        }
        return _iptables[family] = known;
    }

    /// <summary>The IPVS connection table (read on first use).</summary>
    public (IReadOnlyList<IpvsConnection>? Connections, string? Error) IpvsConnections()
    {
        if (_ipvsConnections is { } known) return known;
        try
        {
            known = (IpvsConnectionText.Read(Namespace), null);
        }
        catch (IpvsToolsException ex) when (ex.Kind != FailureKind.PermissionDenied)
        {
            known = (null, ex.Message);
        }
        _ipvsConnections = known;
        return known;
    }

    /// <summary>The conntrack table (read on first use); null entries with a reason when there is none.</summary>
    public (IReadOnlyList<ConntrackEntry>? Entries, string? Error) Conntrack() => _conntrack ??= ConntrackTable.ReadOrReason(Namespace);
}
