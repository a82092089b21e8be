using System;
using System.Collections.Generic;
using System.Net;
using IpvsTools.IpvsWire;
using IpvsTools.Netlink;

namespace IpvsTools;

// The changes: services, destinations, flush, zero, timeouts and sync daemons. Each is one request
// answered by an ACK or an errno; errors name the service or real server and say what to do.
public sealed partial class IpvsClient
{
    /// <summary>Adds a virtual service (ipvsadm -A). Fails with AlreadyExists when it exists.</summary>
    public void AddService(IpvsServiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Change(IpvsWriteRequests.NewService(_familyId, settings), IpvsChangeKind.AddService,
            $"Adding IPVS service {settings.Key.DisplayName}", settings.Key, settings: settings);
    }

    /// <summary>Replaces every setting of a virtual service (ipvsadm -E). Fails with NotFound when it does not exist.</summary>
    public void UpdateService(IpvsServiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Change(IpvsWriteRequests.SetService(_familyId, settings), IpvsChangeKind.UpdateService,
            $"Changing IPVS service {settings.Key.DisplayName}", settings.Key, settings: settings);
    }

    /// <summary>Deletes a virtual service and its real servers (ipvsadm -D).</summary>
    public void RemoveService(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Change(IpvsWriteRequests.DelService(_familyId, key), IpvsChangeKind.RemoveService, $"Removing IPVS service {key.DisplayName}", key);
    }

    /// <summary>Adds a real server to a service (ipvsadm -a).</summary>
    public void AddDestination(IpvsServiceKey service, IpvsDestinationSettings destination)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(destination);
        Change(IpvsWriteRequests.NewDest(_familyId, service, destination), IpvsChangeKind.AddDestination,
            $"Adding real server {destination} to IPVS service {service.DisplayName}", service, destination.ToString(), destinationSettings: destination);
    }

    /// <summary>Replaces every setting of a real server (ipvsadm -e).</summary>
    public void UpdateDestination(IpvsServiceKey service, IpvsDestinationSettings destination)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(destination);
        Change(IpvsWriteRequests.SetDest(_familyId, service, destination), IpvsChangeKind.UpdateDestination,
            $"Changing real server {destination} of IPVS service {service.DisplayName}", service, destination.ToString(), destinationSettings: destination);
    }

    /// <summary>Removes a real server from a service (ipvsadm -d).</summary>
    public void RemoveDestination(IpvsServiceKey service, IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(address);
        var name = IpvsAddressText.FormatEndpoint(address.AddressFamily, address, port);
        Change(IpvsWriteRequests.DelDest(_familyId, service, address, port), IpvsChangeKind.RemoveDestination,
            $"Removing real server {name} from IPVS service {service.DisplayName}", service, name);
    }

    /// <summary>Deletes every virtual service of the namespace (ipvsadm -C).</summary>
    public void Clear() => Change(IpvsWriteRequests.Flush(_familyId), IpvsChangeKind.Clear, "Removing every IPVS service", null);

    /// <summary>Zeroes the counters of one service and its real servers, or of the whole table (ipvsadm -Z).</summary>
    public void ResetStatistics(IpvsServiceKey? service = null)
        => Change(IpvsWriteRequests.Zero(_familyId, service), service is null ? IpvsChangeKind.ZeroAll : IpvsChangeKind.ZeroService,
            service is null ? "Zeroing every IPVS counter" : $"Zeroing the counters of IPVS service {service.DisplayName}", service);

    /// <summary>Sets the tcp, tcpfin and udp timeouts (ipvsadm --set); a 0 leaves that timeout as it is.</summary>
    public void SetTimeouts(IpvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        Change(IpvsWriteRequests.SetConfig(_familyId, timeouts), IpvsChangeKind.SetTimeouts,
            $"Setting the IPVS timeouts (tcp {timeouts.Tcp}, tcpfin {timeouts.TcpFin}, udp {timeouts.Udp})", null);
    }

    /// <summary>The running connection sync daemons (ipvsadm -L --daemon): none, a master, a backup, or both.</summary>
    public IReadOnlyList<IpvsSyncDaemon> GetSyncDaemons()
    {
        var context = "Listing the IPVS sync daemons" + Where();
        var daemons = new List<IpvsSyncDaemon>();
        var ns = _namespace?.DisplayName;
        Run(context, () => _socket.Dump(IpvsWriteRequests.GetDaemonDump(_familyId), reply =>
        {
            if (reply.Type == _familyId) daemons.Add(IpvsDecoder.DecodeDaemon(reply, ns));
        }, daemons.Clear, context));
        return daemons;
    }

    /// <summary>Starts a sync daemon (ipvsadm --start-daemon).</summary>
    public void StartSyncDaemon(IpvsSyncDaemonSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var name = StateName(settings.State);
        Change(IpvsWriteRequests.NewDaemon(_familyId, settings), IpvsChangeKind.StartDaemon,
            $"Starting the IPVS {name} sync daemon on {settings.Interface}", null, daemon: name);
    }

    /// <summary>Stops a sync daemon (ipvsadm --stop-daemon).</summary>
    public void StopSyncDaemon(IpvsSyncState state)
    {
        var name = StateName(state);
        Change(IpvsWriteRequests.DelDaemon(_familyId, state), IpvsChangeKind.StopDaemon, $"Stopping the IPVS {name} sync daemon", null, daemon: name);
    }

    /// <summary>Applies one line of a restore file (see <see cref="IpvsadmRestoreText"/>), as ipvsadm -R would.</summary>
    public void Apply(IpvsConfigOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        switch (operation.Command)
        {
            case IpvsConfigCommand.AddService: AddService(operation.ServiceSettings!); break;
            case IpvsConfigCommand.EditService: UpdateService(operation.ServiceSettings!); break;
            case IpvsConfigCommand.DeleteService: RemoveService(operation.Service!); break;
            case IpvsConfigCommand.Clear: Clear(); break;
            case IpvsConfigCommand.AddDestination: AddDestination(operation.Service!, operation.Destination!); break;
            case IpvsConfigCommand.EditDestination: UpdateDestination(operation.Service!, operation.Destination!); break;
            case IpvsConfigCommand.DeleteDestination: RemoveDestination(operation.Service!, operation.DestinationAddress!, operation.DestinationPort); break;
            case IpvsConfigCommand.Zero: ResetStatistics(operation.Service); break;
            case IpvsConfigCommand.SetTimeouts: SetTimeouts(operation.Timeouts!); break;
            case IpvsConfigCommand.StartDaemon: StartSyncDaemon(operation.Daemon!); break;
            case IpvsConfigCommand.StopDaemon: StopSyncDaemon(operation.DaemonState); break;
            default: throw new ArgumentOutOfRangeException(nameof(operation), operation.Command, "not a restore command");
        }
    }

    internal static string StateName(IpvsSyncState state) => state switch
    {
        IpvsSyncState.Master => "master",
        IpvsSyncState.Backup => "backup",
        _ => state.ToString(),
    };

    private void Change(NetlinkMessageWriter request, IpvsChangeKind kind, string context, IpvsServiceKey? service, string? destination = null,
        IpvsServiceSettings? settings = null, IpvsDestinationSettings? destinationSettings = null, string? daemon = null)
    {
        context += Where();
        try
        {
            _socket.Execute(request, null, context);
        }
        catch (NetlinkException ex)
        {
            throw IpvsChangeErrors.For(ex, kind, context, service?.DisplayName, destination, settings, destinationSettings, daemon);
        }
    }
}
