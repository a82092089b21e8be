using System;
using System.Collections.Generic;
using IpvsTools.Ipvs;

namespace IpvsTools.Cluster;

/// <summary>addressType of an EndpointSlice.</summary>
public enum KubeAddressType
{
    /// <summary>IPv4 addresses.</summary>
    IPv4 = 0,

    /// <summary>IPv6 addresses.</summary>
    IPv6 = 1,

    /// <summary>Host names: never proxied.</summary>
    FQDN = 2,
}

/// <summary>One entry of an EndpointSlice's ports.</summary>
public sealed class KubeEndpointPort
{
    /// <summary>A port; <paramref name="name"/> null when the object left it out (kube-proxy ignores such ports).</summary>
    public KubeEndpointPort(string? name, IpvsProtocol protocol, int? port)
    {
        Name = name;
        Protocol = protocol;
        Port = port;
    }

    /// <summary>The name matching a Service port's name ("" for the unnamed port); null when absent.</summary>
    public string? Name { get; }

    /// <summary>TCP, UDP or SCTP.</summary>
    public IpvsProtocol Protocol { get; }

    /// <summary>The endpoint's port; null when absent (kube-proxy ignores such ports).</summary>
    public int? Port { get; }

    /// <summary>"dns 53/UDP".</summary>
    public override string ToString() => (string.IsNullOrEmpty(Name) ? "" : Name + " ") + Port + "/" + IpvsServiceKey.ProtocolName(Protocol);
}

/// <summary>One entry of an EndpointSlice's endpoints.</summary>
public sealed class KubeEndpoint
{
    private static readonly IReadOnlyList<string> None = Array.Empty<string>();

    /// <summary>addresses as written (kube-proxy uses the first).</summary>
    public IReadOnlyList<string> Addresses { get; init; } = None;

    /// <summary>conditions.ready; null when absent, which counts as ready.</summary>
    public bool? Ready { get; init; }

    /// <summary>conditions.serving; null when absent, which counts as serving.</summary>
    public bool? Serving { get; init; }

    /// <summary>conditions.terminating; null when absent, which counts as not terminating.</summary>
    public bool? Terminating { get; init; }

    /// <summary>nodeName: the node the endpoint runs on; decides locality.</summary>
    public string? NodeName { get; init; }

    /// <summary>zone.</summary>
    public string? Zone { get; init; }

    /// <summary>hints.forZones[].name.</summary>
    public IReadOnlyList<string> ZoneHints { get; init; } = None;

    /// <summary>hints.forNodes[].name.</summary>
    public IReadOnlyList<string> NodeHints { get; init; } = None;

    /// <summary>Ready, counting a missing condition as ready.</summary>
    public bool IsReady => Ready ?? true;

    /// <summary>Serving, counting a missing condition as serving.</summary>
    public bool IsServing => Serving ?? true;

    /// <summary>Terminating, counting a missing condition as not terminating.</summary>
    public bool IsTerminating => Terminating ?? false;

    /// <summary>The first address.</summary>
    public override string ToString() => Addresses.Count > 0 ? Addresses[0] : "";
}

/// <summary>An EndpointSlice: the endpoints of one Service in one address family.</summary>
public sealed class KubeEndpointSlice
{
    /// <summary>The label naming the Service a slice belongs to.</summary>
    public const string ServiceNameLabel = "kubernetes.io/service-name";

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>metadata.namespace.</summary>
    public string Namespace { get; init; } = "default";

    /// <summary>metadata.name.</summary>
    public string Name { get; init; } = "";

    /// <summary>metadata.labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = NoLabels;

    /// <summary>addressType.</summary>
    public KubeAddressType AddressType { get; init; }

    /// <summary>endpoints.</summary>
    public IReadOnlyList<KubeEndpoint> Endpoints { get; init; } = Array.Empty<KubeEndpoint>();

    /// <summary>ports.</summary>
    public IReadOnlyList<KubeEndpointPort> Ports { get; init; } = Array.Empty<KubeEndpointPort>();

    /// <summary>The Service this slice belongs to (label kubernetes.io/service-name), or null.</summary>
    public string? ServiceName => Labels.TryGetValue(ServiceNameLabel, out var v) ? v : null;

    /// <summary>"namespace/name".</summary>
    public override string ToString() => Namespace + "/" + Name;
}
