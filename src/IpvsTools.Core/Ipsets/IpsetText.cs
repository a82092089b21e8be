using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools.Ipsets;

/// <summary>The text forms the ipset tool (7.x) prints: elements, options, headers, `ipset list`.</summary>
public static class IpsetText
{
    /// <summary>The element of a member as `ipset list` prints it, following the dimensions of its set type.</summary>
    public static string FormatElement(IpsetMember member)
    {
        var colon = member.SetType.IndexOf(':');
        var dimensions = (colon < 0 ? member.SetType : member.SetType.Substring(colon + 1)).Split(',');
        var isBitmap = member.SetType.StartsWith("bitmap:", System.StringComparison.Ordinal);
        var text = new StringBuilder();
        var addressesUsed = 0;
        foreach (var dimension in dimensions)
        {
            if (text.Length > 0) text.Append(',');
            switch (dimension)
            {
                case "ip":
                case "net":
                    var (address, cidr) = addressesUsed++ == 0 ? (member.Address, member.Cidr) : (member.Address2, member.Cidr2);
                    text.Append(FormatAddress(address, cidr));
                    break;
                case "port":
                    if (isBitmap || member.Protocol is null) text.Append(member.Port);
                    else text.Append(FormatProtocolPort(member.Protocol, member.Port ?? 0));
                    break;
                case "mark":
                    text.Append("0x").Append((member.Mark ?? 0).ToString("x8", CultureInfo.InvariantCulture));
                    break;
                case "iface":
                    if (member.PhysicalDevice) text.Append("physdev:");
                    text.Append(member.Interface);
                    break;
                case "mac":
                    // bitmap:ip,mac: a member whose MAC is not learned yet prints as its address alone.
                    if (member.MacAddress is null && text.Length > 0 && text[^1] == ',') text.Length--;
                    else text.Append(member.MacAddress);
                    break;
                case "set":
                    text.Append(member.MemberSetName);
                    break;
                default:
                    text.Append('?');
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>The extensions after an element: timeout, nomatch, counters, comment, skbinfo.</summary>
    public static string FormatOptions(IpsetMember member)
    {
        var parts = new List<string>();
        if (member.Timeout is { } timeout) parts.Add("timeout " + timeout.ToString(CultureInfo.InvariantCulture));
        if (member.NoMatch) parts.Add("nomatch");
        if (member.Wildcard) parts.Add("wildcard");
        if (member.Packets is { } packets) parts.Add("packets " + packets.ToString(CultureInfo.InvariantCulture));
        if (member.Bytes is { } bytes) parts.Add("bytes " + bytes.ToString(CultureInfo.InvariantCulture));
        if (member.Comment is { } comment) parts.Add("comment \"" + comment + "\"");
        if (member.SkbMark is { } mark)
        {
            var mask = member.SkbMarkMask ?? 0xFFFFFFFF;
            parts.Add(mask == 0xFFFFFFFF ? $"skbmark 0x{mark:x}" : $"skbmark 0x{mark:x}/0x{mask:x}");
        }
        if (member.SkbPriority is { } priority) parts.Add($"skbprio {priority >> 16:x}:{priority & 0xFFFF:x}");
        if (member.SkbQueue is { } queue) parts.Add("skbqueue " + queue.ToString(CultureInfo.InvariantCulture));
        return string.Join(" ", parts);
    }

    // The order of sets of a type IpvsTools does not know (the common order of the hash types).
    private static readonly string[] FallbackOrder =
        ["range", "family", "hashsize", "maxelem", "netmask", "timeout", "counters", "comment", "skbinfo", "bucketsize", "initval"];

    /// <summary>
    /// The Header line of `ipset list` (and the create options of `ipset save`): the options the kernel
    /// reported, in the order of the type's create arguments in ipset 7.17. The family is printed only
    /// by types that take one (not bitmap:ip, whose family is fixed); forceadd is never printed.
    /// </summary>
    public static string FormatHeader(Ipset set)
    {
        var parts = new List<string>();
        var order = IpsetTypeInfo.Find(set.Type)?.CreateOptions ?? FallbackOrder;
        foreach (var option in order)
        {
            string? value = option switch
            {
                "range" => set.Range,
                "family" => set.Family,
                "hashsize" => Number(set.HashSize),
                "maxelem" => Number(set.MaxElements),
                "netmask" => Number(set.Netmask),
                "bitmask" => set.Bitmask,
                "markmask" => set.MarkMask is { } markMask ? "0x" + markMask.ToString("x8", CultureInfo.InvariantCulture) : null,
                "size" => Number(set.Size),
                "timeout" => Number(set.Timeout),
                "bucketsize" => Number(set.BucketSize),
                "initval" => set.InitVal is { } initVal ? "0x" + initVal.ToString("x8", CultureInfo.InvariantCulture) : null,
                _ => null,
            };
            if (value is not null) parts.Add(option + " " + value);
            else if ((option == "counters" && set.Counters) || (option == "comment" && set.Comment) || (option == "skbinfo" && set.SkbInfo))
                parts.Add(option);
        }
        return string.Join(" ", parts);
    }

    private static string? Number(uint? value) => value?.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Sets as `ipset save` prints them: per set a create line (name, type, header: bucketsize and
    /// initval as the kernel reported them) and an add line per member, in the kernel's order.
    /// `ipset restore` and Import-Ipset read it back.
    /// </summary>
    public static string FormatSave(IEnumerable<Ipset> sets)
    {
        var text = new StringBuilder();
        foreach (var set in sets)
        {
            text.Append("create ").Append(set.Name).Append(' ').Append(set.Type);
            if (set.Header.Length > 0) text.Append(' ').Append(set.Header);
            text.Append('\n');
            foreach (var member in set.Members) text.Append("add ").Append(set.Name).Append(' ').Append(member.ListLine).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>The protocol name ipset prints for an IP protocol number (its name in /etc/protocols, else the number).</summary>
    public static string ProtocolName(byte protocol) => IpProtocols.Name(protocol);

    private static string FormatProtocolPort(string protocol, ushort port)
        => protocol switch
        {
            "icmp" => "icmp:" + IcmpNames.Format(false, port),
            "ipv6-icmp" => "ipv6-icmp:" + IcmpNames.Format(true, port),
            _ => $"{protocol}:{port.ToString(CultureInfo.InvariantCulture)}",
        };

    private static string FormatAddress(IPAddress? address, byte? cidr)
    {
        if (address is null) return "";
        var full = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        return cidr is { } c && c != full ? $"{address}/{c}" : address.ToString();
    }
}
