using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;

namespace IpvsTools.Ipsets;

/// <summary>
/// IP protocol names as the ipset tool prints and reads them: the official name of each number in the
/// system's /etc/protocols (what getprotobynumber gives it: 4 is ipencap, 47 gre, 58 ipv6-icmp), the
/// number itself when the file has none. tcp, udp, sctp, udplite, icmp and ipv6-icmp are known even
/// without the file; icmpv6 is read as ipv6-icmp, as ipset reads it.
/// </summary>
internal static class IpProtocols
{
    public const byte Icmp = 1, Tcp = 6, Udp = 17, Icmpv6 = 58, Sctp = 132, UdpLite = 136;

    private static readonly Lazy<(Dictionary<byte, string> Names, Dictionary<string, byte> Numbers)> Table = new(Load);

    /// <summary>The name ipset prints for a protocol number.</summary>
    public static string Name(byte protocol)
        => Table.Value.Names.TryGetValue(protocol, out var name) ? name : protocol.ToString(CultureInfo.InvariantCulture);

    /// <summary>A protocol by name (any case) or decimal number 0-255.</summary>
    public static bool TryParse(string text, out byte protocol)
    {
        protocol = 0;
        if (string.IsNullOrEmpty(text)) return false;
        if (char.IsAsciiDigit(text[0]))
        {
            if (text.Length > 1 && text[0] == '0') return false;
            foreach (var c in text) if (!char.IsAsciiDigit(c)) return false;
            if (text.Length > 3 || !byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out protocol)) return false;
            return true;
        }
        return Table.Value.Numbers.TryGetValue(text.ToLowerInvariant(), out protocol);
    }

    /// <summary>Protocols whose members carry a real port (the kernel zeroes the port of any other protocol).</summary>
    public static bool HasPorts(byte protocol) => protocol is Tcp or Udp or Sctp or UdpLite;

    private static (Dictionary<byte, string>, Dictionary<string, byte>) Load()
    {
        var names = new Dictionary<byte, string>
        {
            [Icmp] = "icmp", [Tcp] = "tcp", [Udp] = "udp", [Icmpv6] = "ipv6-icmp", [Sctp] = "sctp", [UdpLite] = "udplite",
        };
        var numbers = new Dictionary<string, byte>(StringComparer.Ordinal)
        {
            ["icmp"] = Icmp, ["tcp"] = Tcp, ["udp"] = Udp, ["ipv6-icmp"] = Icmpv6, ["icmpv6"] = Icmpv6, ["sctp"] = Sctp, ["udplite"] = UdpLite,
        };
        try
        {
            var seen = new HashSet<byte>();
            foreach (var raw in File.ReadLines("/etc/protocols"))
            {
                var line = raw;
                var hash = line.IndexOf('#');
                if (hash >= 0) line = line.Substring(0, hash);
                var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2 || !byte.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number)) continue;
                // The first line of a number gives its official name, as getprotobynumber returns it.
                if (seen.Add(number)) names[number] = fields[0];
                numbers.TryAdd(fields[0].ToLowerInvariant(), number);
                for (var i = 2; i < fields.Length; i++) numbers.TryAdd(fields[i].ToLowerInvariant(), number);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return (names, numbers);
    }
}
