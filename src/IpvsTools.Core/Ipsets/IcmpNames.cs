using System;
using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Ipsets;

/// <summary>
/// The ICMP and ICMPv6 type/code names of the ipset tool (7.x), read from what `ipset list` prints for
/// every type/code pair: members print <c>icmp:echo-request</c> where a name exists and
/// <c>icmp:TYPE/CODE</c> otherwise, and both forms are read.
/// </summary>
internal static class IcmpNames
{
    private static readonly (byte Type, byte Code, string Name)[] V4 =
    [
        (0, 0, "echo-reply"), (3, 0, "network-unreachable"), (3, 1, "host-unreachable"), (3, 2, "protocol-unreachable"),
        (3, 3, "port-unreachable"), (3, 4, "fragmentation-needed"), (3, 5, "source-route-failed"), (3, 6, "network-unknown"),
        (3, 7, "host-unknown"), (3, 9, "network-prohibited"), (3, 10, "host-prohibited"), (3, 11, "TOS-network-unreachable"),
        (3, 12, "TOS-host-unreachable"), (3, 13, "communication-prohibited"), (3, 14, "host-precedence-violation"),
        (3, 15, "precedence-cutoff"), (4, 0, "source-quench"), (5, 0, "network-redirect"), (5, 1, "host-redirect"),
        (5, 2, "TOS-network-redirect"), (5, 3, "TOS-host-redirect"), (8, 0, "echo-request"), (9, 0, "router-advertisement"),
        (10, 0, "router-solicitation"), (11, 0, "ttl-zero-during-transit"), (11, 1, "ttl-zero-during-reassembly"),
        (12, 0, "ip-header-bad"), (12, 1, "required-option-missing"), (13, 0, "timestamp-request"), (14, 0, "timestamp-reply"),
        (17, 0, "address-mask-request"), (18, 0, "address-mask-reply"),
    ];

    // Names the tool reads but never prints: a second name for a type/code already named above (lib/icmp.c, lib/icmpv6.c).
    private static readonly (byte Type, byte Code, string Name)[] V4Aliases = [(0, 0, "pong"), (8, 0, "ping")];

    private static readonly (byte Type, byte Code, string Name)[] V6Aliases =
    [
        (128, 0, "ping"), (129, 0, "pong"), (135, 0, "neigbour-solicitation"), (136, 0, "neigbour-advertisement"),
    ];

    private static readonly (byte Type, byte Code, string Name)[] V6 =
    [
        (1, 0, "no-route"), (1, 1, "communication-prohibited"), (1, 3, "address-unreachable"), (1, 4, "port-unreachable"),
        (2, 0, "packet-too-big"), (3, 0, "ttl-zero-during-transit"), (3, 1, "ttl-zero-during-reassembly"), (4, 0, "bad-header"),
        (4, 1, "unknown-header-type"), (4, 2, "unknown-option"), (128, 0, "echo-request"), (129, 0, "echo-reply"),
        (133, 0, "router-solicitation"), (134, 0, "router-advertisement"), (135, 0, "neighbour-solicitation"),
        (136, 0, "neighbour-advertisement"), (137, 0, "redirect"),
    ];

    /// <summary>The name ipset prints for a type/code (packed as type &lt;&lt; 8 | code), or "TYPE/CODE".</summary>
    public static string Format(bool v6, ushort typeCode)
    {
        var type = (byte)(typeCode >> 8);
        var code = (byte)typeCode;
        foreach (var entry in v6 ? V6 : V4)
        {
            if (entry.Type == type && entry.Code == code) return entry.Name;
        }
        return $"{type}/{code}";
    }

    /// <summary>Reads a name (any case) or TYPE/CODE (decimal 0-255 each) into type &lt;&lt; 8 | code.</summary>
    public static bool TryParse(bool v6, string text, out ushort typeCode)
    {
        typeCode = 0;
        var slash = text.IndexOf('/');
        if (slash >= 0)
        {
            if (!TryByte(text.AsSpan(0, slash), out var type) || !TryByte(text.AsSpan(slash + 1), out var code)) return false;
            typeCode = (ushort)(type << 8 | code);
            return true;
        }
        foreach (var entry in v6 ? V6.Concat(V6Aliases) : V4.Concat(V4Aliases))
        {
            if (string.Equals(entry.Name, text, StringComparison.OrdinalIgnoreCase))
            {
                typeCode = (ushort)(entry.Type << 8 | entry.Code);
                return true;
            }
        }
        return false;
    }

    private static bool TryByte(ReadOnlySpan<char> text, out byte value)
    {
        value = 0;
        if (text.Length is 0 or > 3 || (text.Length > 1 && text[0] == '0')) return false;
        var number = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            number = number * 10 + (c - '0');
        }
        if (number > 255) return false;
        value = (byte)number;
        return true;
    }

    /// <summary>Every name, for help and completion.</summary>
    public static IEnumerable<string> Names(bool v6)
    {
        foreach (var entry in v6 ? V6 : V4) yield return entry.Name;
    }
}
