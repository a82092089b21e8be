using System;
using System.Collections.Generic;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.Cluster;

/// <summary>spec.type of a Service.</summary>
public enum KubeServiceType
{
    /// <summary>Reachable on its cluster IPs only (and on externalIPs when it has any).</summary>
    ClusterIP = 0,

    /// <summary>ClusterIP plus a port on every node address.</summary>
    NodePort = 1,

    /// <summary>NodePort plus load-balancer ingress addresses.</summary>
    LoadBalancer = 2,

    /// <summary>A DNS alias: no proxying at all.</summary>
    ExternalName = 3,
}

/// <summary>spec.internalTrafficPolicy / spec.externalTrafficPolicy.</summary>
public enum KubeTrafficPolicy
{
    /// <summary>Any ready endpoint in the cluster.</summary>
    Cluster = 0,

    /// <summary>Endpoints on this node only.</summary>
    Local = 1,
}

/// <summary>spec.sessionAffinity.</summary>
public enum KubeSessionAffinity
{
    /// <summary>No stickiness.</summary>
    None = 0,

    /// <summary>A client address sticks to one endpoint (IPVS persistence).</summary>
    ClientIP = 1,
}

/// <summary>One entry of spec.ports.</summary>
public sealed class KubeServicePort
{
    /// <summary>A port; <paramref name="name"/> is "" for the single unnamed port.</summary>
    public KubeServicePort(string name, IpvsProtocol protocol, int port, int nodePort = 0, string? targetPort = null)
    {
        Name = name ?? "";
        Protocol = protocol;
        Port = port;
        NodePort = nodePort;
        TargetPort = targetPort;
    }

    /// <summary>The port's name ("" when unnamed); endpoint ports are matched to it by name.</summary>
    public string Name { get; }

    /// <summary>TCP, UDP or SCTP.</summary>
    public IpvsProtocol Protocol { get; }

    /// <summary>The service port on the cluster IPs, external IPs and load-balancer addresses.</summary>
    public int Port { get; }

    /// <summary>The port on every node address; 0 when none.</summary>
    public int NodePort { get; }

    /// <summary>targetPort as written (a number or a container port name); null when omitted.</summary>
    public string? TargetPort { get; }

    /// <summary>"dns-tcp 53/TCP".</summary>
    public override string ToString() => (Name.Length > 0 ? Name + " " : "") + Port + "/" + IpvsServiceKey.ProtocolName(Protocol);
}

/// <summary>One entry of status.loadBalancer.ingress.</summary>
public sealed class KubeLoadBalancerIngress
{
    /// <summary>An ingress point.</summary>
    public KubeLoadBalancerIngress(IPAddress? ip, string? hostname = null, string? ipMode = null)
    {
        IP = ip;
        Hostname = hostname;
        IPMode = ipMode;
    }

    /// <summary>The ingress address; null for a hostname-only ingress (not programmed).</summary>
    public IPAddress? IP { get; }

    /// <summary>The ingress host name, if the load balancer gave one.</summary>
    public string? Hostname { get; }

    /// <summary>"VIP", "Proxy", or null (which means VIP). Proxy ingresses are not programmed on nodes.</summary>
    public string? IPMode { get; }

    /// <summary>True when kube-proxy programs this ingress: it has an IP and its ipMode is not Proxy.</summary>
    public bool IsVip => IP is not null && (IPMode is null || string.Equals(IPMode, "VIP", StringComparison.Ordinal));

    /// <summary>The address, or the host name.</summary>
    public override string ToString() => IP?.ToString() ?? Hostname ?? "";
}

/// <summary>
/// A Service as the node's proxy needs it: the parts of spec and status kube-proxy reads. Build it with
/// an object initializer; it does not change afterwards.
/// </summary>
public sealed class KubeService
{
    /// <summary>The label that hands a Service to another proxy; kube-proxy skips Services carrying it.</summary>
    public const string ServiceProxyNameLabel = "service.kubernetes.io/service-proxy-name";

    /// <summary>The label the control plane puts on headless Services' objects.</summary>
    public const string HeadlessLabel = "service.kubernetes.io/headless";

