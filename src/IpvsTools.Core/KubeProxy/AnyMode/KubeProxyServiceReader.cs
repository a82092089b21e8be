using System;
using System.Collections.Generic;
using IpvsTools.KubeProxy.IptablesMode;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.KubeProxy.NftablesMode;
using IpvsTools.Netlink;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.AnyMode;

/// <summary>Reads a node's kube-proxy front ends in the given mode (what Get-KubeProxyService calls).</summary>
public static class KubeProxyServiceReader
{
    /// <param name="backend">iptables mode only: the iptables tools to read with; null for the system's default.</param>
    public static IReadOnlyList<KubeProxyService> Read(KubeProxyMode mode, NetworkNamespace? ns = null, IptablesBackend? backend = null) => mode switch
    {
        KubeProxyMode.Ipvs => IpvsModeReader.Read(ns),
        KubeProxyMode.Iptables => IptablesModeReader.Read(ns, backend),
        KubeProxyMode.Nftables => NftablesModeReader.Read(ns),
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
