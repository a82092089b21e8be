namespace IpvsTools.Ipvs;

/// <summary>The checksum setting of a GUE or GRE tunnel (IP_VS_TUNNEL_ENCAP_FLAG_*).</summary>
public enum IpvsTunnelChecksum
{
    /// <summary>No checksum (ipvsadm --tun-nocsum, the default).</summary>
    NoChecksum = 0,

    /// <summary>Checksum on the encapsulation (ipvsadm --tun-csum).</summary>
    Checksum = 1,

    /// <summary>Remote checksum offload, GUE only (ipvsadm --tun-remcsum).</summary>
    RemoteChecksum = 2,
}
