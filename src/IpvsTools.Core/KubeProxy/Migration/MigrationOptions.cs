using System;
using System.Collections.Generic;
using IpvsTools.Cluster;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>What Test-KubeProxyMigration was asked: the mode to move to, the cluster's NodePort range and excluded CIDRs, and the cluster (optional).</summary>
public sealed record MigrationOptions
{
    /// <summary>Nftables (the default) or Iptables.</summary>
    public KubeProxyMode TargetMode { get; init; } = KubeProxyMode.Nftables;

    /// <summary>The first port of the API server's --service-node-port-range.</summary>
    public int NodePortRangeFirst { get; init; } = 30000;

    /// <summary>The last port of the API server's --service-node-port-range.</summary>
    public int NodePortRangeLast { get; init; } = 32767;

    /// <summary>kube-proxy's --ipvs-exclude-cidrs: virtual servers there are never kube-proxy's.</summary>
    public IReadOnlyList<IpNetwork> ExcludeCidrs { get; init; } = Array.Empty<IpNetwork>();

    /// <summary>The cluster, to name the Services a finding affects; null when none was given.</summary>
    public ClusterSnapshot? Cluster { get; init; }

    /// <summary>The network namespace's name as the caller gave it, for the findings.</summary>
    public string? NetworkNamespace { get; init; }

    /// <summary>The options kube-proxy's ownership rule needs (NodePort range, excluded CIDRs, node addresses).</summary>
    internal KubeProxyOptions OwnershipOptions(IReadOnlyList<System.Net.IPAddress> nodeAddresses) => new()
    {
        NodeAddresses = nodeAddresses,
        ExcludeCidrs = ExcludeCidrs,
        NodePortRangeFirst = NodePortRangeFirst,
        NodePortRangeLast = NodePortRangeLast,
    };
}
