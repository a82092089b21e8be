using System;
using System.Collections.Generic;
using System.Net;
using IpvsTools.Netlink;

namespace IpvsTools.Ipvs;

/// <summary>What one write of an IPVS batch does.</summary>
public enum IpvsWriteKind
{
    /// <summary>ipvsadm -A.</summary>
    AddService = 0,

    /// <summary>ipvsadm -E.</summary>
    UpdateService = 1,

    /// <summary>ipvsadm -D.</summary>
    RemoveService = 2,

    /// <summary>ipvsadm -a.</summary>
    AddDestination = 3,

    /// <summary>ipvsadm -e.</summary>
    UpdateDestination = 4,

    /// <summary>ipvsadm -d.</summary>
    RemoveDestination = 5,
}

/// <summary>One write of an IPVS batch (<see cref="IpvsClient.ApplyBatch"/>).</summary>
public sealed class IpvsWrite
{
    private IpvsWrite(IpvsWriteKind kind, IpvsServiceKey service)
    {
        Kind = kind;
        Service = service;
    }

    /// <summary>What it does.</summary>
    public IpvsWriteKind Kind { get; }

    /// <summary>The virtual server.</summary>
    public IpvsServiceKey Service { get; }

    /// <summary>The service's settings (Add/UpdateService).</summary>
    public IpvsServiceSettings? ServiceSettings { get; private init; }

    /// <summary>The real server's settings (Add/UpdateDestination).</summary>
    public IpvsDestinationSettings? Destination { get; private init; }

    /// <summary>The real server's address (RemoveDestination).</summary>
    public IPAddress? DestinationAddress { get; private init; }

    /// <summary>The real server's port (RemoveDestination).</summary>
    public ushort DestinationPort { get; private init; }

    public static IpvsWrite AddService(IpvsServiceSettings s) => new(IpvsWriteKind.AddService, s.Key) { ServiceSettings = s };

    public static IpvsWrite UpdateService(IpvsServiceSettings s) => new(IpvsWriteKind.UpdateService, s.Key) { ServiceSettings = s };

    public static IpvsWrite RemoveService(IpvsServiceKey key) => new(IpvsWriteKind.RemoveService, key);

    public static IpvsWrite AddDestination(IpvsServiceKey key, IpvsDestinationSettings d) => new(IpvsWriteKind.AddDestination, key) { Destination = d };

    public static IpvsWrite UpdateDestination(IpvsServiceKey key, IpvsDestinationSettings d) => new(IpvsWriteKind.UpdateDestination, key) { Destination = d };

    public static IpvsWrite RemoveDestination(IpvsServiceKey key, IPAddress address, ushort port)
        => new(IpvsWriteKind.RemoveDestination, key) { DestinationAddress = address, DestinationPort = port };

    /// <summary>The real server as "10.244.0.5:53", or null for service writes.</summary>
    public string? DestinationName => Destination?.ToString()
        ?? (DestinationAddress is null ? null : IpvsAddressText.FormatEndpoint(DestinationAddress.AddressFamily, DestinationAddress, DestinationPort));
}

// Many writes pipelined on one socket: the kernel handles a socket's requests in order, so a service
// added earlier in the batch exists for the real servers that follow it.
public sealed partial class IpvsClient
{
    /// <summary>Requests sent before their answers are read: their ACKs (and echoed errors) fit the receive buffer many times over.</summary>
    public const int BatchWindow = 256;

    /// <summary>
    /// Carries out <paramref name="writes"/> in order, <see cref="BatchWindow"/> requests in flight, and
    /// reports each outcome by index (null: applied; else the error in words, as the single writes word
    /// it). After a window with a failure no further window is sent: returns how many writes were
    /// answered (the rest were not sent).
    /// </summary>
    public int ApplyBatch(IReadOnlyList<IpvsWrite> writes, Action<int, IpvsToolsException?> onResult)
    {
        ArgumentNullException.ThrowIfNull(writes);
        ArgumentNullException.ThrowIfNull(onResult);
        var answered = 0;
        while (answered < writes.Count)
        {
            var count = Math.Min(BatchWindow, writes.Count - answered);
            var requests = new List<byte[]>(count);
            for (var i = 0; i < count; i++) requests.Add(Request(writes[answered + i]).ToArray());
            var failed = false;
            var first = answered;
            var context = $"Writing {count} IPVS change(s)" + Where();
            try
            {
                _socket.ExecuteBatch(requests, _socket.RepliesTheBufferHolds(count), (index, errno, text) =>
                {
                    var write = writes[first + index];
                    IpvsToolsException? error = null;
                    if (errno != 0)
                    {
                        failed = true;
                        error = ErrorOf(write, new NetlinkException(errno, text));
                    }
                    onResult(first + index, error);
                }, context);
            }
            catch (NetlinkException ex)
            {
                throw IpvsChangeErrors.For(ex, KindOf(writes[first].Kind), context);
            }
            answered += count;
            if (failed) break;
        }
        return answered;
    }

    private NetlinkMessageWriter Request(IpvsWrite w) => w.Kind switch
    {
        IpvsWriteKind.AddService => IpvsWriteRequests.NewService(_familyId, w.ServiceSettings!),
        IpvsWriteKind.UpdateService => IpvsWriteRequests.SetService(_familyId, w.ServiceSettings!),
        IpvsWriteKind.RemoveService => IpvsWriteRequests.DelService(_familyId, w.Service),
        IpvsWriteKind.AddDestination => IpvsWriteRequests.NewDest(_familyId, w.Service, w.Destination!),
        IpvsWriteKind.UpdateDestination => IpvsWriteRequests.SetDest(_familyId, w.Service, w.Destination!),
        IpvsWriteKind.RemoveDestination => IpvsWriteRequests.DelDest(_familyId, w.Service, w.DestinationAddress!, w.DestinationPort),
        _ => throw new ArgumentOutOfRangeException(nameof(w), w.Kind, "not an IPVS write"),
    };

    private NetlinkException ErrorOf(IpvsWrite w, NetlinkException error)
    {
        var context = w.Kind switch
        {
            IpvsWriteKind.AddService => $"Adding IPVS service {w.Service.DisplayName}",
            IpvsWriteKind.UpdateService => $"Changing IPVS service {w.Service.DisplayName}",
            IpvsWriteKind.RemoveService => $"Removing IPVS service {w.Service.DisplayName}",
            IpvsWriteKind.AddDestination => $"Adding real server {w.DestinationName} to IPVS service {w.Service.DisplayName}",
            IpvsWriteKind.UpdateDestination => $"Changing real server {w.DestinationName} of IPVS service {w.Service.DisplayName}",
            _ => $"Removing real server {w.DestinationName} from IPVS service {w.Service.DisplayName}",
        } + Where();
        return IpvsChangeErrors.For(error, KindOf(w.Kind), context, w.Service.DisplayName, w.DestinationName, w.ServiceSettings, w.Destination);
    }

    private static IpvsChangeKind KindOf(IpvsWriteKind kind) => kind switch
    {
        IpvsWriteKind.AddService => IpvsChangeKind.AddService,
        IpvsWriteKind.UpdateService => IpvsChangeKind.UpdateService,
        IpvsWriteKind.RemoveService => IpvsChangeKind.RemoveService,
        IpvsWriteKind.AddDestination => IpvsChangeKind.AddDestination,
        IpvsWriteKind.UpdateDestination => IpvsChangeKind.UpdateDestination,
        _ => IpvsChangeKind.RemoveDestination,
    };
}
