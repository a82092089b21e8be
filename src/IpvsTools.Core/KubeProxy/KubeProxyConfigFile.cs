using System;
using System.Collections.Generic;
using System.Net;

namespace IpvsTools.KubeProxy;

/// <summary>
/// The settings of a kube-proxy configuration (a KubeProxyConfiguration, kubeproxy.config.k8s.io/v1alpha1,
/// alone or inside the kube-proxy ConfigMap) that shape a node in IPVS mode. Null: not set in the file
/// (kube-proxy's default applies). Read by the cluster adapter; merged into <see cref="KubeProxyOptions"/>
/// under the caller's explicit parameters.
/// </summary>
public sealed record KubeProxyConfigFile
{
    /// <summary>The file it came from.</summary>
    public string Source { get; init; } = "";

    /// <summary>mode as written ("" when absent: kube-proxy then runs in iptables mode on Linux).</summary>
    public string Mode { get; init; } = "";

    /// <summary>hostnameOverride.</summary>
    public string? HostnameOverride { get; init; }

    /// <summary>bindAddress when it is a specific address (kube-proxy's node IP); null for 0.0.0.0, :: or absent.</summary>
    public IPAddress? BindAddress { get; init; }

    /// <summary>ipvs.scheduler.</summary>
    public string? Scheduler { get; init; }

    /// <summary>ipvs.excludeCIDRs.</summary>
    public IReadOnlyList<IpNetwork>? ExcludeCidrs { get; init; }

    /// <summary>ipvs.strictARP.</summary>
    public bool? StrictArp { get; init; }

    /// <summary>ipvs.tcpTimeout (zero: leave the kernel's).</summary>
    public TimeSpan? TcpTimeout { get; init; }

    /// <summary>ipvs.tcpFinTimeout.</summary>
    public TimeSpan? TcpFinTimeout { get; init; }

    /// <summary>ipvs.udpTimeout.</summary>
    public TimeSpan? UdpTimeout { get; init; }

    /// <summary>clusterCIDR (comma-separated for dual-stack).</summary>
    public IReadOnlyList<IpNetwork>? ClusterCidrs { get; init; }

    /// <summary>nodePortAddresses' CIDRs ('all' as 0.0.0.0/0 and ::/0, 'localhost' as 127.0.0.0/8 and ::1/128).</summary>
    public IReadOnlyList<IpNetwork>? NodePortAddresses { get; init; }

    /// <summary>nodePortAddresses holds the keyword 'primary'.</summary>
    public bool NodePortAddressesPrimary { get; init; }

    /// <summary>iptables.masqueradeAll.</summary>
    public bool? MasqueradeAll { get; init; }

    /// <summary>iptables.masqueradeBit.</summary>
    public int? MasqueradeBit { get; init; }

    /// <summary>detectLocalMode.</summary>
    public KubeLocalMode? DetectLocalMode { get; init; }

    /// <summary>detectLocal.bridgeInterface.</summary>
    public string? BridgeInterface { get; init; }

    /// <summary>detectLocal.interfaceNamePrefix.</summary>
    public string? InterfaceNamePrefix { get; init; }

    /// <summary>Whether the mode is ipvs (kube-proxy's default mode on Linux is iptables).</summary>
    public bool IsIpvsMode => string.Equals(Mode, "ipvs", StringComparison.OrdinalIgnoreCase);

    /// <summary><paramref name="options"/> with every setting of the file that is set.</summary>
    public KubeProxyOptions ApplyTo(KubeProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options with
        {
            Scheduler = string.IsNullOrEmpty(Scheduler) ? options.Scheduler : Scheduler,
            NodeName = string.IsNullOrEmpty(HostnameOverride) ? options.NodeName : HostnameOverride,
            NodeIPs = BindAddress is null ? options.NodeIPs : [BindAddress],
            ExcludeCidrs = ExcludeCidrs ?? options.ExcludeCidrs,
            ClusterCidrs = ClusterCidrs ?? options.ClusterCidrs,
            NodePortAddresses = NodePortAddresses ?? options.NodePortAddresses,
            NodePortAddressesPrimary = NodePortAddressesPrimary || options.NodePortAddressesPrimary,
            MasqueradeAll = MasqueradeAll ?? options.MasqueradeAll,
            MasqueradeBit = MasqueradeBit ?? options.MasqueradeBit,
            DetectLocalMode = DetectLocalMode ?? options.DetectLocalMode,
            BridgeInterface = string.IsNullOrEmpty(BridgeInterface) ? options.BridgeInterface : BridgeInterface,
            InterfaceNamePrefix = string.IsNullOrEmpty(InterfaceNamePrefix) ? options.InterfaceNamePrefix : InterfaceNamePrefix,
        };
    }
}
