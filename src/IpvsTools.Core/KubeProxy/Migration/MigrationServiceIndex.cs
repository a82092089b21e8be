using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// Which Services ('namespace/name') a virtual server or a port belongs to, from a cluster source: by ClusterIP,
/// external IP and load-balancer ingress IP with protocol and port, and by node port with protocol.
/// </summary>
public sealed class MigrationServiceIndex
{
    private readonly Dictionary<(IpvsProtocol, IPAddress, ushort), SortedSet<string>> _byAddress = new();
    private readonly Dictionary<(IpvsProtocol, ushort), SortedSet<string>> _byNodePort = new();
    private readonly Dictionary<IPAddress, SortedSet<string>> _byClusterIP = new();

    /// <summary>An index of <paramref name="cluster"/>'s Services (none when null).</summary>
    public MigrationServiceIndex(ClusterSnapshot? cluster)
    {
        if (cluster is null) return;
        foreach (var service in cluster.Services)
        {
            var name = service.Namespace + "/" + service.Name;
            var addresses = service.ClusterIPs.Concat(service.ExternalIPs).Concat(service.LoadBalancerIngress.Where(i => i.IP is not null).Select(i => i.IP!)).ToList();
            foreach (var ip in service.ClusterIPs) Add(_byClusterIP, ip, name);
            foreach (var port in service.Ports)
            {
                foreach (var address in addresses) Add(_byAddress, (port.Protocol, address, (ushort)port.Port), name);
                if (port.NodePort > 0) Add(_byNodePort, (port.Protocol, (ushort)port.NodePort), name);
            }
        }
    }

    /// <summary>True when a cluster source was given.</summary>
    public bool HasCluster => _byAddress.Count > 0 || _byNodePort.Count > 0 || _byClusterIP.Count > 0;

    /// <summary>The Services of a virtual server: by its address and port, else (a node address) by its node port.</summary>
    public IEnumerable<string> For(IpvsServiceKey key)
    {
        if (key.Address is not { } address) return Array.Empty<string>();
        if (_byAddress.TryGetValue((key.Protocol, address, key.Port), out var names)) return names;
        return _byNodePort.TryGetValue((key.Protocol, key.Port), out var byPort) ? byPort : Array.Empty<string>();
    }

    /// <summary>The Services whose ClusterIP is <paramref name="address"/>.</summary>
    public IEnumerable<string> ForClusterIP(IPAddress address) => _byClusterIP.TryGetValue(address, out var names) ? names : Array.Empty<string>();

    /// <summary>The Services of all of <paramref name="keys"/>, sorted, once each.</summary>
    public IReadOnlyList<string> For(IEnumerable<IpvsServiceKey> keys) => keys.SelectMany(For).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();

    private static void Add<TKey>(Dictionary<TKey, SortedSet<string>> index, TKey key, string name) where TKey : notnull
    {
        if (!index.TryGetValue(key, out var names)) index[key] = names = new SortedSet<string>(StringComparer.Ordinal);
        names.Add(name);
    }
}
