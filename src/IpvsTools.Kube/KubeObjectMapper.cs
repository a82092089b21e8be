using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using k8s.Models;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;

namespace IpvsTools.Kube;

/// <summary>
/// Turns KubernetesClient objects into the engine's cluster model. Missing fields take the API server's
/// defaults (protocol TCP, type ClusterIP, policies Cluster, affinity timeout 10800). Values the API
/// server would have refused raise a <see cref="MappingException"/> naming the field.
/// </summary>
internal static class KubeObjectMapper
{
    public static KubeService Service(V1Service service)
    {
        var meta = service.Metadata ?? new V1ObjectMeta();
        var spec = service.Spec ?? new V1ServiceSpec();
        List<KubeServicePortFields>? ports = null;
        if (spec.Ports is not null)
        {
            ports = new List<KubeServicePortFields>(spec.Ports.Count);
            for (var i = 0; i < spec.Ports.Count; i++)
            {
                var p = spec.Ports[i];
                if (p is not null) ports.Add(new KubeServicePortFields(i, p.Name, p.Protocol, p.Port, p.NodePort, p.TargetPort?.Value));
            }
        }
        var fields = new KubeServiceSpecFields
        {
            Type = spec.Type,
            ClusterIP = spec.ClusterIP,
            ClusterIPs = spec.ClusterIPs,
            IpFamilies = spec.IpFamilies,
            Ports = ports,
            ExternalIPs = spec.ExternalIPs,
            LoadBalancerSourceRanges = spec.LoadBalancerSourceRanges,
            SessionAffinity = spec.SessionAffinity,
            SessionAffinityTimeoutSeconds = spec.SessionAffinityConfig?.ClientIP?.TimeoutSeconds,
            InternalTrafficPolicy = spec.InternalTrafficPolicy,
            ExternalTrafficPolicy = spec.ExternalTrafficPolicy,
            HealthCheckNodePort = spec.HealthCheckNodePort,
            TrafficDistribution = spec.TrafficDistribution,
            ExternalName = spec.ExternalName,
        };
        List<KubeIngressFields>? ingress = null;
        var written = service.Status?.LoadBalancer?.Ingress;
        if (written is not null)
        {
            ingress = new List<KubeIngressFields>(written.Count);
            for (var i = 0; i < written.Count; i++)
            {
                var ing = written[i];
                if (ing is not null) ingress.Add(new KubeIngressFields(i, ing.Ip, ing.Hostname, ing.IpMode));
            }
        }
        return Service(meta.NamespaceProperty, meta.Name, Copy(meta.Labels), fields, ingress);
    }

