using IpvsTools.Netlink;

namespace IpvsTools.Ipvs;

/// <summary>IPVS's errno answers in words a person can act on.</summary>
internal static class IpvsErrors
{
    /// <summary>The sentence every "IPVS is not there" error starts with.</summary>
    public const string ModuleMissing = "The ip_vs kernel module is not loaded and could not be loaded (modprobe ip_vs).";

    public static NetlinkException PermissionDenied(NetlinkException error, string context)
        => NetlinkException.Worded(error.Errno,
            $"{context}: permission denied: IPVS needs CAP_NET_ADMIN: run pwsh as root (sudo pwsh) or grant the process CAP_NET_ADMIN (EPERM).",
            FailureKind.PermissionDenied, error.KernelMessage);

    public static NetlinkException ToException(NetlinkException error, string context)
    {
        var (text, kind) = error.Errno switch
        {
            Errno.EPERM or Errno.EACCES => (null, FailureKind.PermissionDenied),
            Errno.ESRCH => ("there is no such virtual service", FailureKind.NotFound),
            Errno.EEXIST => ("it already exists", FailureKind.AlreadyExists),
            Errno.ENOENT => ("the scheduler or persistence engine module is missing, or there is no such destination", FailureKind.NotFound),
            Errno.EAFNOSUPPORT => ("the kernel's IPVS has no support for this address family (IPv6 needs CONFIG_IP_VS_IPV6 and IPv6 enabled)", FailureKind.NotSupported),
            Errno.ERANGE => ("a value is out of range (weight below 0, or lower threshold above upper)", FailureKind.InvalidArgument),
            Errno.EINVAL => ("the kernel refused the request as malformed", FailureKind.InvalidArgument),
            _ => ((string?)null, error.Kind),
        };
        if (kind == FailureKind.PermissionDenied) return PermissionDenied(error, context);
        if (text is null) return new NetlinkException(error.Errno, error.KernelMessage, context);
        return NetlinkException.Worded(error.Errno, $"{context}: {text} ({Errno.Name(error.Errno)}).", kind, error.KernelMessage);
    }
}
