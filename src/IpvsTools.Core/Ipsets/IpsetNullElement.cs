using System;
using System.Net;

namespace IpvsTools.Ipsets;

/// <summary>
/// Elements the kernel refuses for being zero once masked, found before it is asked (as the ipset
/// suite's "zero valued element" cases expect): hash:ip stores no address that its netmask or bitmask
/// turns into 0.0.0.0 or :: (IPSET_ERR_HASH_ELEM, "Null-valued element"); hash:ip,port from revision 7
/// masks its address too and refuses a zero one with EINVAL; hash:mac refuses 00:00:00:00:00:00.
/// Networks of prefix 0 are refused by the element parser (IPSET_ERR_INVALID_CIDR) except in hash:net,iface.
/// </summary>
public static class IpsetNullElement
{
    /// <summary>The kernel's refusal of <paramref name="element"/> in a set with these options, in ipset's words, or null when it takes it.</summary>
    /// <param name="element">The element (its first address is the start of a range).</param>
    /// <param name="netmask">The set's netmask, if any.</param>
    /// <param name="bitmask">The set's bitmask, if any.</param>
    /// <param name="revision">The set's revision; null when not known yet (the newest is assumed).</param>
    public static string? Problem(IpsetElement element, byte? netmask, IPAddress? bitmask, byte? revision)
    {
        var type = element.Type.Name;
        if (type == "hash:mac" && element.Mac is { } mac && Array.TrueForAll(mac, b => b == 0))
            return "Null-valued element, cannot be stored in a hash type of set (IPSET_ERR_HASH_ELEM): 00:00:00:00:00:00";
        var masksAddress = type == "hash:ip" || (type == "hash:ip,port" && (revision ?? 7) >= 7);
        if (!masksAddress || element.Address is not { } address) return null;
        var bytes = address.GetAddressBytes();
        if (bitmask is not null && bitmask.AddressFamily == address.AddressFamily)
        {
            var mask = bitmask.GetAddressBytes();
            for (var i = 0; i < bytes.Length; i++) bytes[i] &= mask[i];
        }
        else if (netmask is { } prefix)
        {
            bytes = IpsetElementParser.Mask(new IPAddress(bytes), prefix).GetAddressBytes();
        }
        if (!Array.TrueForAll(bytes, b => b == 0)) return null;
        var shown = netmask is not null || bitmask is not null ? $"{address} masked by the set's {(bitmask is not null ? "bitmask " + bitmask : "netmask " + netmask)} is zero" : $"{address} is zero";
        return type == "hash:ip"
            ? $"Null-valued element, cannot be stored in a hash type of set (IPSET_ERR_HASH_ELEM): {shown}"
            : $"the kernel refuses a zero address in hash:ip,port (EINVAL, ipset: Invalid argument): {shown}";
    }
}
