using System;
using System.Collections.Generic;
using System.Net;
using IpvsTools.Netlink;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

// The changes: services, destinations, flush, zero, timeouts and sync daemons. Each is one request
// answered by an ACK or an errno; errors name the service or real server and say what to do.
public sealed partial class IpvsClient
{
    /// <summary>Adds a virtual service (ipvsadm -A). Fails with AlreadyExists when it exists.</summary>
    public void AddService(IpvsServiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Change(new(IpvsWriteRequests.NewService(_familyId, settings), IpvsChangeKind.AddService, settings.Key, Settings: settings));
    }

    /// <summary>Replaces every setting of a virtual service (ipvsadm -E). Fails with NotFound when it does not exist.</summary>
    public void UpdateService(IpvsServiceSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Change(new(IpvsWriteRequests.SetService(_familyId, settings), IpvsChangeKind.UpdateService, settings.Key, Settings: settings));
    }

    /// <summary>Deletes a virtual service and its real servers (ipvsadm -D).</summary>
    public void RemoveService(IpvsServiceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Change(new(IpvsWriteRequests.DelService(_familyId, key), IpvsChangeKind.RemoveService, key));
    }

    /// <summary>Adds a real server to a service (ipvsadm -a).</summary>
    public void AddDestination(IpvsServiceKey service, IpvsDestinationSettings destination)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(destination);
        Change(new(IpvsWriteRequests.NewDest(_familyId, service, destination), IpvsChangeKind.AddDestination, service, DestinationSettings: destination));
    }

    /// <summary>Replaces every setting of a real server (ipvsadm -e).</summary>
    public void UpdateDestination(IpvsServiceKey service, IpvsDestinationSettings destination)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(destination);
        Change(new(IpvsWriteRequests.SetDest(_familyId, service, destination), IpvsChangeKind.UpdateDestination, service, DestinationSettings: destination));
    }

    /// <summary>Removes a real server from a service (ipvsadm -d).</summary>
    public void RemoveDestination(IpvsServiceKey service, IPAddress address, ushort port)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(address);
        Change(new(IpvsWriteRequests.DelDest(_familyId, service, address, port), IpvsChangeKind.RemoveDestination, service, Address: address, Port: port));
    }

    /// <summary>Deletes every virtual service of the namespace (ipvsadm -C).</summary>
    public void Clear() => Change(new(IpvsWriteRequests.Flush(_familyId), IpvsChangeKind.Clear, null));

    /// <summary>Zeroes the counters of one service and its real servers, or of the whole table (ipvsadm -Z).</summary>
    public void ResetStatistics(IpvsServiceKey? service = null)
        => Change(new(IpvsWriteRequests.Zero(_familyId, service), service is null ? IpvsChangeKind.ZeroAll : IpvsChangeKind.ZeroService, service));

    /// <summary>Sets the tcp, tcpfin and udp timeouts (ipvsadm --set); a 0 leaves that timeout as it is.</summary>
    public void SetTimeouts(IpvsTimeouts timeouts)
    {
        ArgumentNullException.ThrowIfNull(timeouts);
        Change(new(IpvsWriteRequests.SetConfig(_familyId, timeouts), IpvsChangeKind.SetTimeouts, null, Timeouts: timeouts));
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
        Change(new(IpvsWriteRequests.NewDaemon(_familyId, settings), IpvsChangeKind.StartDaemon, null, Daemon: settings));
    }

    /// <summary>Stops a sync daemon (ipvsadm --stop-daemon).</summary>
    public void StopSyncDaemon(IpvsSyncState state)
        => Change(new(IpvsWriteRequests.DelDaemon(_familyId, state), IpvsChangeKind.StopDaemon, null, DaemonState: state));

    /// <summary>Applies one line of a restore file (see <see cref="IpvsadmRestoreText"/>), as ipvsadm -R would.</summary>
    public void Apply(IpvsConfigOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        Change(ChangeFor(operation));
    }

    /// <summary>The request of one restore line, with what its error would name.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private IpvsChange ChangeFor(IpvsConfigOperation operation)
    {
        var service = operation.Service;
        return operation.Command switch
        {
            IpvsConfigCommand.AddService => new(IpvsWriteRequests.NewService(_familyId, operation.ServiceSettings!), IpvsChangeKind.AddService, service, Settings: operation.ServiceSettings),
            IpvsConfigCommand.EditService => new(IpvsWriteRequests.SetService(_familyId, operation.ServiceSettings!), IpvsChangeKind.UpdateService, service, Settings: operation.ServiceSettings),
            IpvsConfigCommand.DeleteService => new(IpvsWriteRequests.DelService(_familyId, service!), IpvsChangeKind.RemoveService, service),
            IpvsConfigCommand.Clear => new(IpvsWriteRequests.Flush(_familyId), IpvsChangeKind.Clear, null),
            IpvsConfigCommand.AddDestination => new(IpvsWriteRequests.NewDest(_familyId, service!, operation.Destination!), IpvsChangeKind.AddDestination, service, DestinationSettings: operation.Destination),
            IpvsConfigCommand.EditDestination => new(IpvsWriteRequests.SetDest(_familyId, service!, operation.Destination!), IpvsChangeKind.UpdateDestination, service, DestinationSettings: operation.Destination),
            IpvsConfigCommand.DeleteDestination => new(IpvsWriteRequests.DelDest(_familyId, service!, operation.DestinationAddress!, operation.DestinationPort),
                IpvsChangeKind.RemoveDestination, service, Address: operation.DestinationAddress, Port: operation.DestinationPort),
            IpvsConfigCommand.Zero => new(IpvsWriteRequests.Zero(_familyId, service), service is null ? IpvsChangeKind.ZeroAll : IpvsChangeKind.ZeroService, service),
            IpvsConfigCommand.SetTimeouts => new(IpvsWriteRequests.SetConfig(_familyId, operation.Timeouts!), IpvsChangeKind.SetTimeouts, null, Timeouts: operation.Timeouts),
            IpvsConfigCommand.StartDaemon => new(IpvsWriteRequests.NewDaemon(_familyId, operation.Daemon!), IpvsChangeKind.StartDaemon, null, Daemon: operation.Daemon),
            IpvsConfigCommand.StopDaemon => new(IpvsWriteRequests.DelDaemon(_familyId, operation.DaemonState), IpvsChangeKind.StopDaemon, null, DaemonState: operation.DaemonState),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation.Command, "not a restore command"),
        };
    }

    internal static string StateName(IpvsSyncState state) => state switch
    {
        IpvsSyncState.Master => "master",
        IpvsSyncState.Backup => "backup",
        _ => state.ToString(),
    };

    private void Change(IpvsChange change)
    {
        var context = change.Describe() + Where();
        try
        {
            _socket.Execute(change.Request, null, context);
        }
        catch (NetlinkException ex)
        {
            throw ErrorOf(change, ex, context);
        }
    }

    /// <summary>The kernel's refusal of a change in words that name what it was about.</summary>
    private NetlinkException ErrorOf(IpvsChange change, NetlinkException error, string? context = null)
        => IpvsChangeErrors.For(error, change.Kind, context ?? change.Describe() + Where(), change.Service?.DisplayName, change.DestinationName,
            change.Settings, change.DestinationSettings, change.DaemonName);
}
