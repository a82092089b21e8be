using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// kube-proxy's ipsets as the desired state needs them (pkg/proxy/ipvs/ipset.go): the names as constants,
/// the set list (from the shared catalog), and the member strings kube-proxy writes (protocol in lower case).
/// </summary>
internal static class KubeIpsets
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

    /// <summary>
    /// Every set kube-proxy creates for a family: (base name, type, comment), the names and types from
    /// <see cref="KubeIpsetCatalog"/>, the comments (used in the iptables rules) from <see cref="KubeProxyIptables.SetComments"/>.
    /// </summary>
    public static IReadOnlyList<(string Name, string Type, string Comment)> All { get; } =
        KubeIpsetCatalog.Sets.Select(s => (s.Name, s.Type, KubeProxyIptables.SetComments[s.Name])).ToArray();

    /// <summary>The set's name for a family: KUBE-X for IPv4; KUBE-6-X for IPv6, cut at 31 characters (<see cref="KubeIpsetCatalog.Ipv6NameOf"/>).</summary>
    public static string NameFor(string baseName, AddressFamily family)
        => family == AddressFamily.InterNetworkV6 ? KubeIpsetCatalog.Ipv6NameOf(baseName) : baseName;

    /// <summary>hash:ip,port member: "10.96.0.10,udp:53".</summary>
    public static string IPPort(IPAddress ip, IpvsProtocol protocol, int port)
        => ip + "," + ProtocolName(protocol) + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>hash:ip,port,ip member: "10.244.1.5,tcp:8080,10.244.1.5".</summary>
    public static string IPPortIP(IPAddress ip, IpvsProtocol protocol, int port, IPAddress ip2)
        => IPPort(ip, protocol, port) + "," + ip2;

    /// <summary>hash:ip,port,net member: "192.0.2.10,tcp:80,203.0.113.0/24".</summary>
    public static string IPPortNet(IPAddress ip, IpvsProtocol protocol, int port, IpNetwork net)
        => IPPort(ip, protocol, port) + "," + net;

    /// <summary>bitmap:port member: "30080".</summary>
    public static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>tcp, udp, sctp.</summary>
    public static string ProtocolName(IpvsProtocol protocol) => protocol switch
    {
        IpvsProtocol.Tcp => "tcp",
        IpvsProtocol.Udp => "udp",
        IpvsProtocol.Sctp => "sctp",
        _ => ((int)protocol).ToString(CultureInfo.InvariantCulture),
    };
}
