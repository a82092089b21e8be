using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Sync;

namespace IpvsTools.Diagnostics;

/// <summary>
/// What to test: a virtual service key and, when it came from a cluster source, the Service port it
/// serves, the real servers its EndpointSlices give and the set members kube-proxy would write for it.
/// </summary>
public sealed class ReachabilityTarget
{
    public ReachabilityTarget(IpvsServiceKey key, string? service = null, KubeVirtualServer? expected = null,
        IReadOnlyList<(string Set, string Member)>? expectedMembers = null)
    {
        Key = key ?? throw new ArgumentNullException(nameof(key));
        if (key.IsFirewallMark || key.Address is null) throw new IpvsToolsException($"{key.DisplayName} is a firewall-mark service: it has no address to probe.", FailureKind.InvalidArgument);
        Service = service;
        Expected = expected;
        ExpectedMembers = expectedMembers;
    }

    public IpvsServiceKey Key { get; }
    public IPAddress Address => Key.Address!;
    public string? Service { get; }

    /// <summary>The virtual server kube-proxy would program for the cluster source; null without one.</summary>
    public KubeVirtualServer? Expected { get; }

    /// <summary>The (set, member) pairs kube-proxy would write for it; null without a cluster source.</summary>
    public IReadOnlyList<(string Set, string Member)>? ExpectedMembers { get; }

    /// <summary>
    /// The targets of a Service ("namespace/name"): each virtual server kube-proxy would program for it
    /// (ClusterIPs, external and load-balancer IPs, NodePorts on the node's addresses), with its
    /// EndpointSlices' real servers and its set members. Empty when the desired state has none.
    /// </summary>
    public static IReadOnlyList<ReachabilityTarget> ForService(KubeDesiredState desired, string service)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(service);
        var targets = new List<ReachabilityTarget>();
        foreach (var v in desired.VirtualServers)
        {
            if (v.ServicePort != service && !v.ServicePort.StartsWith(service + ":", StringComparison.Ordinal)) continue;
            targets.Add(new ReachabilityTarget(v.Key, v.ServicePort, v, MembersFor(desired, v)));
        }
        return targets;
    }

    private static List<(string, string)> MembersFor(KubeDesiredState desired, KubeVirtualServer v)
    {
        var key = v.Key;
        var ipPort = KubeIpsetMember.IPPortText(key.Address!, key.Protocol, key.Port);
        var loopBack = v.Destinations.Select(d => KubeIpsetMember.IPPortIPText(d.Address, key.Protocol, d.Port, d.Address)).ToHashSet(StringComparer.Ordinal);
        var port = KubeIpsetMember.PortText(key.Port);
        var found = new List<(string, string)>();
        foreach (var spec in desired.Ipsets)
        {
            if (spec.AddressFamily != key.AddressFamily && spec.Family is not null) continue;
            var definition = KubeIpsetDefinition.All.FirstOrDefault(d => KubeIpsetDefinition.NameFor(d.Name, spec.AddressFamily) == spec.Name);
            if (definition is null) continue;
            foreach (var member in spec.Members)
            {
                var related = definition.MemberKind switch
                {
                    KubeIpsetMemberKind.VirtualServer => member == ipPort,
                    KubeIpsetMemberKind.VirtualServerAndSource => member.StartsWith(ipPort + ",", StringComparison.Ordinal),
                    KubeIpsetMemberKind.Endpoint => loopBack.Contains(member),
                    KubeIpsetMemberKind.NodePort => v.Role == KubeAddressRole.NodePort && definition.Protocol == key.Protocol && member == port
                        && spec.AddressFamily == key.AddressFamily,
                    KubeIpsetMemberKind.Address => member == key.Address!.ToString(),
                    _ => false,
                };
                if (related) found.Add((spec.Name, KubeIpvsPlanner.Canonical(spec.Type, member)));
            }
        }
        return found;
    }
}
