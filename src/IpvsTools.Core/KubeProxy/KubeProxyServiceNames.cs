using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using IpvsTools.Cluster;

namespace IpvsTools.KubeProxy;

/// <summary>
/// Names front ends read from a data plane that does not name them (IPVS mode) after a cluster's Services: a front
/// end takes the Service port whose ClusterIP, external IP, load-balancer ingress IP or node port it is (matched
/// by kind, protocol, address and port). A front end no Service explains keeps its empty name; a front end that
/// already has one (iptables and nftables mode) is left as it is.
/// </summary>
public static class KubeProxyServiceNames
{
    /// <summary>The front ends with Service and PortName filled in where the cluster explains them, in the same order.</summary>
    public static IReadOnlyList<KubeProxyService> Apply(IReadOnlyList<KubeProxyService> services, ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(snapshot);
        var byAddress = new Dictionary<(KubeProxyServiceKind, Ipvs.IpvsProtocol, IPAddress, int), (string, string)>();
        var byNodePort = new Dictionary<(Ipvs.IpvsProtocol, int), (string, string)>();
        foreach (var svc in snapshot.Services.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            if (svc.Type == KubeServiceType.ExternalName) continue;
            var name = svc.Namespace + "/" + svc.Name;
            foreach (var port in svc.Ports)
            {
                var value = (name, port.Name);
                foreach (var ip in svc.ClusterIPs) byAddress.TryAdd((KubeProxyServiceKind.ClusterIP, port.Protocol, ip, port.Port), value);
                foreach (var ip in svc.ExternalIPs) byAddress.TryAdd((KubeProxyServiceKind.ExternalIP, port.Protocol, ip, port.Port), value);
                foreach (var ingress in svc.LoadBalancerIngress)
                {
                    if (ingress.IP is { } ip) byAddress.TryAdd((KubeProxyServiceKind.LoadBalancer, port.Protocol, ip, port.Port), value);
                }
                if (port.NodePort != 0) byNodePort.TryAdd((port.Protocol, port.NodePort), value);
            }
        }

        var result = new List<KubeProxyService>(services.Count);
        foreach (var s in services)
        {
            if (s.Service is not null)
            {
                result.Add(s);
                continue;
            }
            (string Service, string PortName)? found = null;
            if (s.Kind == KubeProxyServiceKind.NodePort)
            {
                if (byNodePort.TryGetValue((s.Protocol, s.Port), out var n)) found = n;
            }
            else
            {
                var kinds = s.Kind == KubeProxyServiceKind.External
                    ? new[] { KubeProxyServiceKind.ExternalIP, KubeProxyServiceKind.LoadBalancer }
                    : new[] { s.Kind };
                foreach (var kind in kinds)
                {
                    if (byAddress.TryGetValue((kind, s.Protocol, s.Address, s.Port), out var a))
                    {
                        found = a;
                        break;
                    }
                }
            }
            result.Add(found is { } f
                ? new KubeProxyService(s.Mode, s.Protocol, s.Address, s.Port, s.Kind, f.Service, f.PortName, s.Endpoints, s.Affinity, s.NetworkNamespace)
                : s);
        }
        return result;
    }
}
