using System;
using System.Collections.Generic;

namespace IpvsTools.Cluster;

/// <summary>What a node's proxy sees of the cluster at one moment: Services, EndpointSlices, Nodes.</summary>
public sealed class ClusterSnapshot
{
    /// <summary>A snapshot of the given objects.</summary>
    public ClusterSnapshot(IReadOnlyList<KubeService>? services, IReadOnlyList<KubeEndpointSlice>? endpointSlices,
        IReadOnlyList<KubeNode>? nodes = null, string? source = null)
    {
        Services = services ?? Array.Empty<KubeService>();
        EndpointSlices = endpointSlices ?? Array.Empty<KubeEndpointSlice>();
        Nodes = nodes ?? Array.Empty<KubeNode>();
        Source = source;
    }

    /// <summary>The Services.</summary>
    public IReadOnlyList<KubeService> Services { get; }

    /// <summary>The EndpointSlices.</summary>
    public IReadOnlyList<KubeEndpointSlice> EndpointSlices { get; }

    /// <summary>The Nodes (often just this node, or none).</summary>
    public IReadOnlyList<KubeNode> Nodes { get; }

    /// <summary>Where it came from: file names, or the API server's address.</summary>
    public string? Source { get; }

    /// <summary>
    /// What changed since the snapshot before it, when its source knows (a live watch); null when unknown
    /// (a file, a one-time read): a sync must then consider everything.
    /// </summary>
    public ClusterChanges? Changes { get; init; }

    /// <summary>The node called <paramref name="name"/>, or null.</summary>
    public KubeNode? FindNode(string? name)
    {
        if (name is null) return null;
        foreach (var n in Nodes)
        {
            if (string.Equals(n.Name, name, StringComparison.Ordinal)) return n;
        }
        return null;
    }

    /// <summary>"12 services, 14 endpoint slices, 1 nodes from PATH".</summary>
    public override string ToString()
        => $"{Services.Count} services, {EndpointSlices.Count} endpoint slices, {Nodes.Count} nodes" + (Source is null ? "" : " from " + Source);
}