    /// <summary>
    /// The Service rules, shared by the YAML path (above, from KubernetesClient's model) and the JSON path
    /// (<see cref="JsonKubeObject"/>, from the file's values); <paramref name="labels"/> are mapped already
    /// (<see cref="Copy"/>, <see cref="AddLabel"/>).
    /// </summary>
    internal static KubeService Service(string? @namespace, string? name, IReadOnlyDictionary<string, string> labels,
        KubeServiceSpecFields? spec, IReadOnlyList<KubeIngressFields>? status)
    {
        spec ??= new KubeServiceSpecFields();
        var type = ServiceType(spec.Type);
        var headless = string.Equals(spec.ClusterIP, "None", StringComparison.Ordinal);
        var clusterIPs = new List<IPAddress>();
        if (!headless && type != KubeServiceType.ExternalName)
        {
            var written = spec.ClusterIPs is { Count: > 0 } ? spec.ClusterIPs : (string.IsNullOrEmpty(spec.ClusterIP) ? Array.Empty<string>() : new[] { spec.ClusterIP });
            for (var i = 0; i < written.Count; i++)
            {
                if (string.Equals(written[i], "None", StringComparison.Ordinal)) { headless = true; continue; }
                clusterIPs.Add(ParseIP(written[i], spec.ClusterIPs is { Count: > 0 } ? $"spec.clusterIPs[{i}]" : "spec.clusterIP"));
            }
        }
        var ports = new List<KubeServicePort>();
        if (spec.Ports is not null)
        {
            foreach (var p in spec.Ports)
            {
                var i = p.Index;
                ports.Add(new KubeServicePort(p.Name ?? "", Protocol(p.Protocol, $"spec.ports[{i}].protocol"),
                    Port(p.Port, $"spec.ports[{i}].port", allowZero: false),
                    Port(p.NodePort ?? 0, $"spec.ports[{i}].nodePort", allowZero: true),
                    p.TargetPort));
            }
        }
        var externalIPs = new List<IPAddress>();
        foreach (var text in spec.ExternalIPs ?? Array.Empty<string>())
        {
            // kube-proxy drops what it cannot parse.
            if (IPAddress.TryParse(text?.Trim(), out var ip)) externalIPs.Add(ip);
        }
        var ranges = new List<IpNetwork>();
        if (spec.LoadBalancerSourceRanges is not null)
        {
            for (var i = 0; i < spec.LoadBalancerSourceRanges.Count; i++)
            {
                if (!IpNetwork.TryParse(spec.LoadBalancerSourceRanges[i], out var net))
                    throw new MappingException($"'{spec.LoadBalancerSourceRanges[i]}' is not an address prefix such as 10.0.0.0/8.", $"spec.loadBalancerSourceRanges[{i}]");
                ranges.Add(net!);
            }
        }
        var ingress = new List<KubeLoadBalancerIngress>();
        if (status is not null)
        {
            foreach (var ing in status)
            {
                IPAddress? ip = null;
                if (!string.IsNullOrEmpty(ing.Ip)) ip = ParseIP(ing.Ip, $"status.loadBalancer.ingress[{ing.Index}].ip");
                ingress.Add(new KubeLoadBalancerIngress(ip, ing.Hostname, ing.IpMode));
            }
        }
        var affinity = spec.SessionAffinity switch
        {
            null or "" or "None" => KubeSessionAffinity.None,
            "ClientIP" => KubeSessionAffinity.ClientIP,
            var other => throw new MappingException($"'{other}' is not a session affinity (None or ClientIP).", "spec.sessionAffinity"),
        };
        var timeout = spec.SessionAffinityTimeoutSeconds ?? KubeService.DefaultStickySeconds;
        if (affinity == KubeSessionAffinity.ClientIP && (timeout <= 0 || timeout > 86400))
            throw new MappingException($"{timeout} is not a session affinity timeout (1 to 86400 seconds).", "spec.sessionAffinityConfig.clientIP.timeoutSeconds");
        return new KubeService
        {
            Namespace = @namespace ?? "default",
            Name = name ?? "",
            Labels = labels,
            Type = type,
            ClusterIPs = clusterIPs,
            IsHeadless = headless,
            IPFamilies = NonNull(spec.IpFamilies),
            Ports = ports,
            ExternalIPs = externalIPs,
            LoadBalancerIngress = ingress,
            LoadBalancerSourceRanges = ranges,
            SessionAffinity = affinity,
            SessionAffinityTimeoutSeconds = timeout,
            InternalTrafficPolicy = Policy(spec.InternalTrafficPolicy, "spec.internalTrafficPolicy"),
            ExternalTrafficPolicy = Policy(spec.ExternalTrafficPolicy, "spec.externalTrafficPolicy"),
            HealthCheckNodePort = Port(spec.HealthCheckNodePort ?? 0, "spec.healthCheckNodePort", allowZero: true),
            TrafficDistribution = spec.TrafficDistribution,
            ExternalName = spec.ExternalName,
        };
    }

    public static KubeEndpointSlice EndpointSlice(V1EndpointSlice slice)
    {
        var addressType = AddressType(slice.AddressType);
        var endpoints = new List<KubeEndpoint>(slice.Endpoints?.Count ?? 0);
        if (slice.Endpoints is not null)
        {
            foreach (var e in slice.Endpoints)
            {
                if (e is null) continue;
                endpoints.Add(Endpoint(e.Addresses, e.Conditions?.Ready, e.Conditions?.Serving, e.Conditions?.Terminating, e.NodeName, e.Zone,
                    HintNames(e.Hints?.ForZones?.Select(z => z?.Name).ToList()), HintNames(e.Hints?.ForNodes?.Select(n => n?.Name).ToList())));
            }
        }
        var ports = new List<KubeEndpointPort>(slice.Ports?.Count ?? 0);
        if (slice.Ports is not null)
        {
            for (var i = 0; i < slice.Ports.Count; i++)
            {
                var p = slice.Ports[i];
                if (p is null) continue;
                ports.Add(EndpointPort(p.Name, p.Protocol, p.Port, i));
            }
        }
        return EndpointSlice(slice.Metadata?.NamespaceProperty, slice.Metadata?.Name, Copy(slice.Metadata?.Labels), addressType, endpoints, ports);
    }

