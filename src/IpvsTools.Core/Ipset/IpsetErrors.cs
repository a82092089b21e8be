using IpvsTools.Netlink;

namespace IpvsTools.IpsetWire;

/// <summary>ipset's private error numbers (4096 and up) in words, as the ipset tool words them.</summary>
internal static class IpsetErrors
{
    public const int Protocol = 4097, FindType = 4098, Busy = 4100, ExistSetName2 = 4101, TypeMismatch = 4102, Exist = 4103,
        Referenced = 4108, HashFull = 4352;

    /// <summary>A refusal of one element of a batch, worded for what was asked (add or delete).</summary>
    public static IpvsToolsException ForElement(NetlinkException error, bool add, string setName, IpsetEntry entry, string where)
    {
        var context = $"{(add ? "Adding" : "Deleting")} {entry.Element} {(add ? "to" : "from")} ipset '{setName}'{where}";
        if (error.Errno == Exist)
            return add
                ? NetlinkException.Worded(error.Errno, $"{context}: it is already in the set.", FailureKind.AlreadyExists, error.KernelMessage)
                : NetlinkException.Worded(error.Errno, $"{context}: it is not in the set.", FailureKind.NotFound, error.KernelMessage);
        return ToException(error, context);
    }

    public static NetlinkException ToException(NetlinkException error, string context)
    {
        var (text, kind) = error.Errno switch
        {
            4097 => ("the kernel does not speak this ipset protocol version", FailureKind.NotSupported),
            4098 => ("the kernel does not support this set type (is its ip_set_* module loadable?)", FailureKind.ModuleMissing),
            4099 => ("the kernel's maximum number of sets is reached", FailureKind.Other),
            4100 => ("the set is in use by another operation", FailureKind.Busy),
            4101 => ("the second set does not exist", FailureKind.NotFound),
            4102 => ("the sets have different types or families", FailureKind.InvalidArgument),
            4103 => ("the element is already added, or is missing", FailureKind.AlreadyExists),
            4104 => ("the CIDR is not valid", FailureKind.InvalidArgument),
            4105 => ("the netmask is not valid", FailureKind.InvalidArgument),
            4106 => ("the family is not valid for this set type", FailureKind.InvalidArgument),
            4107 => ("the set has no timeout support", FailureKind.InvalidArgument),
            4108 => ("the set is referenced by iptables rules or another set", FailureKind.Busy),
            4109 => ("the IPv4 address is not valid", FailureKind.InvalidArgument),
            4110 => ("the IPv6 address is not valid", FailureKind.InvalidArgument),
            4111 => ("the set has no counter support", FailureKind.InvalidArgument),
            4112 => ("the set has no comment support", FailureKind.InvalidArgument),
            4113 => ("the range is invalid", FailureKind.InvalidArgument),
            4114 => ("the set has no skbinfo support", FailureKind.InvalidArgument),
            4352 => ("the set is full (raise maxelem)", FailureKind.Other),
            4353 => ("the set has more elements than a hash can hold", FailureKind.Other),
            4354 => ("the protocol is not valid for this set", FailureKind.InvalidArgument),
            4355 => ("a protocol must be given for this port", FailureKind.InvalidArgument),
            Errno.ENOENT => ("the set does not exist", FailureKind.NotFound),
            Errno.EPERM => ("permission denied: ipsets need CAP_NET_ADMIN. Run pwsh as root (sudo pwsh) or grant the process CAP_NET_ADMIN", FailureKind.PermissionDenied),
            _ => (null, error.Kind),
        };
        if (text is null) return new NetlinkException(error.Errno, error.KernelMessage, context);
        var named = error.Errno >= 4096 ? "IPSET_ERR#" + error.Errno : Errno.Name(error.Errno);
        return NetlinkException.Worded(error.Errno, $"{context}: {text} ({named}).", kind, error.KernelMessage);
    }
}
