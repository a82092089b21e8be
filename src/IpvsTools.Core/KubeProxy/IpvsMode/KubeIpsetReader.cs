using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// Turns the kernel's sets into kube-proxy's sets, joining each member to the IPVS virtual servers it
/// belongs to. A pure function of what was read: the sets, and the IPVS services (null when there is no
/// IPVS table to read).
/// </summary>
public static class KubeIpsetReader
{
    /// <param name="sets">The kernel's sets; those that are not kube-proxy's are left out.</param>
    /// <param name="services">The IPVS services with their destinations; null when not read.</param>
    /// <param name="lookup">Why <paramref name="services"/> is null, or <see cref="KubeIpvsLookup.Read"/>.</param>
    /// <param name="networkNamespace">The namespace read, for the objects.</param>
    public static IReadOnlyList<KubeIpset> Read(IReadOnlyList<Ipset> sets, IReadOnlyList<IpvsService>? services, KubeIpvsLookup lookup,
        string? networkNamespace = null)
    {
        var index = new Index(services ?? [], sets);
        var result = new List<KubeIpset>();
        foreach (var set in sets)
        {
            if (KubeIpsetDefinition.Find(set.Name) is not { } known) continue;
            var (definition, ipv6) = known;
            var family = ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            var members = set.Members.Select(m => KubeIpsetMember.From(m, services is null ? null : index.For(definition, family, m))).ToList();
            result.Add(new KubeIpset(set.Name, set.Type, set.Family, ipv6, definition.Description, definition.MemberKind, set.References,
                set.EntryCount, members, lookup, networkNamespace ?? set.NetworkNamespace));
        }
        return result;
    }

    private sealed class Index
    {
        private readonly Dictionary<(IpvsProtocol, IPAddress, ushort), IpvsService> _byEndpoint = new();
        private readonly ILookup<(IpvsProtocol, ushort, AddressFamily), IpvsService> _byPort;
        private readonly ILookup<IPAddress, IpvsService> _byAddress;
        private readonly ILookup<(IpvsProtocol, IPAddress, ushort), IpvsService> _byDestination;
        private readonly HashSet<IPAddress> _ipvsAddresses;

        public Index(IReadOnlyList<IpvsService> services, IReadOnlyList<Ipset> sets)
        {
            var byAddress = services.Where(s => s.Address is not null).ToList();
            foreach (var s in byAddress) _byEndpoint.TryAdd((s.Protocol, s.Address!, s.Port), s);
            _byPort = byAddress.ToLookup(s => (s.Protocol, s.Port, s.AddressFamily));
            _byAddress = byAddress.ToLookup(s => s.Address!);
            _byDestination = byAddress.SelectMany(s => s.Destinations.Select(d => (Key: (s.Protocol, d.Address, d.Port), Service: s)))
                .ToLookup(x => x.Key, x => x.Service);
            // Addresses on kube-ipvs0 (ClusterIPs, external and load-balancer IPs) are not node addresses: NodePorts are not there.
            _ipvsAddresses = sets.Where(s => s.Name is "KUBE-IPVS-IPS" or "KUBE-6-IPVS-IPS")
                .SelectMany(s => s.Members).Where(m => m.Address is not null).Select(m => m.Address!).ToHashSet();
        }

        public IReadOnlyList<IpvsService> For(KubeIpsetDefinition definition, AddressFamily family, IpsetMember member)
        {
            var protocol = ProtocolOf(member.Protocol);
            switch (definition.MemberKind)
            {
                case KubeIpsetMemberKind.VirtualServer:
                case KubeIpsetMemberKind.VirtualServerAndSource:
                    return member.Address is not null && member.Port is { } port && _byEndpoint.TryGetValue((protocol, member.Address, port), out var service)
                        ? [service] : [];
                case KubeIpsetMemberKind.Endpoint:
                    return member.Address is not null && member.Port is { } endpointPort
                        ? _byDestination[(protocol, member.Address, endpointPort)].Distinct().ToList() : [];
                case KubeIpsetMemberKind.NodePort:
                    return member.Port is { } nodePort
                        ? _byPort[(definition.Protocol ?? IpvsProtocol.None, nodePort, family)].Where(s => !_ipvsAddresses.Contains(s.Address!)).ToList() : [];
                case KubeIpsetMemberKind.Address:
                    return member.Address is not null ? _byAddress[member.Address].ToList() : [];
                default:
                    return [];
            }
        }

        private static IpvsProtocol ProtocolOf(string? name) => name switch
        {
            "tcp" => IpvsProtocol.Tcp,
            "udp" => IpvsProtocol.Udp,
            "sctp" => IpvsProtocol.Sctp,
            _ => IpvsProtocol.None,
        };
    }
}
