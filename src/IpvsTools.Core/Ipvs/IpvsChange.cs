using System.Net;
using IpvsTools.Netlink;

namespace IpvsTools.Ipvs;

/// <summary>
/// One IPVS change: its request and what it is about. The words that describe it are made only when
/// they are needed (an error, a -WhatIf line), not for each of 100,000 lines that succeed.
/// </summary>
internal readonly record struct IpvsChange(NetlinkMessageWriter Request, IpvsChangeKind Kind, IpvsServiceKey? Service,
    IpvsServiceSettings? Settings = null, IpvsDestinationSettings? DestinationSettings = null, IPAddress? Address = null, ushort Port = 0,
    IpvsTimeouts? Timeouts = null, IpvsSyncDaemonSettings? Daemon = null, IpvsSyncState DaemonState = 0)
{
    /// <summary>The real server as ipvsadm prints it, or null.</summary>
    public string? DestinationName => DestinationSettings is not null
        ? DestinationSettings.ToString()
        : Address is not null ? IpvsAddressText.FormatEndpoint(Address.AddressFamily, Address, Port) : null;

    /// <summary>"master" or "backup" for a daemon change, else null.</summary>
    public string? DaemonName => Kind switch
    {
        IpvsChangeKind.StartDaemon => IpvsClient.StateName(Daemon!.State),
        IpvsChangeKind.StopDaemon => IpvsClient.StateName(DaemonState),
        _ => null,
    };

    /// <summary>What the change does, as the start of its error message: "Adding IPVS service TCP 10.0.0.1:80".</summary>
    public string Describe() => Kind switch
    {
        IpvsChangeKind.AddService => $"Adding IPVS service {Service!.DisplayName}",
        IpvsChangeKind.UpdateService => $"Changing IPVS service {Service!.DisplayName}",
        IpvsChangeKind.RemoveService => $"Removing IPVS service {Service!.DisplayName}",
        IpvsChangeKind.AddDestination => $"Adding real server {DestinationName} to IPVS service {Service!.DisplayName}",
        IpvsChangeKind.UpdateDestination => $"Changing real server {DestinationName} of IPVS service {Service!.DisplayName}",
        IpvsChangeKind.RemoveDestination => $"Removing real server {DestinationName} from IPVS service {Service!.DisplayName}",
        IpvsChangeKind.Clear => "Removing every IPVS service",
        IpvsChangeKind.ZeroService => $"Zeroing the counters of IPVS service {Service!.DisplayName}",
        IpvsChangeKind.ZeroAll => "Zeroing every IPVS counter",
        IpvsChangeKind.SetTimeouts => $"Setting the IPVS timeouts (tcp {Timeouts!.Tcp}, tcpfin {Timeouts.TcpFin}, udp {Timeouts.Udp})",
        IpvsChangeKind.StartDaemon => $"Starting the IPVS {DaemonName} sync daemon on {Daemon!.Interface}",
        IpvsChangeKind.StopDaemon => $"Stopping the IPVS {DaemonName} sync daemon",
        _ => Kind.ToString(),
    };
}
