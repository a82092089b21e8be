using System.Linq;
using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpvsTools.Ipsets;

/// <summary>An element (or restore line) that does not follow ipset's syntax; the message says what is wrong.</summary>
public sealed class IpsetSyntaxException : IpvsToolsException
{
    public IpsetSyntaxException(string message, string? text = null) : base(message, FailureKind.InvalidArgument) => Text = text;

    /// <summary>The text that was refused.</summary>
    public string? Text { get; }
}

/// <summary>
/// Reads elements in the ipset tool's syntax for a set type and family, and refuses, before the kernel
/// is asked, what the tool or the kernel would refuse:
/// <list type="bullet">
/// <item>ip: <c>10.0.0.1</c>; IPv4 also <c>10.0.0.0/30</c> or <c>10.0.0.1-10.0.0.6</c> (the kernel adds each address);
/// IPv6 a plain address, optionally in brackets. Only dotted decimal without leading zeros for IPv4 (ipset
/// would read 010 as octal), no host names.</item>
/// <item>net: <c>10.1.0.0/16</c> (prefix 1-32 or 1-128; the address is masked), a plain address (a host), or for
/// IPv4 a range that the kernel splits into networks.</item>
/// <item>port (hash types): <c>[proto:]port[-port]</c>, protocol by name or number (tcp when omitted),
/// 0-65535 without leading zeros; icmp (IPv4 only) and ipv6-icmp or icmpv6 (IPv6 only) take
/// <c>TYPE/CODE</c> or a name; other protocols take the pseudo port 0 only.</item>
/// <item>port (bitmap:port): <c>port[-port]</c>, optionally after <c>tcp:</c> or <c>udp:</c>.</item>
/// </list>
/// </summary>
public static class IpsetElementParser
{
    /// <summary>Parses <paramref name="text"/> as an element of a set of <paramref name="type"/> and family ("inet", "inet6", or null for bitmap:port).</summary>
    public static IpsetElement Parse(string? text, IpsetTypeInfo type, string? family)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (type.FamilyRule == IpsetFamilyRule.Either && family is not ("inet" or "inet6"))
            throw new IpsetSyntaxException($"A {type.Name} set has family inet or inet6, not '{family}'.", text);
        var v6 = type.FamilyRule == IpsetFamilyRule.Either && family == "inet6";
        var hasAddress = type.Dimensions.Contains(IpsetDimension.Ip) || type.Dimensions.Contains(IpsetDimension.Net);
        var addressFamily = !hasAddress ? (AddressFamily?)null : v6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (string.IsNullOrWhiteSpace(text)) throw new IpsetSyntaxException($"An element of a {type.Name} set cannot be empty.", text);
        var trimmed = text.Trim();
        foreach (var c in trimmed)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
                throw new IpsetSyntaxException($"'{Show(trimmed)}' is not one element: it contains white space or control characters.", text);
        }
        var parts = trimmed.Split(',');
        // list:set also reads NAME,before,NAME and NAME,after,NAME (ipset_parse_setname).
        if (type.IsList && parts is [var member, "before" or "after", var reference])
        {
            if (reference.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(reference) > IpsetNames.MaxLength)
                throw new IpsetSyntaxException($"'{Show(trimmed)}': a set name is 1-{IpsetNames.MaxLength} bytes.", text);
            return Parse(member, type, family).WithReference(reference, parts[1] == "before");
        }
        if (parts.Length != type.Dimensions.Count && !(type.LastDimensionOptional && parts.Length == type.Dimensions.Count - 1))
            throw new IpsetSyntaxException($"'{Show(trimmed)}' has {parts.Length} part(s); an element of a {type.Name} set has {type.Dimensions.Count}: {Shape(type, v6)}.", text);

        IPAddress? address = null, addressTo = null, address2 = null, address2To = null;
        byte? cidr = null, cidr2 = null, protocol = null;
        ushort? port = null, portTo = null;
        byte[]? mac = null;
        string? interfaceName = null, setName = null;
        var physicalDevice = false;
        uint? mark = null;
        var addressIndex = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            var context = new Context(trimmed, text, type, v6);
            switch (type.Dimensions[i])
            {
                case IpsetDimension.Port:
                    if (type.IsBitmap) (port, portTo) = ParseBitmapPort(part, context);
                    else (protocol, port, portTo) = ParseProtocolPort(part, context);
                    break;
                case IpsetDimension.Mac:
                    mac = ParseMac(part, context);
                    break;
                case IpsetDimension.Interface:
                    (interfaceName, physicalDevice) = ParseInterface(part, context);
                    break;
                case IpsetDimension.Mark:
                    mark = ParseMark(part, context);
                    break;
                case IpsetDimension.SetName:
                    if (part.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(part) > IpsetNames.MaxLength)
                        throw context.Error($"a set name is 1-{IpsetNames.MaxLength} bytes");
                    setName = part;
                    break;
                case IpsetDimension.Ip when addressIndex == 0:
                    // bitmap:ip,mac takes a single address; the others an IPv4 range or CIDR block too.
                    (address, cidr, addressTo) = ParseIp(part, context, rangesAllowed: type.Name != "bitmap:ip,mac");
                    addressIndex++;
                    break;
                case IpsetDimension.Ip:
                    (address2, cidr2, _) = ParseIp(part, context, rangesAllowed: false);
                    addressIndex++;
                    break;
                case IpsetDimension.Net when addressIndex == 0:
                    (address, cidr, addressTo) = ParseNet(part, context);
                    addressIndex++;
                    break;
                default:
                    (address2, cidr2, address2To) = ParseNet(part, context);
                    addressIndex++;
                    break;
            }
        }
        return new IpsetElement(type, addressFamily, address, cidr, addressTo, protocol, port, portTo, address2, cidr2, address2To,
            mac, interfaceName, physicalDevice, mark, setName);
    }

    /// <summary>A MAC address: six hex pairs separated by colons, either case (ipset_parse_ether).</summary>
    private static byte[] ParseMac(string part, Context context)
    {
        var pairs = part.Split(':');
        var mac = new byte[6];
        if (pairs.Length != 6) throw context.Error($"'{part}' is not a MAC address (six hex pairs separated by colons, 01:02:03:04:05:06)");
        for (var i = 0; i < 6; i++)
        {
            if (pairs[i].Length is 0 or > 2 || !byte.TryParse(pairs[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out mac[i]))
                throw context.Error($"'{part}' is not a MAC address (six hex pairs separated by colons, 01:02:03:04:05:06)");
        }
        return mac;
    }

    /// <summary>An interface name of at most 15 bytes, optionally after physdev: (ipset_parse_iface).</summary>
    private static (string Name, bool Physdev) ParseInterface(string part, Context context)
    {
        var physdev = part.StartsWith("physdev:", StringComparison.Ordinal);
        var name = physdev ? part.Substring("physdev:".Length) : part;
        if (name.Length == 0) throw context.Error("the interface name is empty");
        if (System.Text.Encoding.UTF8.GetByteCount(name) > 15) throw context.Error($"the interface name '{name}' is longer than 15 bytes");
        return (name, physdev);
    }

    /// <summary>A mark: a 32-bit number, decimal, 0x hex or 0 octal as strtoul reads it (ipset_parse_mark).</summary>
    private static uint ParseMark(string part, Context context)
    {
        if (!TryStrtoul(part, out var value) || value > uint.MaxValue)
            throw context.Error($"the mark '{part}' is not a 32-bit number (decimal or 0x hex)");
        return (uint)value;
    }

    /// <summary>A number as C's strtoul(…, 0) reads it: 0x hex, a leading 0 octal, else decimal; the whole text.</summary>
    internal static bool TryStrtoul(string text, out ulong value)
    {
        value = 0;
        var (digits, radix) = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (text.Substring(2), 16)
            : text.Length > 1 && text[0] == '0' ? (text.Substring(1), 8) : (text, 10);
        if (digits.Length == 0 || digits.Length > 22) return false;
        foreach (var c in digits)
        {
            var d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
            if (d >= radix) return false;
            if (value > (ulong.MaxValue - (ulong)d) / (ulong)radix) return false;
            value = value * (ulong)radix + (ulong)d;
        }
        return true;
    }

    /// <summary>What an element of the type looks like, for messages: "IP,PROTO:PORT,NET" and an example.</summary>
    public static string Shape(IpsetTypeInfo type, bool v6)
    {
        var parts = new System.Collections.Generic.List<string>();
        var example = new System.Collections.Generic.List<string>();
        var addressIndex = 0;
        foreach (var d in type.Dimensions)
        {
            switch (d)
            {
                case IpsetDimension.Port when type.IsBitmap:
                    parts.Add("PORT");
                    example.Add("30080");
                    break;
                case IpsetDimension.Port:
                    parts.Add("PROTO:PORT");
                    example.Add("tcp:53");
                    break;
                case IpsetDimension.Mac:
                    parts.Add("MAC");
                    example.Add("02:00:00:00:00:01");
                    break;
                case IpsetDimension.Interface:
                    parts.Add("[physdev:]IFACE");
                    example.Add("eth0");
                    break;
                case IpsetDimension.Mark:
                    parts.Add("MARK");
                    example.Add("0x10");
                    break;
                case IpsetDimension.SetName:
                    parts.Add("SETNAME");
                    example.Add("KUBE-CLUSTER-IP");
                    break;
                case IpsetDimension.Ip:
                    parts.Add("IP");
                    example.Add(v6 ? (addressIndex++ == 0 ? "fd00:10:96::a" : "fd00:10:244::5") : (addressIndex++ == 0 ? "10.96.0.10" : "10.244.0.5"));
                    break;
                default:
                    parts.Add("NET");
                    example.Add(v6 ? "2001:db8::/48" : (addressIndex++ == 0 ? "10.1.0.0/16" : "192.168.0.0/16"));
                    break;
            }
        }
        return $"{string.Join(",", parts)}, for example {string.Join(",", example)}";
    }

    private readonly record struct Context(string Element, string? Original, IpsetTypeInfo Type, bool V6)
    {
        public IpsetSyntaxException Error(string message) => new($"'{Show(Element)}' is not a valid {Type.Name} element: {message}.", Original);
        public string FamilyName => V6 ? "IPv6" : "IPv4";
    }

    private static (IPAddress Address, byte? Cidr, IPAddress? To) ParseIp(string part, Context context, bool rangesAllowed)
    {
        if (context.V6)
        {
            if (part.Contains('/') || (part.Contains('-') && !part.StartsWith('[')))
                throw context.Error($"'{part}': IPv6 takes a plain address here (the kernel has no IPv6 ranges)");
            return (ParseAddress(part, context), null, null);
        }
        var dash = part.IndexOf('-');
        if (dash >= 0)
        {
            if (!rangesAllowed) throw context.Error($"'{part}': a range is not allowed in this part");
            var from = ParseAddress(part.Substring(0, dash), context);
            var to = ParseAddress(part.Substring(dash + 1), context);
            if (Compare(from, to) > 0) (from, to) = (to, from);
            return from.Equals(to) ? (from, null, null) : (from, null, to);
        }
        var slash = part.IndexOf('/');
        if (slash >= 0)
        {
            if (!rangesAllowed) throw context.Error($"'{part}': a CIDR block is not allowed in this part");
            var address = ParseAddress(part.Substring(0, slash), context);
            var prefix = ParsePrefix(part.Substring(slash + 1), 32, context);
            return prefix == 32 ? (address, null, null) : (Mask(address, prefix), prefix, null);
        }
        return (ParseAddress(part, context), null, null);
    }

    private static (IPAddress Address, byte Cidr, IPAddress? To) ParseNet(string part, Context context)
    {
        var full = context.V6 ? 128 : 32;
        var dash = context.V6 ? -1 : part.IndexOf('-');
        if (dash >= 0)
        {
            var from = ParseAddress(part.Substring(0, dash), context);
            var to = ParseAddress(part.Substring(dash + 1), context);
            if (Compare(from, to) > 0) (from, to) = (to, from);
            return from.Equals(to) ? (from, (byte)full, null) : (from, (byte)full, to);
        }
        var slash = part.IndexOf('/');
        if (slash < 0) return (ParseAddress(part, context), (byte)full, null);
        var address = ParseAddress(part.Substring(0, slash), context);
        var prefix = ParsePrefix(part.Substring(slash + 1), full, context);
        return (Mask(address, prefix), prefix, null);
    }

    private static byte ParsePrefix(string text, int full, Context context)
    {
        if (!TryDecimal(text, full, out var prefix)) throw context.Error($"the prefix length '{text}' is not a number 1-{full}");
        if (prefix == 0 && !context.Type.TakesZeroPrefix) throw context.Error("a prefix length of 0 is refused by the kernel (use 1 or more)");
        return (byte)prefix;
    }

    private static IPAddress ParseAddress(string text, Context context)
    {
        if (context.V6)
        {
            var inner = text.Length >= 2 && text[0] == '[' && text[^1] == ']' ? text.Substring(1, text.Length - 2) : text;
            if (inner.Contains('%') || !inner.Contains(':') || !IPAddress.TryParse(inner, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
                throw context.Error($"'{text}' is not an IPv6 address{(TryParseV4(inner, out _) ? " (the set's family is inet6)" : "")}");
            return v6;
        }
        if (TryParseV4(text, out var v4)) return v4;
        if (text.Contains(':')) throw context.Error($"'{text}' is an IPv6 address, but the set's family is inet");
        throw context.Error($"'{text}' is not an IPv4 address (IpvsTools does not resolve host names)");
    }

    /// <summary>
    /// IPv4 as the ipset tool reads it (getaddrinfo, that is inet_aton): one to four parts separated by
    /// dots, each decimal, 0x hex or 0 octal, the last part filling the remaining bytes (10.1 is
    /// 10.0.0.1, 0 is 0.0.0.0, 010.0.0.1 is 8.0.0.1). Host names are not resolved.
    /// </summary>
    public static bool TryParseV4(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Length == 0 || text.Length > 64) return false;
        var parts = text.Split('.');
        if (parts.Length > 4) return false;
        var values = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (parts[i].Length == 0 || !char.IsAsciiDigit(parts[i][0]) || !TryStrtoul(parts[i], out values[i])) return false;
            if (i < parts.Length - 1 && values[i] > 255) return false;
        }
        var lastBytes = 5 - parts.Length;
        var last = values[^1];
        if (last > (lastBytes == 4 ? uint.MaxValue : (1UL << (8 * lastBytes)) - 1)) return false;
        uint value = 0;
        for (var i = 0; i < parts.Length - 1; i++) value |= (uint)values[i] << (24 - 8 * i);
        value |= (uint)last;
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        address = new IPAddress(bytes);
        return true;
    }

    private static (byte Protocol, ushort Port, ushort? PortTo) ParseProtocolPort(string part, Context context)
    {
        string protocolText, portText;
        var colon = part.IndexOf(':');
        if (colon < 0)
        {
            protocolText = "tcp";
            portText = part;
        }
        else
        {
            protocolText = part.Substring(0, colon);
            portText = part.Substring(colon + 1);
        }
        if (!IpProtocols.TryParse(protocolText, out var protocol))
            throw context.Error($"'{protocolText}' is not a protocol name or number 1-255");
        if (protocol == 0) throw context.Error("protocol 0 cannot be a member (name a protocol, for example tcp)");
        if (protocol == IpProtocols.Icmp || protocol == IpProtocols.Icmpv6)
        {
            var wantV6 = protocol == IpProtocols.Icmpv6;
            if (wantV6 != context.V6)
                throw context.Error(wantV6 ? "ICMPv6 belongs to family inet6 sets" : "ICMP belongs to family inet sets (use ipv6-icmp in inet6 sets)");
            if (!IcmpNames.TryParse(wantV6, portText, out var typeCode))
                throw context.Error($"'{portText}' is not an ICMP{(wantV6 ? "v6" : "")} TYPE/CODE (0-255 each) or name ({string.Join(", ", IcmpNames.Names(wantV6))})");
            return (protocol, typeCode, null);
        }
        if (!IpProtocols.HasPorts(protocol))
        {
            if (portText != "0") throw context.Error($"protocol {IpProtocols.Name(protocol)} has no ports: use the pseudo port 0 ({IpProtocols.Name(protocol)}:0)");
            return (protocol, 0, null);
        }
        var (port, portTo) = ParsePortRange(portText, context, IpProtocols.Name(protocol));
        return (protocol, port, portTo);
    }

    private static (ushort Port, ushort? PortTo) ParseBitmapPort(string part, Context context)
    {
        var colon = part.IndexOf(':');
        var protocol = "tcp";
        if (colon >= 0)
        {
            protocol = part.Substring(0, colon).ToLowerInvariant();
            if (protocol is not ("tcp" or "udp"))
                throw context.Error("bitmap:port members take only tcp: or udp: before the port (which set it belongs to says the protocol)");
            part = part.Substring(colon + 1);
        }
        return ParsePortRange(part, context, protocol);
    }

    /// <summary>PORT or FROM-TO; a name that holds a dash is written in brackets ([ftp-data]), as ipset escapes it.</summary>
    private static (ushort Port, ushort? PortTo) ParsePortRange(string text, Context context, string protocol)
    {
        var dash = text.StartsWith('[') && text.IndexOf(']') is var close and > 0 ? text.IndexOf('-', close) : text.IndexOf('-');
        var from = ParsePort(dash < 0 ? text : text.Substring(0, dash), context, protocol);
        if (dash < 0) return (from, null);
        var to = ParsePort(text.Substring(dash + 1), context, protocol);
        if (from > to) (from, to) = (to, from);
        return from == to ? (from, null) : (from, to);
    }

    /// <summary>A port as ipset reads it: a number as strtoul reads it (decimal, 0x hex, 0 octal) up to 65535, or a service name of the protocol in /etc/services.</summary>
    private static ushort ParsePort(string text, Context context, string protocol)
    {
        if (TryStrtoul(text, out var port) && port <= 65535) return (ushort)port;
        if (text.Length > 0 && (char.IsAsciiLetter(text[0]) || text[0] == '['))
        {
            if (IpServices.TryParse(text, protocol, out var named)) return named;
            throw context.Error($"'{text}' is not a {protocol} service name in /etc/services (nor a port number)");
        }
        throw context.Error($"the port '{text}' is not a number 0-65535");
    }

    /// <summary>A decimal 0..max without sign, spaces or leading zeros.</summary>
    internal static bool TryDecimal(string text, int max, out int value)
    {
        value = 0;
        if (text.Length == 0 || text.Length > 10 || (text.Length > 1 && text[0] == '0')) return false;
        long number = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c)) return false;
            number = number * 10 + (c - '0');
        }
        if (number > max) return false;
        value = (int)number;
        return true;
    }

    internal static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        return new IPAddress(bytes);
    }

    /// <summary>Orders two IPv4 addresses as numbers.</summary>
    public static int CompareV4(IPAddress a, IPAddress b) => Compare(a, b);

    private static int Compare(IPAddress a, IPAddress b)
        => BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes()).CompareTo(BinaryPrimitives.ReadUInt32BigEndian(b.GetAddressBytes()));

    private static string Show(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";

    internal static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}
