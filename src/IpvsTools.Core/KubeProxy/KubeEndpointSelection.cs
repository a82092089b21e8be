using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Cluster;

namespace IpvsTools.KubeProxy;

/// <summary>One endpoint of one Service port as kube-proxy's endpoints map holds it.</summary>
internal sealed class ProxyEndpoint
{
    public ProxyEndpoint(IPAddress address, int port, bool isLocal, KubeEndpoint source)
    {
        Address = address;
        Port = port;
        IsLocal = isLocal;
        IsReady = source.IsReady;
        IsServing = source.IsServing;
        IsTerminating = source.IsTerminating;
        // Most endpoints have no hints: they share one empty set instead of two new sets each.
        ZoneHints = source.ZoneHints.Count == 0 ? NoHints : new HashSet<string>(source.ZoneHints, StringComparer.Ordinal);
        NodeHints = source.NodeHints.Count == 0 ? NoHints : new HashSet<string>(source.NodeHints, StringComparer.Ordinal);
    }

    public IPAddress Address { get; }
    public int Port { get; }
    public bool IsLocal { get; }
    public bool IsReady { get; }
    public bool IsServing { get; }
    public bool IsTerminating { get; }
    public IReadOnlySet<string> ZoneHints { get; }
    public IReadOnlySet<string> NodeHints { get; }

    private static readonly IReadOnlySet<string> NoHints = new HashSet<string>(StringComparer.Ordinal);
}

/// <summary>
/// kube-proxy's endpoint rules (pkg/proxy/endpointslicecache.go and topology.go): which endpoints a
/// Service port has in one family, and which of them each traffic policy uses.
/// </summary>
internal static class KubeEndpointSelection
{
    /// <summary>
    /// The endpoints of <paramref name="port"/>: from the Service's slices of <paramref name="family"/>,
    /// slice ports matched by name and protocol, each endpoint's first address, one entry per
    /// address:port across slices (a local copy wins).
    /// </summary>
    public static List<ProxyEndpoint> EndpointsOf(KubeServicePort port, IReadOnlyList<KubeEndpointSlice> slices, AddressFamily family, string? nodeName)
    {
        var addressType = family == AddressFamily.InterNetworkV6 ? KubeAddressType.IPv6 : KubeAddressType.IPv4;
        // Sized once for every endpoint the matching slice ports list (most Services: one slice, one port).
        var capacity = 0;
        foreach (var slice in slices)
        {
            if (slice.AddressType != addressType) continue;
            foreach (var p in slice.Ports)
            {
                if (Matches(p, port)) capacity += slice.Endpoints.Count;
            }
        }
        // One entry per address:port, in the order first seen: found by a scan of the entries so far when there
        // are few (kube-proxy's usual case), by key when many.
        var result = new List<ProxyEndpoint>(capacity);
        var byKey = capacity > ScanLimit ? new Dictionary<(IPAddress, int), int>(capacity) : null;
        foreach (var slice in slices)
        {
            if (slice.AddressType != addressType) continue;
            foreach (var p in slice.Ports)
            {
                if (!Matches(p, port)) continue;
                var number = p.Port!.Value;
                foreach (var e in slice.Endpoints)
                {
                    if (e.Addresses.Count == 0) continue;
                    if (!IPAddress.TryParse(e.Addresses[0], out var ip) || ip.AddressFamily != family) continue;
                    var isLocal = nodeName is not null && string.Equals(e.NodeName, nodeName, StringComparison.Ordinal);
                    var at = byKey is null ? IndexOf(result, ip, number) : byKey.TryGetValue((ip, number), out var i) ? i : -1;
                    if (at >= 0)
                    {
                        if (isLocal && !result[at].IsLocal) result[at] = new ProxyEndpoint(ip, number, true, e); // a local copy wins
                        continue;
                    }
                    byKey?.Add((ip, number), result.Count);
                    result.Add(new ProxyEndpoint(ip, number, isLocal, e));
                }
            }
        }
        return result;
    }

    /// <summary>Up to this many endpoints per Service port, duplicates are found by a scan, not a dictionary.</summary>
    private const int ScanLimit = 16;

