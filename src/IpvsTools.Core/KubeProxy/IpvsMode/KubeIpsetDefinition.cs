using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>How the members of a kube-proxy set relate to IPVS virtual servers.</summary>
public enum KubeIpsetMemberKind
{
    /// <summary>IP,proto:port: the virtual server at that address, protocol and port.</summary>
    VirtualServer,
    /// <summary>IP,proto:port,IP2 or NET: the virtual server at IP, proto, port; the last part is a source.</summary>
    VirtualServerAndSource,
    /// <summary>EP,proto:port,EP: an endpoint; the virtual servers with that real server.</summary>
    Endpoint,
    /// <summary>A NodePort: the virtual servers of that protocol and port on the node's addresses.</summary>
    NodePort,
    /// <summary>A port kube-proxy's health-check HTTP server answers on; no virtual server.</summary>
    HealthCheckPort,
    /// <summary>An address on kube-ipvs0: every virtual server at that address.</summary>
    Address,
}

/// <summary>kube-proxy's catalog of its IPVS-mode sets (pkg/proxy/ipvs/ipset.go): an instance is one set (name, type, rule comment, purpose); the static members are every set, their names and the lookup by name.</summary>
public sealed record KubeIpsetDefinition(string Name, string Type, string Comment, KubeIpsetMemberKind MemberKind, IpvsProtocol? Protocol, string Description)
{
    public const string LoopBack = "KUBE-LOOP-BACK";
    public const string ClusterIP = "KUBE-CLUSTER-IP";
    public const string ExternalIP = "KUBE-EXTERNAL-IP";
    public const string ExternalIPLocal = "KUBE-EXTERNAL-IP-LOCAL";
    public const string LoadBalancer = "KUBE-LOAD-BALANCER";
    public const string LoadBalancerFirewall = "KUBE-LOAD-BALANCER-FW";
    public const string LoadBalancerLocal = "KUBE-LOAD-BALANCER-LOCAL";
    public const string LoadBalancerSourceIP = "KUBE-LOAD-BALANCER-SOURCE-IP";
    public const string LoadBalancerSourceCidr = "KUBE-LOAD-BALANCER-SOURCE-CIDR";
    public const string NodePortTcp = "KUBE-NODE-PORT-TCP";
    public const string NodePortLocalTcp = "KUBE-NODE-PORT-LOCAL-TCP";
    public const string NodePortUdp = "KUBE-NODE-PORT-UDP";
    public const string NodePortLocalUdp = "KUBE-NODE-PORT-LOCAL-UDP";
    public const string NodePortSctp = "KUBE-NODE-PORT-SCTP-HASH";
    public const string NodePortLocalSctp = "KUBE-NODE-PORT-LOCAL-SCTP-HASH";
    public const string HealthCheckNodePort = "KUBE-HEALTH-CHECK-NODE-PORT";
    public const string IpvsIPs = "KUBE-IPVS-IPS";

    /// <summary>The IPv6 set's name: KUBE- becomes KUBE-6-, cut at 31 characters as kube-proxy cuts it.</summary>
    public string Ipv6Name => Ipv6NameOf(Name);

