using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.KubeProxy.AnyMode;

/// <summary>
/// The front ends kube-proxy in a given mode programs on a node for a cluster, as <see cref="KubeProxyService"/>
/// objects that follow the readers' conventions, so that they compare by value with what the node holds.
/// </summary>
/// <remarks>
/// IPVS mode: the virtual servers of IPVS mode's desired state (<see cref="KubeProxyState"/>), one per node address
/// for a node port, and (as kube-proxy does there) all endpoints when an external Local policy finds no local one.
/// iptables and nftables mode: the same Services, skip rules and endpoint selection; a node port is one front end at
/// 0.0.0.0 (or ::); a Local policy with no local endpoint leaves the front end with no endpoints (dropped), and a
/// front end without endpoints has no affinity (its traffic is rejected before any affinity rule).
/// </remarks>
public static class KubeProxyExpectedServices
{
    /// <summary>The expected front ends. <paramref name="options"/> holds the node's addresses (for IPVS mode's node
    /// ports and the families proxied).</summary>
    public static IReadOnlyList<KubeProxyService> Build(ClusterSnapshot snapshot, KubeProxyOptions options, KubeProxyMode mode, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        return mode switch
        {
            KubeProxyMode.Ipvs => FromIpvsDesiredState(KubeProxyState.Build(snapshot, string.IsNullOrWhiteSpace(options.Scheduler) ? options with { Scheduler = "rr" } : options), networkNamespace),
            KubeProxyMode.Iptables or KubeProxyMode.Nftables => FromRules(snapshot, options, mode, networkNamespace),
            _ => throw new ArgumentOutOfRangeException(nameof(mode)),
        };
    }

    /// <summary>IPVS mode: each desired virtual server is a front end (so the expectation is IPVS mode's desired state).</summary>
    public static IReadOnlyList<KubeProxyService> FromIpvsDesiredState(KubeDesiredState desired, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(desired);
        var builder = new KubeProxyServiceBuilder(KubeProxyMode.Ipvs, networkNamespace);
        foreach (var vs in desired.VirtualServers)
        {
            if (vs.Key.Address is not { } address) continue;
            var (service, portName) = KubeProxyServiceBuilder.SplitServicePortName(vs.ServicePort);
            var kind = vs.Role switch
            {
                KubeAddressRole.ExternalIP => KubeProxyServiceKind.ExternalIP,
                KubeAddressRole.LoadBalancer => KubeProxyServiceKind.LoadBalancer,
                KubeAddressRole.NodePort => KubeProxyServiceKind.NodePort,
                _ => KubeProxyServiceKind.ClusterIP,
            };
            var endpoints = vs.Destinations.Select(d => new KubeProxyEndpoint(d.Address, d.Port, d.Weight)).ToList();
            TimeSpan? affinity = (vs.Flags & IpvsConstants.SvcFlagPersistent) != 0 ? TimeSpan.FromSeconds(vs.Timeout) : null;
            builder.Add(vs.Key.Protocol, address, vs.Key.Port, kind, service, portName, endpoints, affinity);
        }
        return builder.Build();
    }

    private static IReadOnlyList<KubeProxyService> FromRules(ClusterSnapshot snapshot, KubeProxyOptions options, KubeProxyMode mode, string? networkNamespace)
    {
        var node = snapshot.FindNode(options.NodeName);
        var zone = node?.Zone;
        var families = KubeProxyState.Families(snapshot, options, node);
        var slicesByService = snapshot.EndpointSlices
            .Where(s => s.ServiceName is not null)
            .GroupBy(s => (s.Namespace, s.ServiceName!))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<KubeEndpointSlice>)g.OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
        var builder = new KubeProxyServiceBuilder(mode, networkNamespace);
        foreach (var svc in snapshot.Services)
        {
            if (KubeProxyState.SkipReason(svc, families) is not null) continue;
            var slices = slicesByService.TryGetValue((svc.Namespace, svc.Name), out var found) ? found : Array.Empty<KubeEndpointSlice>();
            var name = svc.Namespace + "/" + svc.Name;
            TimeSpan? affinity = svc.SessionAffinity == KubeSessionAffinity.ClientIP ? TimeSpan.FromSeconds(svc.SessionAffinityTimeoutSeconds) : null;
            foreach (var family in families)
            {
                var clusterIP = svc.ClusterIPs.FirstOrDefault(ip => ip.AddressFamily == family);
                if (clusterIP is null) continue;
                foreach (var port in svc.Ports)
                {
                    var endpoints = KubeEndpointSelection.EndpointsOf(port, slices, family, options.NodeName);
                    var (cluster, local, _) = KubeEndpointSelection.Categorize(endpoints, svc, options.NodeName, zone);
                    var internalEndpoints = Endpoints(svc.InternalPolicyLocal ? local : cluster);
                    var externalEndpoints = Endpoints(svc.ExternalPolicyLocal ? local : cluster);
                    void Add(IPAddress address, int number, KubeProxyServiceKind kind, IReadOnlyList<KubeProxyEndpoint> list)
                        => builder.Add(port.Protocol, address, (ushort)number, kind, name, port.Name, list, list.Count > 0 ? affinity : null);

                    Add(clusterIP, port.Port, KubeProxyServiceKind.ClusterIP, internalEndpoints);
                    foreach (var ip in svc.ExternalIPs.Where(ip => ip.AddressFamily == family))
                        Add(ip, port.Port, KubeProxyServiceKind.ExternalIP, externalEndpoints);
                    foreach (var ingress in svc.LoadBalancerIngress.Where(i => i.IsVip && i.IP!.AddressFamily == family))
                        Add(ingress.IP!, port.Port, KubeProxyServiceKind.LoadBalancer, externalEndpoints);
                    if (port.NodePort != 0)
                        Add(KubeProxyServiceBuilder.AnyAddress(family), port.NodePort, KubeProxyServiceKind.NodePort, externalEndpoints);
                }
            }
        }
        return builder.Build();
    }

    /// <summary>Endpoints as the rules send to them: an equal share each.</summary>
    private static IReadOnlyList<KubeProxyEndpoint> Endpoints(List<ProxyEndpoint> chosen)
    {
        var share = chosen.Count == 0 ? 0 : Math.Round(1.0 / chosen.Count, KubeProxyServiceBuilder.ProbabilityDigits);
        var list = chosen.Select(e => new KubeProxyEndpoint(e.Address, (ushort)e.Port, null, share)).ToList();
        list.Sort((a, b) =>
        {
            var c = KubeNodePortAddresses.CompareAddresses(a.Address, b.Address);
            return c != 0 ? c : a.Port.CompareTo(b.Port);
        });
        return list;
    }
}
