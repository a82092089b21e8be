using IpvsTools.Netlink;

namespace IpvsTools.Ipvs;

/// <summary>What a change was about, for the words of its error.</summary>
internal enum IpvsChangeKind
{
    AddService,
    UpdateService,
    RemoveService,
    AddDestination,
    UpdateDestination,
    RemoveDestination,
    Clear,
    ZeroService,
    ZeroAll,
    SetTimeouts,
    StartDaemon,
    StopDaemon,
}

/// <summary>
/// The kernel's errno answers to IPVS changes, in words that name the service or real server and say
/// what to do. ENOENT means a missing scheduler or persistence engine module for service changes and a
/// missing real server for destination changes; ESRCH a missing service (or daemon).
/// </summary>
internal static class IpvsChangeErrors
{
    public static NetlinkException For(NetlinkException error, IpvsChangeKind kind, string context, string? service = null,
        string? destination = null, IpvsServiceSettings? settings = null, IpvsDestinationSettings? destinationSettings = null,
        string? daemon = null)
    {
        if (error.Errno is Errno.EPERM or Errno.EACCES) return IpvsErrors.PermissionDenied(error, context);
        var (text, failure) = (error.Errno, kind) switch
        {
            (Errno.ESRCH, IpvsChangeKind.StopDaemon) => ($"no {daemon} sync daemon is running", FailureKind.NotFound),
            (Errno.ESRCH, _) => ($"there is no IPVS service {service}; list the services with Get-IpvsService", FailureKind.NotFound),
            (Errno.EEXIST, IpvsChangeKind.AddService) => ($"IPVS service {service} already exists; change it with Set-IpvsService or Set-IpvsScheduler", FailureKind.AlreadyExists),
            (Errno.EEXIST, IpvsChangeKind.AddDestination) => ($"IPVS service {service} already has real server {destination}; change it with Set-IpvsDestination", FailureKind.AlreadyExists),
            (Errno.EEXIST, IpvsChangeKind.StartDaemon) => ($"a {daemon} sync daemon is already running; stop it first with Stop-IpvsSyncDaemon", FailureKind.AlreadyExists),
            (Errno.ENOENT, IpvsChangeKind.AddService or IpvsChangeKind.UpdateService) => (MissingModule(settings), FailureKind.ModuleMissing),
            (Errno.ENOENT, IpvsChangeKind.UpdateDestination or IpvsChangeKind.RemoveDestination) =>
                ($"IPVS service {service} has no real server {destination}; list them with Get-IpvsDestination", FailureKind.NotFound),
            (Errno.ENODEV, IpvsChangeKind.StartDaemon) => ($"there is no such interface in this network namespace", FailureKind.NotFound),
            (Errno.EADDRNOTAVAIL, IpvsChangeKind.StartDaemon) => ("the interface has no address of the group's family to send from", FailureKind.InvalidArgument),
            (Errno.ERANGE, _) => (Range(destinationSettings), FailureKind.InvalidArgument),
            (Errno.EINVAL, IpvsChangeKind.AddDestination or IpvsChangeKind.UpdateDestination) =>
                ("the kernel refused the real server as invalid: an IPv4 real server needs a unicast address and an IPv4 address configured in the namespace (bring lo up), "
                 + "a real server of another family than the service needs Tunnel forwarding and no running sync daemon, and a GUE tunnel needs a port", FailureKind.InvalidArgument),
            (Errno.EINVAL, IpvsChangeKind.StartDaemon) =>
                ("the kernel refused the daemon settings as invalid (the group must be a multicast address; no service may have real servers of another family)", FailureKind.InvalidArgument),
            (Errno.EINVAL, _) => ("the kernel refused the request as invalid", FailureKind.InvalidArgument),
            (Errno.EAFNOSUPPORT, _) => ("the kernel's IPVS has no support for this address family (IPv6 needs CONFIG_IP_VS_IPV6 and IPv6 enabled)", FailureKind.NotSupported),
            (Errno.ENOBUFS, _) => ("the reply was lost (ENOBUFS); whether the change happened is unknown: read the table again", FailureKind.StateUnknown),
            _ => ((string?)null, error.Kind),
        };
        if (text is null) return new NetlinkException(error.Errno, error.KernelMessage, context);
        return NetlinkException.Worded(error.Errno, $"{context}: {text} ({Errno.Name(error.Errno)}).", failure, error.KernelMessage);
    }

    private static string MissingModule(IpvsServiceSettings? settings)
    {
        if (settings is null) return "the scheduler or persistence engine module is missing";
        var scheduler = IpvsSchedulers.ModuleName(settings.Scheduler);
        var text = $"the kernel has no scheduler '{settings.Scheduler}': module {scheduler} is not loaded and could not be loaded; load it with `modprobe {scheduler}`";
        if (settings.PersistenceEngine is not null)
        {
            var engine = "ip_vs_pe_" + settings.PersistenceEngine;
            text += $" (or, if the scheduler is there, the persistence engine '{settings.PersistenceEngine}' is missing: `modprobe {engine}`)";
        }
        return text;
    }

    private static string Range(IpvsDestinationSettings? destination)
        => destination is null
            ? "a value is out of range (weight below 0, or lower threshold above upper)"
            : $"the kernel refused weight {destination.Weight}, upper threshold {destination.UpperThreshold} and lower threshold {destination.LowerThreshold} as out of range (the weight must be 0 or more and the lower threshold at most the upper)";
}
