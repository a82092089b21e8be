namespace IpvsTools.KubeProxy;

/// <summary>The data plane kube-proxy programs on a node (its --proxy-mode).</summary>
public enum KubeProxyMode
{
    /// <summary>IPVS virtual servers, the kube-ipvs0 dummy link and KUBE-* ipsets (deprecated since Kubernetes 1.35).</summary>
    Ipvs = 1,

    /// <summary>Chains of the iptables nat table: KUBE-SERVICES, KUBE-SVC-*, KUBE-SEP-*.</summary>
    Iptables = 2,

    /// <summary>The nftables tables <c>ip kube-proxy</c> and <c>ip6 kube-proxy</c> (the default from Kubernetes 1.40).</summary>
    Nftables = 3,
}
