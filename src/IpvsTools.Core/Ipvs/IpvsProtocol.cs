namespace IpvsTools.Ipvs;

/// <summary>The transport protocol of a virtual service; the values are the IP protocol numbers.</summary>
public enum IpvsProtocol
{
    /// <summary>No protocol: a firewall-mark service matches packets by their mark alone.</summary>
    None = 0,

    /// <summary>TCP (IP protocol 6).</summary>
    Tcp = 6,

    /// <summary>UDP (IP protocol 17).</summary>
    Udp = 17,

    /// <summary>SCTP (IP protocol 132).</summary>
    Sctp = 132,
}
