using System;
using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Cluster;

/// <summary>
/// What changed in the cluster since the snapshot before, as a watch saw it: the Services and EndpointSlices
/// (namespace, name) that were added, modified or deleted, or that everything was listed anew (the first
/// snapshot, a watch that ended, a 410 Gone), when nothing can be said about single objects.
/// </summary>
public sealed class ClusterChanges
{
    private static readonly IReadOnlySet<(string Namespace, string Name)> None = new HashSet<(string, string)>();

    /// <summary>Changes of the given Services and EndpointSlices.</summary>
    public ClusterChanges(IEnumerable<(string Namespace, string Name)>? services, IEnumerable<(string Namespace, string Name)>? endpointSlices)
    {
        Services = services is null ? None : new HashSet<(string, string)>(services);
        EndpointSlices = endpointSlices is null ? None : new HashSet<(string, string)>(endpointSlices);
    }

    private ClusterChanges()
    {
        Services = None;
        EndpointSlices = None;
        Relisted = true;
    }

    /// <summary>Everything was listed anew: any object may have changed.</summary>
    public static ClusterChanges Relist { get; } = new();

    /// <summary>True when everything was listed anew (the object sets are then empty and say nothing).</summary>
    public bool Relisted { get; }

    /// <summary>The Services added, modified or deleted.</summary>
    public IReadOnlySet<(string Namespace, string Name)> Services { get; }

    /// <summary>The EndpointSlices added, modified or deleted.</summary>
    public IReadOnlySet<(string Namespace, string Name)> EndpointSlices { get; }

    /// <summary>
    /// The changes of two snapshots in a row folded into one (a consumer that took only the later one):
    /// a relist in either is a relist; an unknown (null) side makes the whole unknown.
    /// </summary>
    public static ClusterChanges? Merge(ClusterChanges? earlier, ClusterChanges? later)
    {
        if (earlier is null || later is null) return null;
        if (earlier.Relisted || later.Relisted) return Relist;
        return new ClusterChanges(earlier.Services.Concat(later.Services), earlier.EndpointSlices.Concat(later.EndpointSlices));
    }

    /// <summary>"listed anew" or "Services shop/web; EndpointSlices shop/web-1".</summary>
    public override string ToString()
    {
        if (Relisted) return "listed anew";
        static string Names(IEnumerable<(string Namespace, string Name)> keys) => string.Join(", ", keys.Select(k => k.Namespace + "/" + k.Name).Order(StringComparer.Ordinal));
        var parts = new List<string>();
        if (Services.Count > 0) parts.Add((Services.Count == 1 ? "Service " : "Services ") + Names(Services));
        if (EndpointSlices.Count > 0) parts.Add((EndpointSlices.Count == 1 ? "EndpointSlice " : "EndpointSlices ") + Names(EndpointSlices));
        return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
    }
}