    private static int IndexOf(List<ProxyEndpoint> endpoints, IPAddress address, int port)
    {
        for (var i = 0; i < endpoints.Count; i++)
        {
            if (endpoints[i].Port == port && endpoints[i].Address.Equals(address)) return i;
        }
        return -1;
    }

    /// <summary>
    /// A slice port that serves <paramref name="port"/>: the same name and protocol (kube-proxy ignores ports
    /// without a name or a port number).
    /// </summary>
    private static bool Matches(KubeEndpointPort p, KubeServicePort port)
        => p.Name is not null && p.Port is not (null or 0)
           && string.Equals(p.Name, port.Name, StringComparison.Ordinal) && p.Protocol == port.Protocol;

    /// <summary>
    /// CategorizeEndpoints: the endpoints for Cluster policy (ready ones narrowed by topology hints,
    /// else serving-and-terminating ones) and for Local policy (local ready ones, else local
    /// serving-and-terminating ones), and whether the Service has any usable endpoint at all.
    /// </summary>
    public static (List<ProxyEndpoint> Cluster, List<ProxyEndpoint> Local, bool HasAny) Categorize(
        List<ProxyEndpoint> endpoints, KubeService service, string? nodeName, string? zone)
    {
        var usesCluster = !service.InternalPolicyLocal || (service.IsExternallyAccessible && !service.ExternalPolicyLocal);
        var cluster = new List<ProxyEndpoint>(usesCluster ? endpoints.Count : 0); // most often every endpoint
        var local = new List<ProxyEndpoint>();
        var hasAny = false;
        var usesLocal = service.InternalPolicyLocal || service.ExternalPolicyLocal;
        if (usesCluster)
        {
            var mode = TopologyMode(endpoints, nodeName, zone);
            foreach (var e in endpoints)
            {
                if (e.IsReady && AvailableForTopology(e, mode, nodeName, zone)) cluster.Add(e);
            }
            if (cluster.Count == 0)
            {
                // No ready endpoint: fall back to serving terminating ones, without topology.
                foreach (var e in endpoints)
                {
                    if (e.IsServing && e.IsTerminating) cluster.Add(e);
                }
            }
            if (cluster.Count > 0) hasAny = true;
        }
        if (!usesLocal) return (cluster, local, hasAny);

        var localReady = false;
        var localTerminating = false;
        foreach (var e in endpoints)
        {
            if (e.IsReady)
            {
                hasAny = true;
                if (e.IsLocal) localReady = true;
            }
            else if (e.IsServing && e.IsTerminating)
            {
                hasAny = true;
                if (e.IsLocal) localTerminating = true;
            }
        }
        foreach (var e in endpoints)
        {
            if (!e.IsLocal) continue;
            if (localReady ? e.IsReady : localTerminating && e.IsServing && e.IsTerminating) local.Add(e);
        }
        return (cluster, local, hasAny);
    }

    /// <summary>
    /// topologyModeFromHints: PreferSameNode when every ready endpoint has node hints and one names this
    /// node; else PreferSameZone when every ready endpoint has zone hints and one names this zone; else none.
    /// </summary>
    private static string TopologyMode(List<ProxyEndpoint> endpoints, string? nodeName, string? zone)
    {
        var hasForNode = false;
        var allNodeHints = true;
        var hasForZone = false;
        var allZoneHints = true;
        var anyReady = false;
        foreach (var e in endpoints)
        {
            if (!e.IsReady) continue;
            anyReady = true;
            if (e.NodeHints.Count == 0) allNodeHints = false;
            else if (nodeName is not null && e.NodeHints.Contains(nodeName)) hasForNode = true;
            if (e.ZoneHints.Count == 0) allZoneHints = false;
            else if (zone is not null && e.ZoneHints.Contains(zone)) hasForZone = true;
        }
        if (!anyReady) return "";
        if (allNodeHints && hasForNode) return "PreferSameNode";
        if (allZoneHints && hasForZone) return "PreferSameZone";
        return "";
    }

    private static bool AvailableForTopology(ProxyEndpoint e, string mode, string? nodeName, string? zone) => mode switch
    {
        "PreferSameNode" => nodeName is not null && e.NodeHints.Contains(nodeName),
        "PreferSameZone" => zone is not null && e.ZoneHints.Contains(zone),
        _ => true,
    };
}
