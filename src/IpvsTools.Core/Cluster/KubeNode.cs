using System;
using System.Collections.Generic;
using System.Net;

namespace IpvsTools.Cluster;

/// <summary>One entry of a Node's status.addresses.</summary>
public sealed class KubeNodeAddress
{
    /// <summary>An address of a type (InternalIP, ExternalIP, Hostname...).</summary>
    public KubeNodeAddress(string type, string address)
    {
        Type = type;
        Address = address;
    }

    /// <summary>InternalIP, ExternalIP, Hostname, InternalDNS or ExternalDNS.</summary>
    public string Type { get; }

    /// <summary>The address as written.</summary>
    public string Address { get; }

    /// <summary>"InternalIP 10.0.0.5".</summary>
    public override string ToString() => Type + " " + Address;
}

/// <summary>A Node: its name, labels (zone) and addresses.</summary>
public sealed class KubeNode
{
    /// <summary>The label holding the node's zone.</summary>
    public const string ZoneLabel = "topology.kubernetes.io/zone";

    private static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>();

    /// <summary>metadata.name.</summary>
    public string Name { get; init; } = "";

    /// <summary>metadata.labels.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = NoLabels;

    /// <summary>status.addresses.</summary>
    public IReadOnlyList<KubeNodeAddress> Addresses { get; init; } = Array.Empty<KubeNodeAddress>();

    /// <summary>spec.podCIDRs (spec.podCIDR when only it is set): the node's pod ranges, for --detect-local-mode NodeCIDR.</summary>
    public IReadOnlyList<IpNetwork> PodCidrs { get; init; } = Array.Empty<IpNetwork>();

    /// <summary>The zone label's value, or null.</summary>
    public string? Zone => Labels.TryGetValue(ZoneLabel, out var v) ? v : null;

    /// <summary>
    /// The node's IPs as kube-proxy picks its node IP: InternalIP addresses first, then ExternalIP, in
    /// the order given, unparseable ones dropped.
    /// </summary>
    public IReadOnlyList<IPAddress> HostIPs()
    {
        var result = new List<IPAddress>();
        foreach (var type in new[] { "InternalIP", "ExternalIP" })
        {
            foreach (var a in Addresses)
            {
                if (a.Type == type && IPAddress.TryParse(a.Address, out var ip) && !result.Contains(ip)) result.Add(ip);
            }
        }
        return result;
    }

    /// <summary>The node's name.</summary>
    public override string ToString() => Name;
}