    /// <summary>The default of sessionAffinityConfig.clientIP.timeoutSeconds (3 hours).</summary>
    public const int DefaultStickySeconds = 10800;

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>metadata.namespace.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>metadata.name.</summary>
    public string Name { get; init; } = "";

    /// <summary>metadata.labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = NoLabels;

    /// <summary>spec.type.</summary>
    public KubeServiceType Type { get; init; } = KubeServiceType.ClusterIP;

    /// <summary>
    /// spec.clusterIPs (spec.clusterIP first); empty for a headless Service (clusterIP None) and for
    /// ExternalName.
    /// </summary>
    public IReadOnlyList<IPAddress> ClusterIPs { get; init; } = Array.Empty<IPAddress>();

    /// <summary>True when spec.clusterIP is "None".</summary>
    public bool IsHeadless { get; init; }

    /// <summary>spec.ipFamilies as written ("IPv4", "IPv6").</summary>
    public IReadOnlyList<string> IPFamilies { get; init; } = Array.Empty<string>();

    /// <summary>spec.ports.</summary>
    public IReadOnlyList<KubeServicePort> Ports { get; init; } = Array.Empty<KubeServicePort>();

    /// <summary>spec.externalIPs (unparseable entries dropped, as kube-proxy drops them).</summary>
    public IReadOnlyList<IPAddress> ExternalIPs { get; init; } = Array.Empty<IPAddress>();

    /// <summary>status.loadBalancer.ingress.</summary>
    public IReadOnlyList<KubeLoadBalancerIngress> LoadBalancerIngress { get; init; } = Array.Empty<KubeLoadBalancerIngress>();

    /// <summary>spec.loadBalancerSourceRanges as CIDRs ("10.0.0.0/8").</summary>
    public IReadOnlyList<IpNetwork> LoadBalancerSourceRanges { get; init; } = Array.Empty<IpNetwork>();

    /// <summary>spec.sessionAffinity.</summary>
    public KubeSessionAffinity SessionAffinity { get; init; }

    /// <summary>sessionAffinityConfig.clientIP.timeoutSeconds (10800 when not given).</summary>
    public int SessionAffinityTimeoutSeconds { get; init; } = DefaultStickySeconds;

    /// <summary>spec.internalTrafficPolicy (Cluster when not given).</summary>
    public KubeTrafficPolicy InternalTrafficPolicy { get; init; }

    /// <summary>spec.externalTrafficPolicy (Cluster when not given).</summary>
    public KubeTrafficPolicy ExternalTrafficPolicy { get; init; }

    /// <summary>spec.healthCheckNodePort; 0 when none.</summary>
    public int HealthCheckNodePort { get; init; }

    /// <summary>spec.trafficDistribution ("PreferClose", "PreferSameZone", "PreferSameNode"), or null.</summary>
    public string? TrafficDistribution { get; init; }

    /// <summary>spec.externalName of an ExternalName Service.</summary>
    public string? ExternalName { get; init; }

    /// <summary>The value of service.kubernetes.io/service-proxy-name, or null.</summary>
    public string? ServiceProxyName => Labels.TryGetValue(ServiceProxyNameLabel, out var v) ? v : null;

    /// <summary>Reachable from outside the cluster: NodePort, LoadBalancer, or ClusterIP with externalIPs.</summary>
    public bool IsExternallyAccessible => Type is KubeServiceType.NodePort or KubeServiceType.LoadBalancer
        || (Type == KubeServiceType.ClusterIP && ExternalIPs.Count > 0);

    /// <summary>externalTrafficPolicy Local on an externally accessible Service.</summary>
    public bool ExternalPolicyLocal => IsExternallyAccessible && ExternalTrafficPolicy == KubeTrafficPolicy.Local;

    /// <summary>internalTrafficPolicy Local.</summary>
    public bool InternalPolicyLocal => InternalTrafficPolicy == KubeTrafficPolicy.Local;

    /// <summary>"namespace/name".</summary>
    public override string ToString() => Namespace + "/" + Name;
}
