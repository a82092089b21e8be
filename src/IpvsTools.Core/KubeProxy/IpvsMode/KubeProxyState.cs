using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// Builds the node state kube-proxy's IPVS mode programs for a cluster (pkg/proxy/ipvs/proxier.go
/// syncProxyRules, one proxier per family): virtual servers with their real servers, the kube-ipvs0
/// addresses, every KUBE-* ipset with its members, and the iptables rules. Pure: no kernel, no clock.
/// </summary>
public static class KubeProxyState
{
    /// <summary>The desired state of the node <paramref name="options"/> describes.</summary>
    public static KubeDesiredState Build(ClusterSnapshot snapshot, KubeProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Scheduler))
            throw new IpvsToolsException("A scheduler name is needed (rr, wrr, lc, wlc, sh, mh...).", FailureKind.InvalidArgument);

        var node = snapshot.FindNode(options.NodeName);
        var zone = node?.Zone;
        var families = Families(snapshot, options, node);
        var services = snapshot.Services.OrderBy(s => s.Namespace, StringComparer.Ordinal).ThenBy(s => s.Name, StringComparer.Ordinal).ToList();
        var slicesByService = snapshot.EndpointSlices
            .Where(s => s.ServiceName is not null)
            .GroupBy(s => (s.Namespace, s.ServiceName!))
            .ToDictionary(g => g.Key, g => (IReadOnlyList<KubeEndpointSlice>)g.OrderBy(s => s.Name, StringComparer.Ordinal).ToList());

        var skipped = new List<KubeSkippedService>();
        var proxied = new List<KubeService>();
        foreach (var s in services)
        {
            var reason = SkipReason(s, families);
            if (reason is null) proxied.Add(s);
            else skipped.Add(new KubeSkippedService(s, reason));
        }

        var servers = new Dictionary<IpvsServiceKey, KubeVirtualServer>();
        var bound = new HashSet<IPAddress>();
        var clusterAddresses = new HashSet<IPAddress>();
        var sets = new List<KubeDesiredIpset>();
        var iptables = new List<KubeIptablesRules>();
        foreach (var family in families)
        {
            var lbNoNodeAccess = new List<(IPAddress, IpvsProtocol, int)>();
            var members = KubeIpsetDefinition.All.ToDictionary(s => s.Name, _ => new HashSet<string>(StringComparer.Ordinal));
            var nodeAddressSet = options.NodeAddresses.Where(a => KubeNodePortAddresses.ValidForSet(a, family)).Distinct().ToList();
            // --nodeport-addresses: only this family's CIDRs count; none of them, or a zero CIDR, means every address.
            var nodeIPs = NodeIPs(options, node, family);
            var nodePortIPs = KubeNodePortAddresses.NodeIPs(options, family, nodeAddressSet, node);
            var flagsBase = options.Scheduler == "mh" ? IpvsConstants.SvcFlagSched2 : 0u;
            foreach (var svc in proxied)
            {
                var clusterIP = svc.ClusterIPs.FirstOrDefault(ip => ip.AddressFamily == family);
                if (clusterIP is null) continue; // not this family's Service
                var slices = slicesByService.TryGetValue((svc.Namespace, svc.Name), out var found) ? found : Array.Empty<KubeEndpointSlice>();
                var flags = flagsBase | (svc.SessionAffinity == KubeSessionAffinity.ClientIP ? IpvsConstants.SvcFlagPersistent : 0u);
                var timeout = svc.SessionAffinity == KubeSessionAffinity.ClientIP ? (uint)svc.SessionAffinityTimeoutSeconds : 0u;
                var externalIPs = svc.ExternalIPs.Where(ip => ip.AddressFamily == family).ToList();
                var lbIPs = svc.LoadBalancerIngress.Where(i => i.IsVip && i.IP!.AddressFamily == family).Select(i => i.IP!).ToList();
                var sourceRanges = svc.LoadBalancerSourceRanges.Where(n => n.AddressFamily == family).ToList();
                clusterAddresses.Add(clusterIP);
                clusterAddresses.UnionWith(externalIPs);
                clusterAddresses.UnionWith(lbIPs);

                foreach (var port in svc.Ports)
                {
                    var proto = port.Protocol;
                    var name = svc.Namespace + "/" + svc.Name + (port.Name.Length > 0 ? ":" + port.Name : "");
                    var endpoints = KubeEndpointSelection.EndpointsOf(port, slices, family, options.NodeName);
                    var (cluster, local, _) = KubeEndpointSelection.Categorize(endpoints, svc, options.NodeName, zone);
                    IReadOnlyList<KubeRealServer> Select(bool onlyLocal)
                        => Real(onlyLocal && local.Count > 0 ? local : cluster); // IPVS mode: no local endpoint -> all (kubernetes#97081)
                    void Add(IPAddress address, int vport, KubeAddressRole role, bool onlyLocal)
                    {
                        var key = IpvsServiceKey.ForAddress(proto, address, (ushort)vport);
                        if (!servers.ContainsKey(key)) servers[key] = new KubeVirtualServer(key, options.Scheduler, flags, timeout, role, name, Select(onlyLocal));
                    }

                    foreach (var e in endpoints)
                    {
                        if (e.IsLocal) members[KubeIpsetDefinition.LoopBack].Add(KubeIpsetMember.IPPortIPText(e.Address, proto, e.Port, e.Address));
                    }

                    members[KubeIpsetDefinition.ClusterIP].Add(KubeIpsetMember.IPPortText(clusterIP, proto, port.Port));
                    Add(clusterIP, port.Port, KubeAddressRole.ClusterIP, svc.InternalPolicyLocal);
                    bound.Add(clusterIP);

                    foreach (var ip in externalIPs)
                    {
                        members[svc.ExternalPolicyLocal ? KubeIpsetDefinition.ExternalIPLocal : KubeIpsetDefinition.ExternalIP].Add(KubeIpsetMember.IPPortText(ip, proto, port.Port));
                        Add(ip, port.Port, KubeAddressRole.ExternalIP, svc.ExternalPolicyLocal);
                        if (!nodeAddressSet.Contains(ip)) bound.Add(ip);
                    }

                    foreach (var ip in lbIPs)
                    {
                        var entry = KubeIpsetMember.IPPortText(ip, proto, port.Port);
                        members[KubeIpsetDefinition.LoadBalancer].Add(entry);
                        if (svc.ExternalPolicyLocal) members[KubeIpsetDefinition.LoadBalancerLocal].Add(entry);
                        if (sourceRanges.Count > 0)
                        {
                            members[KubeIpsetDefinition.LoadBalancerFirewall].Add(entry);
                            var allowFromNode = false;
                            foreach (var cidr in sourceRanges)
                            {
                                members[KubeIpsetDefinition.LoadBalancerSourceCidr].Add(KubeIpsetMember.IPPortNetText(ip, proto, port.Port, cidr));
                                if (nodeIPs.Any(cidr.Contains)) allowFromNode = true;
                            }
                            if (allowFromNode) members[KubeIpsetDefinition.LoadBalancerSourceIP].Add(KubeIpsetMember.IPPortIPText(ip, proto, port.Port, ip));
                            else lbNoNodeAccess.Add((ip, proto, port.Port)); // the node may not reach it: KUBE-IPVS-OUT-FILTER
                        }
                        Add(ip, port.Port, KubeAddressRole.LoadBalancer, svc.ExternalPolicyLocal);
                        if (!nodeAddressSet.Contains(ip)) bound.Add(ip);
                    }

                    if (port.NodePort != 0)
                    {
                        // kube-proxy skips the rest of the port (health check included) without node addresses.
                        if (nodePortIPs.Count == 0) continue;
                        var (set, localSet) = proto switch
                        {
                            IpvsProtocol.Tcp => (KubeIpsetDefinition.NodePortTcp, KubeIpsetDefinition.NodePortLocalTcp),
                            IpvsProtocol.Udp => (KubeIpsetDefinition.NodePortUdp, KubeIpsetDefinition.NodePortLocalUdp),
                            _ => (KubeIpsetDefinition.NodePortSctp, KubeIpsetDefinition.NodePortLocalSctp),
                        };
                        var entries = proto == IpvsProtocol.Sctp
                            ? nodePortIPs.Select(a => KubeIpsetMember.IPPortText(a, proto, port.NodePort)).ToList()
                            : new List<string> { KubeIpsetMember.PortText(port.NodePort) };
                        members[set].UnionWith(entries);
                        if (svc.ExternalPolicyLocal) members[localSet].UnionWith(entries);
                        foreach (var a in nodePortIPs) Add(a, port.NodePort, KubeAddressRole.NodePort, svc.ExternalPolicyLocal);
                    }

                    if (NeedsHealthCheck(svc) && svc.HealthCheckNodePort != 0)
                        members[KubeIpsetDefinition.HealthCheckNodePort].Add(KubeIpsetMember.PortText(svc.HealthCheckNodePort));
                }
            }
            foreach (var a in bound.Where(a => a.AddressFamily == family)) members[KubeIpsetDefinition.IpvsIPs].Add(a.ToString());
            var familySets = new List<KubeDesiredIpset>();
            foreach (var definition in KubeIpsetDefinition.All)
            {
                var sorted = members[definition.Name].ToList();
                sorted.Sort(StringComparer.Ordinal);
                familySets.Add(new KubeDesiredIpset(KubeIpsetDefinition.NameFor(definition.Name, family), definition.Type, family, definition.Comment, sorted));
            }
            sets.AddRange(familySets);
            iptables.Add(KubeIptablesRuleBuilder.Build(family, familySets, lbNoNodeAccess, options, node));
        }

        var ordered = IpvsadmOrder.Sort(servers.Values, (a, b) => IpvsadmOrder.CompareServices(a.Key, b.Key));
        return new KubeDesiredState(families, ordered, KubeNodePortAddresses.SortAddresses(bound), sets, skipped, KubeNodePortAddresses.SortAddresses(clusterAddresses), iptables)
        {
            Warnings = KubeSnapshotWarnings.For(proxied, slicesByService),
        };
    }

    /// <summary>Why kube-proxy does not program a Service; null when it does.</summary>
    internal static string? SkipReason(KubeService s, IReadOnlyList<AddressFamily> families)
    {
        if (s.ServiceProxyName is { } proxy) return $"labelled {KubeService.ServiceProxyNameLabel}={proxy}: another proxy handles it";
        if (s.Type == KubeServiceType.ExternalName) return "ExternalName: a DNS alias, nothing to proxy";
        if (s.IsHeadless || s.ClusterIPs.Count == 0) return "headless (clusterIP None): DNS returns the endpoints, nothing to proxy";
        if (!s.ClusterIPs.Any(ip => families.Contains(ip.AddressFamily))) return "no cluster IP of a family this node proxies";
        return null;
    }

    /// <summary>NeedsHealthCheck: a LoadBalancer with externalTrafficPolicy Local.</summary>
    private static bool NeedsHealthCheck(KubeService s) => s.Type == KubeServiceType.LoadBalancer && s.ExternalTrafficPolicy == KubeTrafficPolicy.Local;

    /// <summary>
    /// The node's IPs of the family, as kube-proxy takes its node IP: the given one (--bind-address), else
    /// the Node object's primary IP; without a Node object (a snapshot of Services and EndpointSlices only)
    /// the node's own addresses stand in for it, since the Node object's InternalIP is one of them; loopback last.
    /// </summary>
    internal static IReadOnlyList<IPAddress> NodeIPs(KubeProxyOptions options, KubeNode? node, AddressFamily family)
    {
        var given = options.NodeIPs.FirstOrDefault(a => a.AddressFamily == family)
                    ?? node?.HostIPs().FirstOrDefault(a => a.AddressFamily == family);
        if (given is not null) return [given];
        var own = options.NodeAddresses.Where(a => KubeNodePortAddresses.ValidForSet(a, family)).Distinct().ToList();
        if (own.Count > 0) return own;
        return [family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback];
    }

    internal static IReadOnlyList<AddressFamily> Families(ClusterSnapshot snapshot, KubeProxyOptions options, KubeNode? node)
    {
        IEnumerable<AddressFamily> found = options.IPFamilies
            ?? options.NodeAddresses.Concat(options.NodeIPs).Concat(node?.HostIPs() ?? Array.Empty<IPAddress>())
                .Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal).Select(a => a.AddressFamily).ToList();
        var list = found.Where(f => f is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6).Distinct().ToList();
        if (list.Count == 0) list = snapshot.Services.SelectMany(s => s.ClusterIPs).Select(a => a.AddressFamily).Distinct().ToList();
        if (list.Count == 0) list.Add(AddressFamily.InterNetwork);
        list.Sort((a, b) => a == b ? 0 : a == AddressFamily.InterNetwork ? -1 : 1);
        return list;
    }

    private static IReadOnlyList<KubeRealServer> Real(List<ProxyEndpoint> endpoints)
    {
        var result = endpoints.Select(e => new KubeRealServer(e.Address, (ushort)e.Port, e.IsLocal, !e.IsReady)).ToList();
        result.Sort((a, b) =>
        {
            var c = KubeNodePortAddresses.CompareAddresses(a.Address, b.Address);
            return c != 0 ? c : a.Port.CompareTo(b.Port);
        });
        return result;
    }
}
