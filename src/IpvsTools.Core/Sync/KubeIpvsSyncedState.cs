using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>
/// What a watching sync last brought the node to: the cluster's objects by name, which Service each desired
/// virtual server belongs to, the families, cluster addresses and node the desired state was built for, and
/// the options (node addresses included). Built after a full sync, updated after each partial one; what
/// <see cref="KubeIpvsPartialPlanner"/> compares a changed Service with.
/// </summary>
public sealed class KubeIpvsSyncedState
{
    private KubeIpvsSyncedState(KubeProxyOptions options, bool nodeAddressesRead, KubeNode? node, IReadOnlyList<KubeNode> nodes,
        IReadOnlyList<AddressFamily> families, IReadOnlyList<IPAddress> clusterAddresses, DateTime fullSyncAt)
    {
        Options = options;
        NodeAddressesRead = nodeAddressesRead;
        Node = node;
        Nodes = nodes;
        Families = families;
        ClusterAddresses = clusterAddresses;
        FullSyncAt = fullSyncAt;
    }

    /// <summary>The options the desired state was built with, the node's addresses included.</summary>
    public KubeProxyOptions Options { get; }

    /// <summary>True when the node's addresses were read from the kernel (not given): a partial sync checks they are still the same.</summary>
    public bool NodeAddressesRead { get; }

    /// <summary>The Node object the desired state was built for (null without one).</summary>
    public KubeNode? Node { get; }

    /// <summary>The snapshot's Nodes.</summary>
    public IReadOnlyList<KubeNode> Nodes { get; }

    /// <summary>The families proxied.</summary>
    public IReadOnlyList<AddressFamily> Families { get; }

    /// <summary>The cluster addresses of the desired state (what makes a virtual server the cluster's).</summary>
    public IReadOnlyList<IPAddress> ClusterAddresses { get; }

    /// <summary>When the last full sync was made (UTC).</summary>
    public DateTime FullSyncAt { get; }

    /// <summary>The Services by (namespace, name).</summary>
    internal Dictionary<(string Namespace, string Name), KubeService> Services { get; } = new();

    /// <summary>The EndpointSlices by (namespace, name).</summary>
    internal Dictionary<(string Namespace, string Name), KubeEndpointSlice> Slices { get; } = new();

    /// <summary>The EndpointSlices of each Service (namespace, service name), by slice name.</summary>
    internal Dictionary<(string Namespace, string Name), Dictionary<string, KubeEndpointSlice>> SlicesByService { get; } = new();

    /// <summary>The Service (namespace, name) each desired virtual server is for.</summary>
    internal Dictionary<IpvsServiceKey, (string Namespace, string Name)> Owners { get; } = new();

    /// <summary>How many virtual servers the desired state has.</summary>
    public int VirtualServerCount => Owners.Count;

    /// <summary>
    /// The state after a full sync of <paramref name="snapshot"/> to <paramref name="desired"/>, built with
    /// <paramref name="options"/> (its node addresses filled in as the sync did; <paramref name="nodeAddressesRead"/>
    /// when they were read from the kernel).
    /// </summary>
    public static KubeIpvsSyncedState After(ClusterSnapshot snapshot, KubeDesiredState desired, KubeProxyOptions options, bool nodeAddressesRead, DateTime fullSyncAt)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(options);
        var state = new KubeIpvsSyncedState(options, nodeAddressesRead, snapshot.FindNode(options.NodeName), snapshot.Nodes, desired.Families, desired.ClusterAddresses, fullSyncAt);
        foreach (var s in snapshot.Services) state.Services[(s.Namespace, s.Name)] = s;
        foreach (var s in snapshot.EndpointSlices) state.SetSlice((s.Namespace, s.Name), s);
        foreach (var v in desired.VirtualServers) state.Owners[v.Key] = OwnerOf(v);
        return state;
    }

    /// <summary>The Service (namespace, name) a desired virtual server is for, from its "namespace/name:port" text.</summary>
    internal static (string Namespace, string Name) OwnerOf(KubeVirtualServer v)
    {
        var text = v.ServicePort;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var colon = text.IndexOf(':', slash + 1);
        return (text.Substring(0, slash), colon < 0 ? text.Substring(slash + 1) : text.Substring(slash + 1, colon - slash - 1));
    }

    /// <summary>The slices of the Service (namespace, name) now.</summary>
    internal IEnumerable<KubeEndpointSlice> SlicesOf((string Namespace, string Name) service)
        => SlicesByService.TryGetValue(service, out var found) ? found.Values : Enumerable.Empty<KubeEndpointSlice>();

    /// <summary>Takes in a partial sync that was applied: its Services, EndpointSlices and virtual servers.</summary>
    internal void Commit(KubeIpvsPartialStep step)
    {
        foreach (var (key, service) in step.NewServices)
        {
            if (service is null) Services.Remove(key);
            else Services[key] = service;
        }
        foreach (var (key, slice) in step.NewSlices) SetSlice(key, slice);
        var touched = new HashSet<(string, string)>(step.Services);
        foreach (var key in Owners.Where(o => touched.Contains(o.Value)).Select(o => o.Key).ToList()) Owners.Remove(key);
        foreach (var v in step.Desired!.VirtualServers) Owners.TryAdd(v.Key, OwnerOf(v));
    }

    private void SetSlice((string Namespace, string Name) key, KubeEndpointSlice? slice)
    {
        if (Slices.Remove(key, out var old) && old.ServiceName is { } was && SlicesByService.TryGetValue((old.Namespace, was), out var of))
        {
            of.Remove(old.Name);
            if (of.Count == 0) SlicesByService.Remove((old.Namespace, was));
        }
        if (slice is null) return;
        Slices[key] = slice;
        if (slice.ServiceName is not { } service) return;
        if (!SlicesByService.TryGetValue((slice.Namespace, service), out var list)) SlicesByService[(slice.Namespace, service)] = list = new Dictionary<string, KubeEndpointSlice>(StringComparer.Ordinal);
        list[slice.Name] = slice;
    }
}
