using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using IpvsTools.Netlink;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// Reads kube-proxy's IPVS-mode data plane as Service front ends: each IPVS virtual server kube-proxy made is one,
/// its kind told by the KUBE-* ipsets (KUBE-CLUSTER-IP, KUBE-EXTERNAL-IP, KUBE-LOAD-BALANCER, and the
/// KUBE-NODE-PORT-* sets for node ports on node addresses), its endpoints the real servers with their weights, its
/// affinity the persistence timeout.
/// </summary>
/// <remarks>
/// IPVS mode programs a node port once per node address, so each is its own front end (not 0.0.0.0 as in the other
/// modes). Real servers of weight 0 (kube-proxy drains removed endpoints so) take no new connections and are left
/// out. The IPVS table names no Service: <see cref="KubeProxyService.Service"/> is null. Virtual servers that no
/// KUBE-* set lists and whose address is not on kube-ipvs0 are another program's (keepalived, kube-vip) and left out.
/// </remarks>
public static class IpvsModeReader
{
    /// <summary>Reads the IPVS table, the KUBE-* ipsets and kube-ipvs0 of the namespace.</summary>
    public static IReadOnlyList<KubeProxyService> Read(NetworkNamespace? ns = null)
        => Read(KubeNodeReader.ReadTables(ns), ns?.DisplayName);

    public static IReadOnlyList<KubeProxyService> Read(KubeNodeTables tables, string? networkNamespace = null)
    {
        ArgumentNullException.ThrowIfNull(tables);
        var members = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var set in tables.Ipsets)
        {
            // IPv6 sets are named KUBE-6-...: one kind, two names.
            var name = set.Name.StartsWith("KUBE-6-", StringComparison.Ordinal) ? "KUBE-" + set.Name.Substring(7) : set.Name;
            if (!members.TryGetValue(name, out var list)) members[name] = list = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var member in set.Members) list.Add(Canonical(member));
        }
        bool In(string set, string member) => members.TryGetValue(set, out var m) && m.Contains(member);
        var dummy = new HashSet<IPAddress>(tables.DummyAddresses);

        var builder = new KubeProxyServiceBuilder(KubeProxyMode.Ipvs, networkNamespace);
        foreach (var service in tables.Services)
        {
            if (service.Key.IsFirewallMark || service.Address is not { } address) continue;
            var protocol = service.Protocol;
            var member = Canonical(address + "," + protocol.ToString().ToLowerInvariant() + ":" + service.Port.ToString(CultureInfo.InvariantCulture));
            KubeProxyServiceKind? kind =
                In("KUBE-CLUSTER-IP", member) ? KubeProxyServiceKind.ClusterIP
                : In("KUBE-LOAD-BALANCER", member) ? KubeProxyServiceKind.LoadBalancer
                : In("KUBE-EXTERNAL-IP", member) ? KubeProxyServiceKind.ExternalIP
                : !dummy.Contains(address) && IsNodePort(protocol, service.Port, member, In) ? KubeProxyServiceKind.NodePort
                : dummy.Contains(address) ? KubeProxyServiceKind.ClusterIP
                : null;
            if (kind is null) continue;
            var endpoints = new List<KubeProxyEndpoint>();
            foreach (var destination in service.Destinations)
            {
                if (destination.Weight > 0) endpoints.Add(new KubeProxyEndpoint(destination.Address, destination.Port, destination.Weight));
            }
            var affinity = service.IsPersistent ? TimeSpan.FromSeconds(service.PersistenceTimeout) : (TimeSpan?)null;
            builder.Add(protocol, address, service.Port, kind.Value, null, "", endpoints, affinity);
        }
        return builder.Build();
    }

    private static bool IsNodePort(IpvsProtocol protocol, ushort port, string member, Func<string, string, bool> isIn) => protocol switch
    {
        IpvsProtocol.Tcp => isIn("KUBE-NODE-PORT-TCP", port.ToString(CultureInfo.InvariantCulture)),
        IpvsProtocol.Udp => isIn("KUBE-NODE-PORT-UDP", port.ToString(CultureInfo.InvariantCulture)),
        IpvsProtocol.Sctp => isIn("KUBE-NODE-PORT-SCTP-HASH", member),
        _ => false,
    };

    /// <summary>A member string with its address in canonical form (IPv6 written the one way .NET writes it).</summary>
    private static string Canonical(string member)
    {
        var comma = member.IndexOf(',');
        var head = comma < 0 ? member : member.Substring(0, comma);
        // Only an address written with dots or colons: IPAddress.TryParse would take a bitmap:port member ("3003") for one.
        return head.IndexOfAny(new[] { '.', ':' }) >= 0 && IPAddress.TryParse(head, out var address) ? address + (comma < 0 ? "" : member.Substring(comma)) : member;
    }
}
