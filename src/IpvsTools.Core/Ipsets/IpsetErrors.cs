using IpvsTools.Netlink;

namespace IpvsTools.Ipsets;

/// <summary>
/// ipset's private error numbers (include/uapi/linux/netfilter/ipset/ip_set*.h) in words, as the
/// ipset tool (lib/errcode.c) words them. Numbers from 4352 up mean one thing for bitmap types, another
/// for hash types and another for list:set, so the set's type picks the table.
/// </summary>
internal static class IpsetErrors
{
    public const int Protocol = 4097, FindType = 4098, MaxSets = 4099, Busy = 4100, ExistSetName2 = 4101, TypeMismatch = 4102, Exist = 4103,
        InvalidCidr = 4104, InvalidNetmask = 4105, InvalidFamily = 4106, Timeout = 4107, Referenced = 4108, IpAddrIpv4 = 4109,
        IpAddrIpv6 = 4110, Counter = 4111, Comment = 4112, InvalidMarkmask = 4113, SkbInfo = 4114, BitmaskNetmaskExclusive = 4115,
        TypeSpecific = 4352;

    // Type-specific numbers (ip_set_bitmap.h, ip_set_hash.h, ip_set_list.h).
    public const int BitmapRange = 4352, BitmapRangeSize = 4353;
    public const int HashFull = 4352, HashElem = 4353, InvalidProto = 4354, MissingProto = 4355, HashRangeUnsupported = 4356, HashRange = 4357;
    public const int ListName = 4352, ListLoop = 4353, ListBefore = 4354, ListNameRef = 4355, ListFull = 4356, ListRefExist = 4357;

    /// <summary>A refusal of one element of a batch, worded for what was asked (add or delete) and the set's type.</summary>
    public static IpvsToolsException ForElement(NetlinkException error, bool add, string setName, IpsetEntry entry, string where)
    {
        var context = $"{(add ? "Adding" : "Deleting")} {entry.Element} {(add ? "to" : "from")} ipset '{setName}'{where}";
        if (error.Errno == Exist)
            return add
                ? NetlinkException.Worded(error.Errno, $"{context}: it is already in the set.", FailureKind.AlreadyExists, error.KernelMessage)
                : NetlinkException.Worded(error.Errno, $"{context}: it is not in the set.", FailureKind.NotFound, error.KernelMessage);
        return ToException(error, context, entry.Element.Type.Name);
    }

    /// <summary>
    /// The error in ipset's words, after <paramref name="context"/>. <paramref name="setType"/> (hash:ip,
    /// bitmap:port, list:set...) decides what a type-specific number means; without it they are named as
    /// numbers only.
    /// </summary>
    public static NetlinkException ToException(NetlinkException error, string context, string? setType = null)
    {
        var (text, kind) = Describe(error.Errno, setType);
        if (text is null) return new NetlinkException(error.Errno, error.KernelMessage, context);
        return NetlinkException.Worded(error.Errno, $"{context}: {text} ({Name(error.Errno, setType)}).", kind, error.KernelMessage);
    }

