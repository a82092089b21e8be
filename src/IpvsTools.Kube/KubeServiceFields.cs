using System.Collections.Generic;

namespace IpvsTools.Kube;

/// <summary>
/// The values of a Service's spec that <see cref="KubeObjectMapper"/> reads, as written (nothing checked, no
/// defaults): what both paths hand the mapper's Service rules. The YAML path copies them from
/// KubernetesClient's V1ServiceSpec; the JSON path (<see cref="JsonKubeFields"/>) reads them from the file.
/// </summary>
internal sealed class KubeServiceSpecFields
{
    public string? Type { get; set; }
    public string? ClusterIP { get; set; }
    public IList<string>? ClusterIPs { get; set; }
    public IList<string>? IpFamilies { get; set; }

    /// <summary>spec.ports: the items that are not null, each with its place in the list.</summary>
    public List<KubeServicePortFields>? Ports { get; set; }

    public IList<string>? ExternalIPs { get; set; }
    public IList<string>? LoadBalancerSourceRanges { get; set; }
    public string? SessionAffinity { get; set; }

    /// <summary>spec.sessionAffinityConfig.clientIP.timeoutSeconds (null when it or what holds it is absent).</summary>
    public int? SessionAffinityTimeoutSeconds { get; set; }

    public string? InternalTrafficPolicy { get; set; }
    public string? ExternalTrafficPolicy { get; set; }
    public int? HealthCheckNodePort { get; set; }
    public string? TrafficDistribution { get; set; }
    public string? ExternalName { get; set; }
}

/// <summary>One item of spec.ports as written: its place in the list (nulls counted) and its values; TargetPort as IntOrString's Value.</summary>
internal readonly record struct KubeServicePortFields(int Index, string? Name, string? Protocol, int Port, int? NodePort, string? TargetPort);

/// <summary>One item of status.loadBalancer.ingress as written: its place in the list (nulls counted) and its values.</summary>
internal readonly record struct KubeIngressFields(int Index, string? Ip, string? Hostname, string? IpMode);
