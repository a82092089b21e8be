using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Sockets;
using IpvsTools.Cluster;

namespace IpvsTools.KubeProxy;

/// <summary>kube-proxy's --detect-local-mode: how traffic from the node's own pods is told apart.</summary>
public enum KubeLocalMode
{
    /// <summary>Sources in --cluster-cidr are pods (the default).</summary>
    ClusterCIDR = 0,

    /// <summary>Sources in the Node object's spec.podCIDRs are this node's pods.</summary>
    NodeCIDR = 1,

    /// <summary>Packets coming in on the pod bridge (--pod-bridge-interface) are from pods.</summary>
    BridgeInterface = 2,

    /// <summary>Packets coming in on interfaces named with a prefix (--pod-interface-name-prefix) are from pods.</summary>
    InterfaceNamePrefix = 3,
}

/// <summary>
/// kube-proxy's local traffic detector (pkg/proxy/util/localdetector.go) as the IPVS proxier uses it: the
/// "not from a pod" match of the KUBE-SERVICES rule that marks traffic to ClusterIPs for masquerade. Null
/// when the mode has nothing to match with (no CIDR of the family, no interface name): kube-proxy then
/// marks traffic whose source is a ClusterIP (src,dst) instead.
/// </summary>
internal static class KubeLocalDetector
{
    /// <summary>The iptables arguments that match traffic not from a pod, or null.</summary>
    public static IReadOnlyList<string>? IfNotLocal(KubeProxyOptions options, AddressFamily family, KubeNode? node)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options.DetectLocalMode)
        {
            case KubeLocalMode.ClusterCIDR:
                var cluster = options.ClusterCidrs.FirstOrDefault(c => c.AddressFamily == family);
                return cluster is null ? null : ["!", "-s", cluster.ToString()];
            case KubeLocalMode.NodeCIDR:
                var pods = node?.PodCidrs.FirstOrDefault(c => c.AddressFamily == family);
                return pods is null ? null : ["!", "-s", pods.ToString()];
            case KubeLocalMode.BridgeInterface:
                return string.IsNullOrEmpty(options.BridgeInterface) ? null : ["!", "-i", options.BridgeInterface];
            case KubeLocalMode.InterfaceNamePrefix:
                return string.IsNullOrEmpty(options.InterfaceNamePrefix) ? null : ["!", "-i", options.InterfaceNamePrefix + "+"];
            default:
                return null;
        }
    }
}
