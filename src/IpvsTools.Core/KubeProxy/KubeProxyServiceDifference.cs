using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy;

/// <summary>How a front end on the node differs from what kube-proxy would program for the cluster.</summary>
public enum KubeProxyServiceDifferenceKind
{
    /// <summary>kube-proxy would program the front end; the node has none.</summary>
    Missing = 1,

    /// <summary>The node has a front end kube-proxy would not program (a Service deleted, or another program's rule).</summary>
    Unexpected = 2,

    /// <summary>The front end sends traffic to other endpoints than the cluster's EndpointSlices say.</summary>
    Endpoints = 3,

    /// <summary>The ClientIP session affinity differs.</summary>
    Affinity = 4,

    /// <summary>The address is another kind of front end (a ClusterIP where a load balancer's is expected...).</summary>
    Kind = 5,

    /// <summary>No difference (written only when asked for with -IncludeEqual).</summary>
    Equal = 6,
}

/// <summary>One difference between a front end on the node and the front end kube-proxy would program.</summary>
public sealed class KubeProxyServiceDifference
{
    public KubeProxyServiceDifference(KubeProxyMode mode, IpvsProtocol protocol, IPAddress address, ushort port, KubeProxyServiceKind kind,
        string? service, string portName, KubeProxyServiceDifferenceKind difference, string expected, string actual, string? networkNamespace)
    {
        Mode = mode;
        Protocol = protocol;
        Address = address;
        Port = port;
        Kind = kind;
        Service = service;
        PortName = portName ?? "";
        Difference = difference;
        Expected = expected ?? "";
        Actual = actual ?? "";
        NetworkNamespace = networkNamespace;
    }

    /// <summary>The mode the node was read and the expectation built in.</summary>
    public KubeProxyMode Mode { get; }

    public IpvsProtocol Protocol { get; }

    /// <summary>The front end's address (0.0.0.0 or :: for a node port in iptables and nftables mode).</summary>
    public IPAddress Address { get; }

    public ushort Port { get; }

    /// <summary>The expected kind (the node's when the front end is unexpected).</summary>
    public KubeProxyServiceKind Kind { get; }

    /// <summary>'namespace/name' of the Service the front end belongs to; null when neither side names one.</summary>
    public string? Service { get; }

    public string PortName { get; }

    /// <summary>What differs.</summary>
    public KubeProxyServiceDifferenceKind Difference { get; }

    /// <summary>What kube-proxy would program, as text ('' for an unexpected front end).</summary>
    public string Expected { get; }

    /// <summary>What the node holds, as text ('' for a missing front end).</summary>
    public string Actual { get; }

    public string? NetworkNamespace { get; }

    /// <summary><c>TCP 172.30.0.41:80</c>, or <c>TCP [fd00::1]:80</c>: the key the two sides are matched by.</summary>
    public string FrontEnd
        => Protocol.ToString().ToUpperInvariant() + " " + (Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "[" + Address + "]" : Address.ToString()) + ":" + Port;

    /// <summary>'ns/name:port' ('ns/name' for an unnamed port), or '' when no Service is known.</summary>
    public string ServicePort => Service is null ? "" : Service + (PortName.Length > 0 ? ":" + PortName : "");

    /// <summary><c>Endpoints TCP 172.30.0.41:80 ns1/svc1:p80: expected 10.180.0.1:80, actual (none)</c>.</summary>
    public override string ToString()
        => Difference + " " + FrontEnd + (Service is null ? "" : " " + ServicePort) + ": expected " + (Expected.Length == 0 ? "(nothing)" : Expected)
           + ", actual " + (Actual.Length == 0 ? "(nothing)" : Actual);
}
