namespace IpvsTools.Ipvs;

/// <summary>
/// The counters of a virtual service or a destination since it was created (or last zeroed), as
/// `ipvsadm -Ln --stats` shows them. Read from the kernel's 64-bit statistics where it sends them.
/// </summary>
public sealed class IpvsStatistics
{
    /// <summary>Counters with the given values.</summary>
    public IpvsStatistics(ulong connections, ulong incomingPackets, ulong outgoingPackets, ulong incomingBytes, ulong outgoingBytes)
    {
        Connections = connections;
        IncomingPackets = incomingPackets;
        OutgoingPackets = outgoingPackets;
        IncomingBytes = incomingBytes;
        OutgoingBytes = outgoingBytes;
    }

    /// <summary>All counters zero.</summary>
    public static IpvsStatistics Zero { get; } = new(0, 0, 0, 0, 0);

    /// <summary>Connections scheduled.</summary>
    public ulong Connections { get; }

    /// <summary>Packets from clients.</summary>
    public ulong IncomingPackets { get; }

    /// <summary>Packets to clients (seen only with masquerading).</summary>
    public ulong OutgoingPackets { get; }

    /// <summary>Bytes from clients.</summary>
    public ulong IncomingBytes { get; }

    /// <summary>Bytes to clients (seen only with masquerading).</summary>
    public ulong OutgoingBytes { get; }

    /// <summary>"Conns N, InPkts N, OutPkts N, InBytes N, OutBytes N".</summary>
    public override string ToString()
        => $"Conns {Connections}, InPkts {IncomingPackets}, OutPkts {OutgoingPackets}, InBytes {IncomingBytes}, OutBytes {OutgoingBytes}";
}
