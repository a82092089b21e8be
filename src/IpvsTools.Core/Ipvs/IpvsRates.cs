namespace IpvsTools.Ipvs;

/// <summary>
/// The kernel's rate estimates for a virtual service or a destination (about a two-second average),
/// as `ipvsadm -Ln --rate` shows them.
/// </summary>
public sealed class IpvsRates
{
    /// <summary>Rates with the given values.</summary>
    public IpvsRates(ulong connectionsPerSecond, ulong incomingPacketsPerSecond, ulong outgoingPacketsPerSecond,
        ulong incomingBytesPerSecond, ulong outgoingBytesPerSecond)
    {
        ConnectionsPerSecond = connectionsPerSecond;
        IncomingPacketsPerSecond = incomingPacketsPerSecond;
        OutgoingPacketsPerSecond = outgoingPacketsPerSecond;
        IncomingBytesPerSecond = incomingBytesPerSecond;
        OutgoingBytesPerSecond = outgoingBytesPerSecond;
    }

    /// <summary>All rates zero.</summary>
    public static IpvsRates Zero { get; } = new(0, 0, 0, 0, 0);

    /// <summary>New connections per second.</summary>
    public ulong ConnectionsPerSecond { get; }

    /// <summary>Packets per second from clients.</summary>
    public ulong IncomingPacketsPerSecond { get; }

    /// <summary>Packets per second to clients.</summary>
    public ulong OutgoingPacketsPerSecond { get; }

    /// <summary>Bytes per second from clients.</summary>
    public ulong IncomingBytesPerSecond { get; }

    /// <summary>Bytes per second to clients.</summary>
    public ulong OutgoingBytesPerSecond { get; }

    /// <summary>"CPS N, InPPS N, OutPPS N, InBPS N, OutBPS N".</summary>
    public override string ToString()
        => $"CPS {ConnectionsPerSecond}, InPPS {IncomingPacketsPerSecond}, OutPPS {OutgoingPacketsPerSecond}, InBPS {IncomingBytesPerSecond}, OutBPS {OutgoingBytesPerSecond}";
}
