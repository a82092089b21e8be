using System.Collections.Generic;
using k8s.Models;
using IpvsTools.Cluster;

namespace IpvsTools.Kube;

/// <summary>
/// What <see cref="JsonKubeFields"/> keeps of one object of a JSON snapshot before its kind is certain (in
/// kubectl's JSON an EndpointSlice's 'kind' comes after its endpoints): the fields a Service, an
/// EndpointSlice or a Node needs, as KubernetesClient's model types, so that <see cref="KubeObjectMapper"/>
/// maps them.
/// </summary>
internal sealed class JsonKubeObject
{
    /// <summary>kind (a string), or null when absent.</summary>
    public string? Kind { get; set; }

    /// <summary>metadata: name, namespace and labels only.</summary>
    public V1ObjectMeta? Metadata { get; set; }

    /// <summary>A Service's spec: the fields the proxy reads.</summary>
    public V1ServiceSpec? Spec { get; set; }

    /// <summary>A Service's status: its load-balancer ingresses.</summary>
    public V1ServiceStatus? ServiceStatus { get; set; }

    /// <summary>A Node's status.addresses.</summary>
    public IList<V1NodeAddress>? NodeAddresses { get; set; }

    /// <summary>A Node's spec: podCIDR and podCIDRs.</summary>
    public V1NodeSpec? NodeSpec { get; set; }

    /// <summary>An EndpointSlice's addressType.</summary>
    public string? AddressType { get; set; }

    /// <summary>An EndpointSlice's endpoints, already the cluster's (their mapping refuses nothing).</summary>
    public List<KubeEndpoint>? Endpoints { get; set; }

    /// <summary>An EndpointSlice's ports as written, mapped with the slice (an object's kind may come after them).</summary>
    public List<JsonSlicePort>? Ports { get; set; }

    public V1Service ToService() => new() { Kind = Kind, Metadata = Metadata, Spec = Spec, Status = ServiceStatus };

    /// <summary>The EndpointSlice by <see cref="KubeObjectMapper"/>'s rules, in the order the YAML path applies them.</summary>
    public KubeEndpointSlice MapEndpointSlice()
    {
        var addressType = KubeObjectMapper.AddressType(AddressType);
        var ports = new List<KubeEndpointPort>(Ports?.Count ?? 0);
        foreach (var p in Ports ?? [])
            ports.Add(KubeObjectMapper.EndpointPort(p.Name, p.Protocol, p.Port, p.Index));
        return KubeObjectMapper.EndpointSlice(Metadata?.NamespaceProperty, Metadata?.Name, Metadata?.Labels, addressType, Endpoints ?? [], ports);
    }

    public V1Node ToNode() => new() { Kind = Kind, Metadata = Metadata, Spec = NodeSpec, Status = NodeAddresses is null ? null : new V1NodeStatus { Addresses = NodeAddresses } };
}
