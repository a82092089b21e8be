using System;
using System.Collections.Generic;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.AnyMode;

/// <summary>
/// One comparison of a node's data plane, in any mode, with a cluster (what Compare-KubeProxyService calls): the
/// node's addresses read where the options have none, the expected front ends built, the node's front ends read and
/// named after the cluster's Services, and the differences between the two.
/// </summary>
public sealed class KubeProxyNodeComparison
{
    private KubeProxyNodeComparison(IReadOnlyList<KubeProxyService> expected, IReadOnlyList<KubeProxyService> actual, IReadOnlyList<KubeProxyServiceDifference> differences)
    {
        Expected = expected;
        Actual = actual;
        Differences = differences;
    }

    /// <summary>What kube-proxy in the mode would program.</summary>
    public IReadOnlyList<KubeProxyService> Expected { get; }

    /// <summary>What the node holds (in IPVS mode named after the cluster's Services).</summary>
    public IReadOnlyList<KubeProxyService> Actual { get; }

    /// <summary>The differences (with Equal entries when asked for).</summary>
    public IReadOnlyList<KubeProxyServiceDifference> Differences { get; }

    /// <summary>Compares the node in network namespace <paramref name="ns"/> (null: this one) in <paramref name="mode"/>.</summary>
    /// <param name="backend">iptables mode only: the iptables tools to read with; null for the system's default.</param>
    public static KubeProxyNodeComparison Run(ClusterSnapshot snapshot, KubeProxyOptions options, KubeProxyMode mode, NetworkNamespace? ns = null,
        IptablesBackend? backend = null, bool includeEqual = false)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        options = KubeNodeReader.WithNodeAddresses(options, ns);
        var expected = KubeProxyExpectedServices.Build(snapshot, options, mode, ns?.DisplayName);
        var actual = KubeProxyServiceNames.Apply(KubeProxyServiceReader.Read(mode, ns, backend), snapshot);
        var differences = KubeProxyServiceComparison.Compare(expected, actual, mode, ns?.DisplayName, includeEqual);
        return new KubeProxyNodeComparison(expected, actual, differences);
    }
}
