using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Cluster;

/// <summary>
/// What kube-proxy would complain about in a cluster snapshot, as sentences for the cmdlets' warnings:
/// an EndpointSlice port without a name (kube-proxy's endpointslicecache.go logs "Ignoring port with nil
/// name" and uses none of that port's endpoints; the EndpointSlice controller always writes a name, "" for
/// a Service's single unnamed port, so a hand-written or edited snapshot is the usual cause), and a Service
/// with several ports of which one has no name (the API server refuses such a Service: each port of a
/// multi-port Service must be named, and endpoints are matched to Service ports by name).
/// </summary>
internal static class KubeSnapshotWarnings
{
    /// <summary>The warnings about <paramref name="services"/> and their EndpointSlices, in a stable order.</summary>
    public static IReadOnlyList<string> For(IEnumerable<KubeService> services,
        IReadOnlyDictionary<(string Namespace, string Service), IReadOnlyList<KubeEndpointSlice>> slicesByService)
    {
        var warnings = new List<string>();
        // Slice ports without a name are rare: when no slice has one, no Service needs its slices looked up.
        var anyUnnamed = false;
        foreach (var ofService in slicesByService.Values)
        {
            foreach (var slice in ofService)
            {
                foreach (var port in slice.Ports) anyUnnamed |= port.Name is null;
            }
        }
        foreach (var svc in services)
        {
            if (svc.Ports.Count > 1)
            {
                foreach (var port in svc.Ports.Where(p => p.Name.Length == 0))
                    warnings.Add($"Service {svc}: port {port} has no name although the Service has {svc.Ports.Count} ports (the API server requires a name on each); it takes the endpoints of EndpointSlice ports named \"\".");
            }
            if (!anyUnnamed || !slicesByService.TryGetValue((svc.Namespace, svc.Name), out var slices)) continue;
            foreach (var slice in slices)
            {
                foreach (var port in slice.Ports.Where(p => p.Name is null))
                    warnings.Add($"EndpointSlice {slice.Namespace}/{slice.Name} of Service {svc}: port {port} has no name, so kube-proxy ignores it (\"Ignoring port with nil name\") and none of its endpoints serve the Service.");
            }
        }
        return warnings;
    }
}
