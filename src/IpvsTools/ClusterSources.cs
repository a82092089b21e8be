using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using IpvsTools.Kube;
using IpvsTools.Cluster;
using IpvsTools.KubeProxy;

namespace IpvsTools.Commands;

/// <summary>
/// The cmdlets' door to the cluster adapter. Each call loads IpvsTools.Kube (and KubernetesClient,
/// YamlDotNet, Fractions) from dependencies/ into the isolated context on first use; what comes back
/// is the engine's <see cref="ClusterSnapshot"/>, never a KubernetesClient type. Scripts may call it
/// too: <c>[IpvsTools.Commands.ClusterSources]::ReadSnapshot('cluster.yaml')</c>.
/// </summary>
public static class ClusterSources
{
    /// <summary>Reads snapshot files (kubectl get ... -o yaml|json); a malformed one raises <see cref="ClusterSourceException"/> with file, line and column.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ClusterSnapshot ReadSnapshot(IEnumerable<string> paths) => SnapshotReader.ReadFiles(paths);

    /// <summary>Reads the live cluster: Services, EndpointSlices and the Node called <paramref name="nodeName"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static ClusterSnapshot ReadLive(string? kubeconfig, string? context, string? nodeName, CancellationToken cancellationToken = default)
        => LiveClusterSource.Read(kubeconfig, context, nodeName, cancellationToken);

    /// <summary>Reads kube-proxy's configuration: a KubeProxyConfiguration file, or the kube-proxy ConfigMap (kubectl get cm kube-proxy -n kube-system -o yaml).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static KubeProxyConfigFile ReadProxyConfig(string path) => KubeProxyConfigReader.ReadFile(path);

    /// <summary>Follows the live cluster: a snapshot after the lists, then one after each batch of changes, until cancelled.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static IEnumerable<ClusterSnapshot> WatchLive(string? kubeconfig, string? context, string? nodeName, CancellationToken cancellationToken)
        => LiveClusterWatch.Watch(kubeconfig, context, nodeName, cancellationToken);
}
