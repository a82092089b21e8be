using System.Collections.Generic;
using IpvsTools.Cluster;

namespace IpvsTools.Kube;

/// <summary>
/// What <see cref="JsonKubeFields"/> keeps of one object of a JSON snapshot before its kind is certain (in
/// kubectl's JSON an EndpointSlice's 'kind' comes after its endpoints): the fields a Service, an
/// EndpointSlice or a Node needs, as written (an EndpointSlice's endpoints already mapped: their rules refuse
/// nothing), so that <see cref="KubeObjectMapper"/>'s shared rules map them once the kind is known.
/// </summary>
internal sealed class JsonKubeObject
{
    /// <summary>kind (a string), or null when absent.</summary>
    public string? Kind { get; set; }

    /// <summary>metadata: name, namespace and labels only.</summary>
    public JsonKubeMeta? Metadata { get; set; }

    /// <summary>A Service's spec: the fields the proxy reads, as written.</summary>
    public KubeServiceSpecFields? Spec { get; set; }

    /// <summary>A Service's status.loadBalancer.ingress, as written (null: absent, or something above it null).</summary>
    public List<KubeIngressFields>? Ingress { get; set; }

    /// <summary>A Node's status.addresses.</summary>
    public List<KubeNodeAddress>? NodeAddresses { get; set; }

    /// <summary>A Node's spec.podCIDR.</summary>
    public string? NodePodCidr { get; set; }

    /// <summary>A Node's spec.podCIDRs.</summary>
    public List<string>? NodePodCidrs { get; set; }

    /// <summary>An EndpointSlice's addressType.</summary>
    public string? AddressType { get; set; }

    /// <summary>An EndpointSlice's endpoints, already the cluster's (their mapping refuses nothing).</summary>
    public List<KubeEndpoint>? Endpoints { get; set; }

    /// <summary>An EndpointSlice's ports as written, mapped with the slice (an object's kind may come after them).</summary>
    public List<JsonSlicePort>? Ports { get; set; }

    /// <summary>The Service by <see cref="KubeObjectMapper"/>'s rules.</summary>
    public KubeService MapService() => KubeObjectMapper.Service(Metadata?.Namespace, Metadata?.Name, Metadata?.Labels ?? KubeObjectMapper.NewLabels(), Spec, Ingress);

    /// <summary>The EndpointSlice by <see cref="KubeObjectMapper"/>'s rules, in the order the YAML path applies them.</summary>
    public KubeEndpointSlice MapEndpointSlice()
    {
        var addressType = KubeObjectMapper.AddressType(AddressType);
        var ports = new List<KubeEndpointPort>(Ports?.Count ?? 0);
        foreach (var p in Ports ?? [])
            ports.Add(KubeObjectMapper.EndpointPort(p.Name, p.Protocol, p.Port, p.Index));
        return KubeObjectMapper.EndpointSlice(Metadata?.Namespace, Metadata?.Name, Metadata?.Labels ?? KubeObjectMapper.NewLabels(), addressType, Endpoints ?? [], ports);
    }

    /// <summary>The Node by <see cref="KubeObjectMapper"/>'s rules.</summary>
    public KubeNode MapNode() => KubeObjectMapper.Node(Metadata?.Name, Metadata?.Labels ?? KubeObjectMapper.NewLabels(), NodeAddresses ?? [], NodePodCidr, NodePodCidrs);
}

/// <summary>What <see cref="JsonKubeFields"/> keeps of an object's metadata.</summary>
internal sealed class JsonKubeMeta
{
    public string? Name { get; set; }

    public string? Namespace { get; set; }

    /// <summary>metadata.labels, mapped already (<see cref="KubeObjectMapper.AddLabel"/>); null when absent or null.</summary>
    public Dictionary<string, string>? Labels { get; set; }
}
