using System.Net;
using System.Net.Sockets;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>
/// A real server (destination) of a virtual service, as the kernel lists it. <see cref="ToString"/>
/// is its address and port as ipvsadm prints them: <c>10.0.0.2:80</c>, <c>[fd00::2]:80</c>.
/// </summary>
public sealed class IpvsDestination
{
    /// <summary>A destination with everything the kernel reports of it.</summary>
    public IpvsDestination(IpvsServiceKey service, AddressFamily addressFamily, IPAddress address, ushort port,
        IpvsForwardingMethod forwardingMethod, int weight, uint upperThreshold, uint lowerThreshold,
        uint activeConnections, uint inactiveConnections, uint persistentConnections,
        IpvsTunnelType? tunnelType, ushort? tunnelPort, string? tunnelFlags,
        IpvsStatistics statistics, IpvsRates rates, string? networkNamespace = null)
    {
        Service = service;
        AddressFamily = addressFamily;
        Address = address;
        Port = port;
        ForwardingMethod = forwardingMethod;
        Weight = weight;
        UpperThreshold = upperThreshold;
        LowerThreshold = lowerThreshold;
        ActiveConnections = activeConnections;
        InactiveConnections = inactiveConnections;
        PersistentConnections = persistentConnections;
        TunnelType = tunnelType;
        TunnelPort = tunnelPort;
        TunnelFlags = tunnelFlags;
        Statistics = statistics;
        Rates = rates;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>The virtual service this destination belongs to.</summary>
    public IpvsServiceKey Service { get; }

    /// <summary>The destination's own family: it may differ from the service's with tunnel forwarding.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>The real server's address.</summary>
    public IPAddress Address { get; }

    /// <summary>The real server's port (0 for a firewall-mark service's destinations added without one).</summary>
    public ushort Port { get; }

    /// <summary>Masquerade, Local, Tunnel, Route or Bypass.</summary>
    public IpvsForwardingMethod ForwardingMethod { get; }

    /// <summary>The scheduling weight; 0 takes no new connections (a draining server).</summary>
    public int Weight { get; }

    /// <summary>Connections above which the server takes no new ones; 0 for no limit.</summary>
    public uint UpperThreshold { get; }

    /// <summary>Connections below which an overloaded server takes new ones again; 0 when unset.</summary>
    public uint LowerThreshold { get; }

    /// <summary>Established connections (ipvsadm's ActiveConn).</summary>
    public uint ActiveConnections { get; }

    /// <summary>Connections in any other state (ipvsadm's InActConn).</summary>
    public uint InactiveConnections { get; }

    /// <summary>Persistence templates pointing at this server.</summary>
    public uint PersistentConnections { get; }

    /// <summary>The encapsulation of a tunnelling destination; null unless forwarding is Tunnel.</summary>
    public IpvsTunnelType? TunnelType { get; }

    /// <summary>The GUE destination port; null unless the tunnel carries a port.</summary>
    public ushort? TunnelPort { get; }

    /// <summary>
    /// The tunnel's checksum setting: nocsum, csum or remcsum (comma-separated if several); null unless
    /// the tunnel is GUE or GRE.
    /// </summary>
    public string? TunnelFlags { get; }

    /// <summary>Connection, packet and byte counters.</summary>
    public IpvsStatistics Statistics { get; }

    /// <summary>The kernel's rate estimates.</summary>
    public IpvsRates Rates { get; }

    /// <summary>The network namespace the destination was read from; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>"10.0.0.2:80" or "[fd00::2]:80".</summary>
    public override string ToString() => IpvsAddressText.FormatEndpoint(AddressFamily, Address, Port);
}
