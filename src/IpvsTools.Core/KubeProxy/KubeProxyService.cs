using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy;

/// <summary>
/// One Service front end kube-proxy programmed on a node, read from its data plane in any mode: one object per
/// (IP family, protocol, address, port). The rules for a front end that are one in effect (the localhost and
/// node-address NodePort rules, a service-ips entry and a no-endpoint-services entry) make one object.
/// </summary>
/// <remarks>
/// Conventions, so that the modes compare by value:
/// a NodePort front end in iptables or nftables mode has no single address: <see cref="Address"/> is 0.0.0.0 (or ::)
/// and stands for whatever node addresses the rules accept; <see cref="Endpoints"/> are where traffic from an
/// external client ends up (for a ClusterIP the internal-policy endpoints; for NodePort, ExternalIP and LoadBalancer
/// all endpoints under Cluster policy and only the node's local ones under Local); a front end kube-proxy rejects or
/// drops (no endpoints, or Local policy with no local endpoint) has no endpoints.
/// </remarks>
public sealed class KubeProxyService
{
    public KubeProxyService(KubeProxyMode mode, IpvsProtocol protocol, IPAddress address, ushort port, KubeProxyServiceKind kind,
        string? service, string portName, IReadOnlyList<KubeProxyEndpoint>? endpoints, TimeSpan? affinity, string? networkNamespace = null)
    {
        Mode = mode;
        Protocol = protocol;
        Address = address ?? throw new ArgumentNullException(nameof(address));
        Port = port;
        Kind = kind;
        Service = service;
        PortName = portName ?? "";
        Endpoints = endpoints ?? Array.Empty<KubeProxyEndpoint>();
        Affinity = affinity;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>The mode the front end was read from.</summary>
    public KubeProxyMode Mode { get; }

    public IpvsProtocol Protocol { get; }

    /// <summary>The front end's address; 0.0.0.0 or :: for a node port in iptables and nftables mode.</summary>
    public IPAddress Address { get; }

    public AddressFamily AddressFamily => Address.AddressFamily;

    /// <summary>The Service port, or the node port for <see cref="KubeProxyServiceKind.NodePort"/>.</summary>
    public ushort Port { get; }

    public KubeProxyServiceKind Kind { get; }

    /// <summary>'namespace/name'; null when the data plane does not name it (IPVS mode without a cluster source).</summary>
    public string? Service { get; }

    /// <summary>The Service port's name; '' when unnamed.</summary>
    public string PortName { get; }

    /// <summary>Where an external client's traffic ends up; empty when the front end is rejected or dropped.</summary>
    public IReadOnlyList<KubeProxyEndpoint> Endpoints { get; }

    /// <summary>The ClientIP session affinity timeout; null without affinity.</summary>
    public TimeSpan? Affinity { get; }

    public string? NetworkNamespace { get; }

    /// <summary>True when kube-proxy rejects or drops traffic to this front end.</summary>
    public bool IsRejected => Endpoints.Count == 0;

    /// <summary><c>TCP 172.30.0.41:80</c>, or <c>TCP [fd00::1]:80</c>.</summary>
    public string FrontEnd
        => Protocol.ToString().ToUpperInvariant() + " " + (AddressFamily == AddressFamily.InterNetworkV6 ? "[" + Address + "]" : Address.ToString()) + ":" + Port;

    /// <summary><c>TCP 172.30.0.41:80 ClusterIP ns1/svc1:p80</c>.</summary>
    public override string ToString()
        => FrontEnd + " " + Kind + " " + (Service ?? "?") + (PortName.Length > 0 ? ":" + PortName : "");
}