    // The EndpointSlice's rules, shared by the YAML path (above, from KubernetesClient's model) and the JSON
    // path (JsonSliceFields, which reads the values straight from the file): one place decides each value.

    /// <summary>An EndpointSlice from its mapped parts (labels: <see cref="Copy"/>, <see cref="AddLabel"/>).</summary>
    internal static KubeEndpointSlice EndpointSlice(string? @namespace, string? name, IReadOnlyDictionary<string, string> labels,
        KubeAddressType addressType, IReadOnlyList<KubeEndpoint> endpoints, IReadOnlyList<KubeEndpointPort> ports) => new()
    {
        Namespace = @namespace ?? "default",
        Name = name ?? "",
        Labels = labels,
        AddressType = addressType,
        Endpoints = endpoints,
        Ports = ports,
    };

    /// <summary>addressType: IPv4, IPv6 or FQDN; anything else is refused.</summary>
    internal static KubeAddressType AddressType(string? addressType) => addressType switch
    {
        "IPv4" => KubeAddressType.IPv4,
        "IPv6" => KubeAddressType.IPv6,
        "FQDN" => KubeAddressType.FQDN,
        var other => throw new MappingException($"'{other}' is not an address type (IPv4, IPv6 or FQDN).", "addressType"),
    };

    /// <summary>
    /// One endpoint (an item that is not null): its addresses without the nulls, its conditions (null when the
    /// conditions or the condition are absent), its hints' names (<see cref="HintNames"/>).
    /// </summary>
    internal static KubeEndpoint Endpoint(IList<string>? addresses, bool? ready, bool? serving, bool? terminating, string? nodeName, string? zone,
        IReadOnlyList<string> zoneHints, IReadOnlyList<string> nodeHints) => new()
    {
        Addresses = NonNull(addresses),
        Ready = ready,
        Serving = serving,
        Terminating = terminating,
        NodeName = nodeName,
        Zone = zone,
        ZoneHints = zoneHints,
        NodeHints = nodeHints,
    };

    /// <summary>Port <paramref name="index"/> of the slice's ports (an item that is not null).</summary>
    internal static KubeEndpointPort EndpointPort(string? name, string? protocol, int? port, int index)
    {
        int? checkedPort = port is null ? null : Port(port.Value, $"ports[{index}].port", allowZero: true);
        return new KubeEndpointPort(name, Protocol(protocol, $"ports[{index}].protocol"), checkedPort);
    }

    /// <summary>
    /// A hint list's names (forZones, forNodes), an item that is null given as a null name: those that are
    /// neither null nor empty, in order.
    /// </summary>
    internal static IReadOnlyList<string> HintNames(IList<string?>? names)
    {
        if (names is null || names.Count == 0) return Array.Empty<string>();
        var result = new List<string>(names.Count);
        foreach (var name in names)
        {
            if (!string.IsNullOrEmpty(name)) result.Add(name);
        }
        return result;
    }

    public static KubeNode Node(V1Node node)
    {
        var addresses = new List<KubeNodeAddress>();
        foreach (var a in node.Status?.Addresses ?? Array.Empty<V1NodeAddress>())
        {
            if (a is not null) addresses.Add(NodeAddress(a.Type, a.Address));
        }
        return Node(node.Metadata?.Name, Copy(node.Metadata?.Labels), addresses, node.Spec?.PodCIDR, node.Spec?.PodCIDRs);
    }

