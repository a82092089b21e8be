using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace IpvsTools.KubeProxy;

/// <summary>
/// The node-side settings kube-proxy's IPVS mode builds its state with (its flags and configuration),
/// plus the node facts it reads from the kernel. Build it with an object initializer.
/// </summary>
public sealed record KubeProxyOptions
{
    /// <summary>--ipvs-scheduler: rr unless told (mh adds the mh-port flag, as kube-proxy does).</summary>
    public string Scheduler { get; init; } = "rr";

    /// <summary>--hostname-override: the node whose endpoints are local (EndpointSlice nodeName), and whose Node object gives the zone.</summary>
    public string? NodeName { get; init; }

    /// <summary>
    /// Every address on the node's interfaces other than kube-ipvs0 (what kube-proxy lists from the
    /// kernel). Loopback and IPv6 link-local addresses are left out, as kube-proxy leaves them out. These
    /// are the NodePort addresses, and ExternalIPs / load-balancer IPs among them are not put on kube-ipvs0.
    /// </summary>
    public IReadOnlyList<IPAddress> NodeAddresses { get; init; } = Array.Empty<IPAddress>();

    /// <summary>--nodeport-addresses: only node addresses in these prefixes carry NodePorts; empty for all.</summary>
    public IReadOnlyList<IpNetwork> NodePortAddresses { get; init; } = Array.Empty<IpNetwork>();

    /// <summary>
    /// nodePortAddresses' keyword 'primary': the node IPs (<see cref="NodeIPs"/>, else the Node object's) as
    /// /32 or /128 CIDRs, added to <see cref="NodePortAddresses"/>.
    /// </summary>
    public bool NodePortAddressesPrimary { get; init; }

    /// <summary>
    /// Every address on every interface, kube-ipvs0's and loopback included (what kube-proxy's
    /// NodePortAddresses.GetNodeIPs matches --nodeport-addresses CIDRs against, loopback then dropped).
    /// Empty: <see cref="NodeAddresses"/>.
    /// </summary>
    public IReadOnlyList<IPAddress> InterfaceAddresses { get; init; } = Array.Empty<IPAddress>();

    /// <summary>
    /// The node's primary IPs (kube-proxy's node IP, one per family; used to let the node itself reach
    /// a load balancer whose source ranges include it). Empty: the Node object's InternalIP, then
    /// ExternalIP, then loopback, as kube-proxy falls back.
    /// </summary>
    public IReadOnlyList<IPAddress> NodeIPs { get; init; } = Array.Empty<IPAddress>();

    /// <summary>
    /// The families the node proxies (one kube-proxy proxier each). Null: the families of the node's
    /// addresses, else those of the Services' cluster IPs.
    /// </summary>
    public IReadOnlyList<AddressFamily>? IPFamilies { get; init; }

    /// <summary>--masquerade-all (for the iptables rules).</summary>
    public bool MasqueradeAll { get; init; }

    /// <summary>--cluster-cidr (for the iptables rules, with <see cref="DetectLocalMode"/> ClusterCIDR).</summary>
    public IReadOnlyList<IpNetwork> ClusterCidrs { get; init; } = Array.Empty<IpNetwork>();

    /// <summary>--detect-local-mode: how the rule that masquerades off-cluster traffic to ClusterIPs tells pod traffic.</summary>
    public KubeLocalMode DetectLocalMode { get; init; } = KubeLocalMode.ClusterCIDR;

    /// <summary>--pod-bridge-interface (detectLocal.bridgeInterface), for DetectLocalMode BridgeInterface.</summary>
    public string? BridgeInterface { get; init; }

    /// <summary>--pod-interface-name-prefix (detectLocal.interfaceNamePrefix), for DetectLocalMode InterfaceNamePrefix.</summary>
    public string? InterfaceNamePrefix { get; init; }

    /// <summary>--iptables-masquerade-bit: the mark bit of packets to masquerade (14: mark 0x4000).</summary>
    public int MasqueradeBit { get; init; } = 14;

    /// <summary>Whether iptables has MASQUERADE --random-fully (1.6.2 and later: every current distribution).</summary>
    public bool RandomFully { get; init; } = true;

    /// <summary>--ipvs-exclude-cidrs: virtual servers at these addresses are never the cluster's.</summary>
    public IReadOnlyList<IpNetwork> ExcludeCidrs { get; init; } = Array.Empty<IpNetwork>();

    /// <summary>--service-node-port-range of the API server: node-address virtual servers on these ports are the cluster's.</summary>
    public int NodePortRangeFirst { get; init; } = 30000;

    /// <summary>The last port of the NodePort range.</summary>
    public int NodePortRangeLast { get; init; } = 32767;
}
