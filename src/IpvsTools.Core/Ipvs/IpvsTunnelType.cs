namespace IpvsTools.Ipvs;

/// <summary>The encapsulation of a tunnelling destination (IP_VS_CONN_F_TUNNEL_TYPE_*).</summary>
public enum IpvsTunnelType
{
    /// <summary>Plain IP-in-IP (the default).</summary>
    Ipip = 0,

    /// <summary>Generic UDP Encapsulation, to a UDP port (<see cref="IpvsDestination.TunnelPort"/>).</summary>
    Gue = 1,

    /// <summary>GRE encapsulation.</summary>
    Gre = 2,
}