    /// <summary>The Node rules, shared by the YAML path (above) and the JSON path (<see cref="JsonKubeObject"/>); labels mapped already.</summary>
    internal static KubeNode Node(string? name, IReadOnlyDictionary<string, string> labels, IReadOnlyList<KubeNodeAddress> addresses, string? podCIDR, IList<string>? podCIDRs)
    {
        var podCidrs = new List<IpNetwork>();
        var texts = podCIDRs is { Count: > 0 } many ? many : podCIDR is { Length: > 0 } one ? [one] : Array.Empty<string>();
        foreach (var text in texts)
        {
            if (IpNetwork.TryParse(text, out var net) && text.Contains('/')) podCidrs.Add(net!);
        }
        return new KubeNode { Name = name ?? "", Labels = labels, Addresses = addresses, PodCidrs = podCidrs };
    }

    /// <summary>One item of status.addresses that is not null.</summary>
    internal static KubeNodeAddress NodeAddress(string? type, string? address) => new(type ?? "", address ?? "");

    private static KubeServiceType ServiceType(string? type) => type switch
    {
        null or "" or "ClusterIP" => KubeServiceType.ClusterIP,
        "NodePort" => KubeServiceType.NodePort,
        "LoadBalancer" => KubeServiceType.LoadBalancer,
        "ExternalName" => KubeServiceType.ExternalName,
        _ => throw new MappingException($"'{type}' is not a Service type (ClusterIP, NodePort, LoadBalancer or ExternalName).", "spec.type"),
    };

    private static KubeTrafficPolicy Policy(string? policy, string field) => policy switch
    {
        null or "" or "Cluster" => KubeTrafficPolicy.Cluster,
        "Local" => KubeTrafficPolicy.Local,
        _ => throw new MappingException($"'{policy}' is not a traffic policy (Cluster or Local).", field),
    };

    private static IpvsProtocol Protocol(string? protocol, string field) => protocol switch
    {
        null or "" or "TCP" => IpvsProtocol.Tcp,
        "UDP" => IpvsProtocol.Udp,
        "SCTP" => IpvsProtocol.Sctp,
        _ => throw new MappingException($"'{protocol}' is not a protocol (TCP, UDP or SCTP).", field),
    };

    private static int Port(int port, string field, bool allowZero)
    {
        if (port < (allowZero ? 0 : 1) || port > 65535)
            throw new MappingException(port.ToString(CultureInfo.InvariantCulture) + " is not a port (1 to 65535).", field);
        return port;
    }

    private static IPAddress ParseIP(string? text, string field)
    {
        if (text is null || !IPAddress.TryParse(text.Trim(), out var ip) || text.Contains('%'))
            throw new MappingException($"'{text}' is not an IP address.", field);
        return ip;
    }

    /// <summary>metadata.labels as the cluster types hold them (<see cref="AddLabel"/> for each).</summary>
    internal static Dictionary<string, string> Copy(IDictionary<string, string>? labels)
    {
        var copy = NewLabels();
        if (labels is null) return copy;
        foreach (var (key, value) in labels) AddLabel(copy, key, value);
        return copy;
    }

    /// <summary>An empty label map of the cluster types.</summary>
    internal static Dictionary<string, string> NewLabels() => new(StringComparer.Ordinal);

    /// <summary>One label, in the order written (a repeated name keeps the last value): a null name is dropped, a null value is "".</summary>
    internal static void AddLabel(Dictionary<string, string> labels, string? key, string? value)
    {
        if (key is not null) labels[key] = value ?? "";
    }

    /// <summary>
    /// The strings that are not null, in order, in an array of their number (a loop: this runs for every
    /// endpoint of a large snapshot, whose copies live as long as it: one object each, not a list and its array).
    /// </summary>
    internal static IReadOnlyList<string> NonNull(IList<string>? items)
    {
        if (items is null) return Array.Empty<string>();
        var count = 0;
        foreach (var item in items)
        {
            if (item is not null) count++;
        }
        if (count == 0) return Array.Empty<string>();
        var result = new string[count];
        count = 0;
        foreach (var item in items)
        {
            if (item is not null) result[count++] = item;
        }
        return result;
    }
}

/// <summary>A value in a Kubernetes object that the API server would have refused; names the field.</summary>
internal sealed class MappingException : Exception
{
    public MappingException(string message, string field) : base(message) => Field = field;

    /// <summary>The field's path, such as spec.ports[0].port.</summary>
    public string Field { get; }
}