    /// <summary>Every set kube-proxy creates (for each proxied family: the IPv6 proxier's under <see cref="Ipv6Name"/>).</summary>
    public static IReadOnlyList<KubeIpsetDefinition> All { get; } =
    [
        new("KUBE-CLUSTER-IP", "hash:ip,port",
            "Kubernetes service cluster ip + port for masquerade purpose", KubeIpsetMemberKind.VirtualServer, null,
            "Every Service's ClusterIP and port (kube-proxy: \"cluster ip + port for masquerade purpose\"). KUBE-SERVICES marks traffic to them for masquerade (unless it comes from the cluster CIDR, or always with masqueradeAll) and accepts it; KUBE-IPVS-FILTER lets it in."),
        new("KUBE-LOOP-BACK", "hash:ip,port,ip",
            "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose", KubeIpsetMemberKind.Endpoint, null,
            "Each endpoint on this node as endpoint IP, protocol:port, endpoint IP: KUBE-POSTROUTING masquerades a pod that reaches itself through its Service (hairpin), so the reply comes back through IPVS."),
        new("KUBE-EXTERNAL-IP", "hash:ip,port",
            "Kubernetes service external ip + port for masquerade and filter purpose", KubeIpsetMemberKind.VirtualServer, null,
            "Every Service's externalIPs with their ports (kube-proxy: \"for masquerade and filter purpose\"): traffic to them is masqueraded and accepted."),
        new("KUBE-EXTERNAL-IP-LOCAL", "hash:ip,port",
            "Kubernetes service external ip + port with externalTrafficPolicy=local", KubeIpsetMemberKind.VirtualServer, null,
            "The externalIPs and ports of Services with externalTrafficPolicy Local: accepted without masquerade, so endpoints see the client's address."),
        new("KUBE-LOAD-BALANCER", "hash:ip,port",
            "Kubernetes service lb portal", KubeIpsetMemberKind.VirtualServer, null,
            "Every LoadBalancer ingress IP and port (kube-proxy: \"lb portal\"): KUBE-SERVICES sends traffic to them to KUBE-LOAD-BALANCER, which masquerades it unless the Service is Local."),
        new("KUBE-LOAD-BALANCER-LOCAL", "hash:ip,port",
            "Kubernetes service load balancer ip + port with externalTrafficPolicy=local", KubeIpsetMemberKind.VirtualServer, null,
            "The load-balancer IPs and ports of Services with externalTrafficPolicy Local: KUBE-LOAD-BALANCER returns them without masquerade, keeping the client's address."),
        new("KUBE-LOAD-BALANCER-FW", "hash:ip,port",
            "Kubernetes service load balancer ip + port for load balancer with sourceRange", KubeIpsetMemberKind.VirtualServer, null,
            "The load-balancer IPs and ports of Services with loadBalancerSourceRanges: KUBE-PROXY-FIREWALL sends their traffic to KUBE-SOURCE-RANGES-FIREWALL, which drops every source not in KUBE-LOAD-BALANCER-SOURCE-CIDR or -SOURCE-IP."),
        new("KUBE-LOAD-BALANCER-SOURCE-IP", "hash:ip,port,ip",
            "Kubernetes service load balancer ip + port + source IP for packet filter purpose", KubeIpsetMemberKind.VirtualServerAndSource, null,
            "Load-balancer IP, protocol:port and a source IP let through the source-range firewall: kube-proxy adds the load-balancer IP itself when a source range covers the node, so traffic that loops back from the node's own endpoints passes."),
        new("KUBE-LOAD-BALANCER-SOURCE-CIDR", "hash:ip,port,net",
            "Kubernetes service load balancer ip + port + source cidr for packet filter purpose", KubeIpsetMemberKind.VirtualServerAndSource, null,
            "Load-balancer IP, protocol:port and each of the Service's loadBalancerSourceRanges: the sources the source-range firewall lets through."),
        new("KUBE-NODE-PORT-TCP", "bitmap:port",
            "Kubernetes nodeport TCP port for masquerade purpose", KubeIpsetMemberKind.NodePort, IpvsProtocol.Tcp,
            "Every TCP NodePort (kube-proxy: \"for masquerade purpose\"): KUBE-NODE-PORT marks traffic to these ports on local addresses for masquerade."),
        new("KUBE-NODE-PORT-LOCAL-TCP", "bitmap:port",
            "Kubernetes nodeport TCP port with externalTrafficPolicy=local", KubeIpsetMemberKind.NodePort, IpvsProtocol.Tcp,
            "The TCP NodePorts of Services with externalTrafficPolicy Local: KUBE-NODE-PORT returns them without masquerade, keeping the client's address."),
        new("KUBE-NODE-PORT-UDP", "bitmap:port",
            "Kubernetes nodeport UDP port for masquerade purpose", KubeIpsetMemberKind.NodePort, IpvsProtocol.Udp,
            "Every UDP NodePort: KUBE-NODE-PORT marks traffic to these ports on local addresses for masquerade."),
        new("KUBE-NODE-PORT-LOCAL-UDP", "bitmap:port",
            "Kubernetes nodeport UDP port with externalTrafficPolicy=local", KubeIpsetMemberKind.NodePort, IpvsProtocol.Udp,
            "The UDP NodePorts of Services with externalTrafficPolicy Local: returned without masquerade."),
        new("KUBE-NODE-PORT-SCTP-HASH", "hash:ip,port",
            "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'", KubeIpsetMemberKind.VirtualServer, null,
            "Every SCTP NodePort as node IP,sctp:port (a hash set: the kernel's set match cannot tell SCTP ports in a bitmap): marked for masquerade."),
        new("KUBE-NODE-PORT-LOCAL-SCTP-HASH", "hash:ip,port",
            "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'", KubeIpsetMemberKind.VirtualServer, null,
            "The SCTP NodePorts (node IP,sctp:port) of Services with externalTrafficPolicy Local: returned without masquerade."),
        new("KUBE-HEALTH-CHECK-NODE-PORT", "bitmap:port",
            "Kubernetes health check node port", KubeIpsetMemberKind.HealthCheckPort, IpvsProtocol.Tcp,
            "The healthCheckNodePorts of Services with externalTrafficPolicy Local: KUBE-NODE-PORT in the filter table accepts them; kube-proxy's own HTTP server answers there (no IPVS virtual server)."),
        new("KUBE-IPVS-IPS", "hash:ip",
            "Addresses on the ipvs interface", KubeIpsetMemberKind.Address, null,
            "Every address on kube-ipvs0 (kube-proxy: \"Addresses on the ipvs interface\"): KUBE-IPVS-FILTER rejects new connections to these addresses on ports that no Service uses."),
    ];

    /// <summary>KUBE-X becomes KUBE-6-X, cut at 31 characters (ipset's longest name), as kube-proxy names its IPv6 sets.</summary>
    public static string Ipv6NameOf(string name)
    {
        var v6 = name.StartsWith("KUBE-", StringComparison.Ordinal) ? "KUBE-6-" + name.Substring(5) : name;
        return v6.Length > IpsetNames.MaxLength ? v6.Substring(0, IpsetNames.MaxLength) : v6;
    }

    /// <summary>The definition a set name is (IPv4 or IPv6 name), with whether it is the IPv6 one; null when kube-proxy makes no such set.</summary>
    public static (KubeIpsetDefinition Definition, bool Ipv6)? Find(string name)
    {
        foreach (var set in All)
        {
            if (set.Name == name) return (set, false);
            if (set.Ipv6Name == name) return (set, true);
        }
        return null;
    }

    /// <summary>Every name kube-proxy uses, IPv4 then IPv6.</summary>
    public static IEnumerable<string> Names => All.Select(s => s.Name).Concat(All.Select(s => s.Ipv6Name));

    /// <summary>The set's name for a family: KUBE-X for IPv4; KUBE-6-X for IPv6, cut at 31 characters (<see cref="Ipv6NameOf"/>).</summary>
    public static string NameFor(string name, AddressFamily family)
        => family == AddressFamily.InterNetworkV6 ? Ipv6NameOf(name) : name;
}
