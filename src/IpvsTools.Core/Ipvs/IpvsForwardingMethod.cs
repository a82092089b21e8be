namespace IpvsTools.Ipvs;

/// <summary>How IPVS hands a connection to a real server (IP_VS_CONN_F_* forwarding methods).</summary>
public enum IpvsForwardingMethod
{
    /// <summary>NAT: the destination address is rewritten (ipvsadm -m, shown as Masq).</summary>
    Masquerade = 0,

    /// <summary>The real server is this host (shown as Local).</summary>
    Local = 1,

    /// <summary>IP-in-IP, GUE or GRE encapsulation (ipvsadm -i, shown as Tunnel).</summary>
    Tunnel = 2,

    /// <summary>Direct routing / gatewaying (ipvsadm -g, shown as Route).</summary>
    Route = 3,

    /// <summary>Cache bypass: kernel-internal, not settable through ipvsadm.</summary>
    Bypass = 4,
}
