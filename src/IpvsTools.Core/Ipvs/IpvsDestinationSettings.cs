using System;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

/// <summary>
/// Everything a real server is added or changed with (IPVS_CMD_NEW_DEST / SET_DEST carry all of it):
/// address and port, forwarding method, weight, connection thresholds, and for tunnelling the tunnel
/// type, port and checksum setting. Checked when built as ipvsadm and the kernel check them.
/// </summary>
public sealed class IpvsDestinationSettings
{
    /// <summary>Settings from their parts.</summary>
    /// <param name="address">The real server's address (IPv4 or IPv6; a family other than the service's needs tunnelling).</param>
    /// <param name="port">The real server's port.</param>
    /// <param name="forwardingMethod">Masquerade, Route, Tunnel (or Local, which the kernel picks itself for local addresses).</param>
    /// <param name="weight">0 (takes no new connections) or more.</param>
    /// <param name="upperThreshold">Connections above which the server takes no new ones; 0 for no limit.</param>
    /// <param name="lowerThreshold">Connections below which an overloaded server takes new ones again; at most the upper threshold.</param>
    /// <param name="tunnelType">The encapsulation when tunnelling: Ipip, Gue or Gre.</param>
    /// <param name="tunnelPort">The GUE destination port (1-65535); 0 for the other tunnel types.</param>
    /// <param name="tunnelChecksum">The GUE or GRE checksum setting; RemoteChecksum is GUE only.</param>
    public IpvsDestinationSettings(IPAddress address, ushort port, IpvsForwardingMethod forwardingMethod, int weight = 1,
        uint upperThreshold = 0, uint lowerThreshold = 0, IpvsTunnelType tunnelType = IpvsTunnelType.Ipip, ushort tunnelPort = 0,
        IpvsTunnelChecksum tunnelChecksum = IpvsTunnelChecksum.NoChecksum)
        : this(address, port, forwardingMethod, weight, upperThreshold, lowerThreshold, tunnelType, tunnelPort, tunnelChecksum, check: true)
    {
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private IpvsDestinationSettings(IPAddress address, ushort port, IpvsForwardingMethod forwardingMethod, int weight,
        uint upperThreshold, uint lowerThreshold, IpvsTunnelType tunnelType, ushort tunnelPort, IpvsTunnelChecksum tunnelChecksum, bool check)
    {
        Address = address ?? throw new ArgumentNullException(nameof(address));
        if (address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            throw new IpvsToolsException($"A real server's address is IPv4 or IPv6, not {address.AddressFamily}.", FailureKind.InvalidArgument);
        Port = port;
        ForwardingMethod = forwardingMethod;
        Weight = weight;
        UpperThreshold = upperThreshold;
        LowerThreshold = lowerThreshold;
        TunnelType = tunnelType;
        TunnelPort = tunnelPort;
        TunnelChecksum = tunnelChecksum;
        if (!check) return;
        // Worded only for a refusal: a restore file builds 100,000 of these.
        string Name() => IpvsAddressText.FormatEndpoint(address.AddressFamily, address, port);
        if (forwardingMethod is not (IpvsForwardingMethod.Masquerade or IpvsForwardingMethod.Local or IpvsForwardingMethod.Tunnel or IpvsForwardingMethod.Route))
            throw new IpvsToolsException($"Real server {Name()}: the forwarding method is Masquerade, Route or Tunnel, not {forwardingMethod}.", FailureKind.InvalidArgument);
        if (weight < 0)
            throw new IpvsToolsException($"Real server {Name()}: the weight is 0 or more, not {weight}.", FailureKind.InvalidArgument);
        if (upperThreshold > int.MaxValue || lowerThreshold > int.MaxValue)
            throw new IpvsToolsException($"Real server {Name()}: connection thresholds go up to {int.MaxValue}.", FailureKind.InvalidArgument);
        if (lowerThreshold > upperThreshold)
            throw new IpvsToolsException($"Real server {Name()}: the lower threshold ({lowerThreshold}) is above the upper threshold ({upperThreshold}); the kernel refuses that (ERANGE). An upper threshold of 0 means no limit and allows no lower threshold.", FailureKind.InvalidArgument);
        if (tunnelType is not (IpvsTunnelType.Ipip or IpvsTunnelType.Gue or IpvsTunnelType.Gre))
            throw new IpvsToolsException($"Real server {Name()}: the tunnel type is Ipip, Gue or Gre, not {tunnelType}.", FailureKind.InvalidArgument);
        if (tunnelChecksum is not (IpvsTunnelChecksum.NoChecksum or IpvsTunnelChecksum.Checksum or IpvsTunnelChecksum.RemoteChecksum))
            throw new IpvsToolsException($"Real server {Name()}: the tunnel checksum is NoChecksum, Checksum or RemoteChecksum, not {tunnelChecksum}.", FailureKind.InvalidArgument);
        if (forwardingMethod != IpvsForwardingMethod.Tunnel)
        {
            if (tunnelType != IpvsTunnelType.Ipip || tunnelPort != 0 || tunnelChecksum != IpvsTunnelChecksum.NoChecksum)
                throw new IpvsToolsException($"Real server {Name()}: tunnel options need the Tunnel forwarding method, not {forwardingMethod}.", FailureKind.InvalidArgument);
            return;
        }
        switch (tunnelType)
        {
            case IpvsTunnelType.Gue when tunnelPort == 0:
                throw new IpvsToolsException($"Real server {Name()}: a GUE tunnel needs its destination port (1-65535).", FailureKind.InvalidArgument);
            case IpvsTunnelType.Ipip when tunnelPort != 0 || tunnelChecksum != IpvsTunnelChecksum.NoChecksum:
                throw new IpvsToolsException($"Real server {Name()}: an IPIP tunnel takes no tunnel port or checksum option.", FailureKind.InvalidArgument);
            case IpvsTunnelType.Gre when tunnelPort != 0:
                throw new IpvsToolsException($"Real server {Name()}: a GRE tunnel takes no tunnel port.", FailureKind.InvalidArgument);
            case IpvsTunnelType.Gre when tunnelChecksum == IpvsTunnelChecksum.RemoteChecksum:
                throw new IpvsToolsException($"Real server {Name()}: remote checksum offload is for GUE tunnels only.", FailureKind.InvalidArgument);
        }
    }

    /// <summary>Settings taken as they are, unchecked: for tests of the kernel's own refusals.</summary>
    internal static IpvsDestinationSettings Unchecked(IPAddress address, ushort port, IpvsForwardingMethod forwardingMethod, int weight,
        uint upperThreshold, uint lowerThreshold)
        => new(address, port, forwardingMethod, weight, upperThreshold, lowerThreshold, IpvsTunnelType.Ipip, 0, IpvsTunnelChecksum.NoChecksum, check: false);

    /// <summary>The settings a listed destination has now.</summary>
    public static IpvsDestinationSettings From(IpvsDestination destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var tunnel = destination.ForwardingMethod == IpvsForwardingMethod.Tunnel;
        return new IpvsDestinationSettings(destination.Address, destination.Port,
            destination.ForwardingMethod == IpvsForwardingMethod.Bypass ? IpvsForwardingMethod.Masquerade : destination.ForwardingMethod,
            destination.Weight, destination.UpperThreshold, Math.Min(destination.LowerThreshold, destination.UpperThreshold),
            tunnel ? destination.TunnelType ?? IpvsTunnelType.Ipip : IpvsTunnelType.Ipip,
            tunnel && destination.TunnelType == IpvsTunnelType.Gue ? destination.TunnelPort ?? 0 : (ushort)0,
            tunnel && destination.TunnelType != IpvsTunnelType.Ipip ? ParseChecksum(destination.TunnelFlags) : IpvsTunnelChecksum.NoChecksum);
    }

    /// <summary>The real server's address.</summary>
    public IPAddress Address { get; }

    /// <summary>The real server's port.</summary>
    public ushort Port { get; }

    /// <summary>The address's family.</summary>
    public AddressFamily AddressFamily => Address.AddressFamily;

    /// <summary>How connections reach the server.</summary>
    public IpvsForwardingMethod ForwardingMethod { get; }

    /// <summary>The scheduling weight.</summary>
    public int Weight { get; }

    /// <summary>The upper connection threshold (0: none).</summary>
    public uint UpperThreshold { get; }

    /// <summary>The lower connection threshold.</summary>
    public uint LowerThreshold { get; }

    /// <summary>The tunnel encapsulation (Ipip unless tunnelling).</summary>
    public IpvsTunnelType TunnelType { get; }

    /// <summary>The GUE port (0 otherwise).</summary>
    public ushort TunnelPort { get; }

    /// <summary>The tunnel checksum setting.</summary>
    public IpvsTunnelChecksum TunnelChecksum { get; }

    /// <summary>"10.0.0.2:80" or "[fd00::2]:80".</summary>
    public override string ToString() => IpvsAddressText.FormatEndpoint(AddressFamily, Address, Port);

    /// <summary>nocsum, csum or remcsum (as <see cref="IpvsDestination.TunnelFlags"/> names them) back to the setting.</summary>
    internal static IpvsTunnelChecksum ParseChecksum(string? flags) => flags switch
    {
        "csum" => IpvsTunnelChecksum.Checksum,
        "remcsum" => IpvsTunnelChecksum.RemoteChecksum,
        _ => IpvsTunnelChecksum.NoChecksum,
    };
}