    /// <summary>What ipset 7.17 says for <paramref name="errno"/> on a set of <paramref name="setType"/>, and the kind of failure; null text when it is not an ipset number.</summary>
    public static (string? Text, FailureKind Kind) Describe(int errno, string? setType)
    {
        if (errno >= TypeSpecific)
        {
            if (setType?.StartsWith("bitmap:", System.StringComparison.Ordinal) == true)
            {
                return errno switch
                {
                    BitmapRange => ("the element is out of the range of the set", FailureKind.InvalidArgument),
                    BitmapRangeSize => ("the range exceeds the size limit of the set type (at most 65536 elements)", FailureKind.InvalidArgument),
                    _ => (null, FailureKind.Other),
                };
            }
            if (setType?.StartsWith("hash:", System.StringComparison.Ordinal) == true)
            {
                return errno switch
                {
                    HashFull => ("the hash is full, it cannot hold more elements (raise maxelem)", FailureKind.Other),
                    HashElem => ("a null-valued element (an address or port of zero) cannot be stored in a hash type of set", FailureKind.InvalidArgument),
                    InvalidProto => ("the protocol is not valid for this set", FailureKind.InvalidArgument),
                    MissingProto => ("a protocol is missing, but must be given", FailureKind.InvalidArgument),
                    HashRangeUnsupported => ("a range is not supported in the net part of the element", FailureKind.InvalidArgument),
                    HashRange => ("the range is invalid: it covers the whole address space", FailureKind.InvalidArgument),
                    _ => (null, FailureKind.Other),
                };
            }
            if (setType?.StartsWith("list:", System.StringComparison.Ordinal) == true)
            {
                return errno switch
                {
                    ListName => ("the set to be added, deleted or tested as an element does not exist", FailureKind.NotFound),
                    ListLoop => ("sets of type list:set cannot be added to a list:set", FailureKind.InvalidArgument),
                    ListBefore => ("no reference set is given", FailureKind.InvalidArgument),
                    ListNameRef => ("the set referred to with before or after does not exist", FailureKind.NotFound),
                    ListFull => ("the set is full, it cannot hold more elements (raise size)", FailureKind.Other),
                    ListRefExist => ("the set referred to with before or after is not in the set", FailureKind.NotFound),
                    _ => (null, FailureKind.Other),
                };
            }
            return ($"the kernel refused with type-specific ipset error {errno}", FailureKind.Other);
        }
        return errno switch
        {
            Protocol => ("the kernel does not speak this ipset protocol version", FailureKind.NotSupported),
            FindType => ("the kernel does not support this set type (is its ip_set_* module loadable?)", FailureKind.ModuleMissing),
            MaxSets => ("the kernel's maximum number of sets is reached", FailureKind.Other),
            Busy => ("the set is in use by a kernel component (iptables rules or another set)", FailureKind.Busy),
            ExistSetName2 => ("the second set does not exist, or the new name is taken", FailureKind.NotFound),
            TypeMismatch => ("the sets' types do not match", FailureKind.InvalidArgument),
            Exist => ("the element is already added, or is missing", FailureKind.AlreadyExists),
            InvalidCidr => ("the CIDR (prefix length) of the address is invalid", FailureKind.InvalidArgument),
            InvalidNetmask => ("the value of the netmask is invalid", FailureKind.InvalidArgument),
            InvalidFamily => ("the protocol family is not supported by the set type", FailureKind.InvalidArgument),
            Timeout => ("a timeout cannot be used: the set was created without timeout support", FailureKind.InvalidArgument),
            Referenced => ("the set is in use by iptables rules or another set", FailureKind.Busy),
            IpAddrIpv4 => ("an IPv4 address is expected", FailureKind.InvalidArgument),
            IpAddrIpv6 => ("an IPv6 address is expected", FailureKind.InvalidArgument),
            Counter => ("packet and byte counters cannot be used: the set was created without counter support", FailureKind.InvalidArgument),
            Comment => ("a comment cannot be used: the set was created without comment support", FailureKind.InvalidArgument),
            InvalidMarkmask => ("the value of the markmask is invalid", FailureKind.InvalidArgument),
            SkbInfo => ("skbinfo cannot be used: the set was created without skbinfo support", FailureKind.InvalidArgument),
            BitmaskNetmaskExclusive => ("netmask and bitmask exclude each other: give only one", FailureKind.InvalidArgument),
            Errno.ENOENT => ("the set does not exist", FailureKind.NotFound),
            Errno.ERANGE => ("the range is too large: split it into smaller ranges", FailureKind.InvalidArgument),
            Errno.EPERM => ("permission denied: ipsets need CAP_NET_ADMIN. Run pwsh as root (sudo pwsh) or grant the process CAP_NET_ADMIN", FailureKind.PermissionDenied),
            _ => (null, FailureKind.Other),
        };
    }

    /// <summary>The symbolic name of an ipset error number (IPSET_ERR_HASH_ELEM...), or the errno name.</summary>
    public static string Name(int errno, string? setType)
    {
        if (errno < 4096) return Errno.Name(errno);
        string? name = errno switch
        {
            Protocol => "PROTOCOL", FindType => "FIND_TYPE", MaxSets => "MAX_SETS", Busy => "BUSY", ExistSetName2 => "EXIST_SETNAME2",
            TypeMismatch => "TYPE_MISMATCH", Exist => "EXIST", InvalidCidr => "INVALID_CIDR", InvalidNetmask => "INVALID_NETMASK",
            InvalidFamily => "INVALID_FAMILY", Timeout => "TIMEOUT", Referenced => "REFERENCED", IpAddrIpv4 => "IPADDR_IPV4",
            IpAddrIpv6 => "IPADDR_IPV6", Counter => "COUNTER", Comment => "COMMENT", InvalidMarkmask => "INVALID_MARKMASK",
            SkbInfo => "SKBINFO", BitmaskNetmaskExclusive => "BITMASK_NETMASK_EXCL",
            _ => null,
        };
        if (name is null && errno >= TypeSpecific)
        {
            var i = errno - TypeSpecific;
            string[]? names = setType switch
            {
                { } t when t.StartsWith("bitmap:", System.StringComparison.Ordinal) => ["BITMAP_RANGE", "BITMAP_RANGE_SIZE"],
                { } t when t.StartsWith("hash:", System.StringComparison.Ordinal) => ["HASH_FULL", "HASH_ELEM", "INVALID_PROTO", "MISSING_PROTO", "HASH_RANGE_UNSUPPORTED", "HASH_RANGE"],
                { } t when t.StartsWith("list:", System.StringComparison.Ordinal) => ["NAME", "LOOP", "BEFORE", "NAMEREF", "LIST_FULL", "REF_EXIST"],
                _ => null,
            };
            if (names is not null && i < names.Length) name = names[i];
        }
        return name is null ? "IPSET_ERR#" + errno : $"IPSET_ERR_{name}, {errno}";
    }
}
