namespace IpvsTools.Ipvs;

/// <summary>
/// The connection timeouts of an IPVS table, in seconds: established TCP, TCP after FIN, and UDP
/// (kernel defaults 900, 120 and 300). As input to a change, 0 means "leave unchanged".
/// </summary>
public sealed class IpvsTimeouts
{
    /// <summary>Timeouts with the given values, in seconds.</summary>
    public IpvsTimeouts(uint tcp, uint tcpFin, uint udp)
    {
        Tcp = tcp;
        TcpFin = tcpFin;
        Udp = udp;
    }

    /// <summary>Seconds an established TCP connection may stay idle.</summary>
    public uint Tcp { get; }

    /// <summary>Seconds a TCP connection is kept after its FIN.</summary>
    public uint TcpFin { get; }

    /// <summary>Seconds a UDP "connection" may stay idle.</summary>
    public uint Udp { get; }

    /// <summary>"Timeout (tcp tcpfin udp): 900 120 300", as `ipvsadm -L --timeout` prints it.</summary>
    public override string ToString() => IpvsadmText.FormatTimeouts(this);
}
