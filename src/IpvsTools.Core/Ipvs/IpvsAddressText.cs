using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

/// <summary>
/// Addresses and endpoints written the way ipvsadm writes them: inet_ntop as glibc implements it
/// (lower-case hex, the first longest run of two or more zero groups compressed, ::a.b.c.d and
/// ::ffff:a.b.c.d for IPv4-compatible and IPv4-mapped addresses), ports in decimal, IPv6 in brackets.
/// </summary>
internal static class IpvsAddressText
{
    /// <summary>The address as glibc's inet_ntop prints it ("" for none).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string Format(IPAddress? address)
    {
        if (address is null) return "";
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return FormatIPv6(bytes);
    }

    /// <summary>`addr:port` for IPv4, `[addr]:port` for anything else, as ipvsadm's numeric output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string FormatEndpoint(AddressFamily family, IPAddress? address, ushort port)
        => family == AddressFamily.InterNetwork
            ? Format(address) + ":" + port.ToString(CultureInfo.InvariantCulture)
            : "[" + Format(address) + "]:" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads an endpoint as ipvsadm takes it: "10.0.0.1:80", "[fd00::1]:80", or an address alone
    /// ("10.0.0.1", "fd00::1"; <paramref name="port"/> is then null). IPv4 addresses are dotted quads of
    /// decimal numbers; ports are decimal 0-65535. False for anything else.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseEndpoint(string text, out IPAddress? address, out ushort? port)
    {
        address = null;
        port = null;
        if (string.IsNullOrEmpty(text)) return false;
        if (text[0] == '[')
        {
            var close = text.IndexOf(']');
            if (close < 0) return false;
            if (!TryParseIPv6(text.Substring(1, close - 1), out address)) return false;
            var rest = text.AsSpan(close + 1);
            if (rest.Length == 0) return true;
            if (rest[0] != ':' || !TryParsePort(rest.Slice(1), out var bracketPort)) return false;
            port = bracketPort;
            return true;
        }
        var colon = text.LastIndexOf(':');
        // An IPv6 address has two colons at least: with one or none, only IPv4[:port] is left to try.
        if (colon >= 0 && text.IndexOf(':') != colon && TryParseIPv6(text, out address)) return true;
        var host = colon < 0 ? text.AsSpan() : text.AsSpan(0, colon);
        if (!TryParseIPv4(host, out address)) return false;
        if (colon < 0) return true;
        if (!TryParsePort(text.AsSpan(colon + 1), out var value))
        {
            address = null;
            return false;
        }
        port = value;
        return true;
    }

    /// <summary>An IPv4 dotted quad ("10.96.0.10") or an IPv6 address without brackets.</summary>
    public static bool TryParseAddress(string text, out IPAddress? address)
        => TryParseIPv4(text, out address) || TryParseIPv6(text, out address);

    /// <summary>Four decimal numbers 0-255 separated by dots, nothing else.</summary>
    public static bool TryParseIPv4(string text, out IPAddress? address) => TryParseIPv4(text.AsSpan(), out address);

    /// <summary>Four decimal numbers 0-255 separated by dots, nothing else (read in place: restore files have 100,000 of them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParseIPv4(ReadOnlySpan<char> text, out IPAddress? address)
    {
        address = null;
        Span<byte> bytes = stackalloc byte[4];
        var part = 0;
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i < text.Length && text[i] != '.') continue;
            if (part == 4) return false;
            var digits = text.Slice(start, i - start);
            if (digits.Length is 0 or > 3) return false;
            var value = 0;
            foreach (var c in digits)
            {
                if (c is < '0' or > '9') return false;
                value = value * 10 + (c - '0');
            }
            if (value > 255) return false;
            bytes[part++] = (byte)value;
            start = i + 1;
        }
        if (part != 4) return false;
        address = new IPAddress(bytes);
        return true;
    }

    /// <summary>An IPv6 address in any form inet_pton takes (no scope, no brackets).</summary>
    public static bool TryParseIPv6(string text, out IPAddress? address)
    {
        address = null;
        if (text.Length == 0 || text.Length > 45 || text.IndexOf(':') < 0 || text.IndexOfAny(['%', '/', '[', ']', ' ']) >= 0) return false;
        if (!IPAddress.TryParse(text, out var parsed) || parsed.AddressFamily != AddressFamily.InterNetworkV6) return false;
        address = parsed;
        return true;
    }

    /// <summary>A decimal port 0-65535.</summary>
    public static bool TryParsePort(string text, out ushort port) => TryParsePort(text.AsSpan(), out port);

    /// <summary>A decimal port 0-65535, read in place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool TryParsePort(ReadOnlySpan<char> text, out ushort port)
    {
        port = 0;
        if (text.Length is 0 or > 5) return false;
        var value = 0;
        foreach (var c in text)
        {
            if (c is < '0' or > '9') return false;
            value = value * 10 + (c - '0');
        }
        if (value > ushort.MaxValue) return false;
        port = (ushort)value;
        return true;
    }

    /// <summary>
    /// The 16 bytes the kernel keeps for an address (union nf_inet_addr): IPv4 in the first 4 and
    /// zeros after, IPv6 whole, all zeros for none.
    /// </summary>
    public static void WriteKernelBytes(IPAddress? address, Span<byte> destination)
    {
        destination.Slice(0, IpvsConstants.AddressLength).Clear();
        address?.TryWriteBytes(destination, out _);
    }

    /// <summary>The eight 16-bit groups of an IPv6 address, formatted as glibc's inet_ntop6 does.</summary>
    internal static string FormatIPv6(ReadOnlySpan<byte> bytes)
    {
        Span<int> words = stackalloc int[8];
        for (var i = 0; i < 8; i++) words[i] = (bytes[2 * i] << 8) | bytes[2 * i + 1];

        // The first longest run of zero groups; a run of one is not compressed.
        int bestBase = -1, bestLength = 0, currentBase = -1, currentLength = 0;
        for (var i = 0; i < 8; i++)
        {
            if (words[i] == 0)
            {
                if (currentBase == -1) { currentBase = i; currentLength = 1; }
                else currentLength++;
            }
            else if (currentBase != -1)
            {
                if (bestBase == -1 || currentLength > bestLength) { bestBase = currentBase; bestLength = currentLength; }
                currentBase = -1;
            }
        }
        if (currentBase != -1 && (bestBase == -1 || currentLength > bestLength)) { bestBase = currentBase; bestLength = currentLength; }
        if (bestBase != -1 && bestLength < 2) bestBase = -1;

        var text = new StringBuilder(40);
        for (var i = 0; i < 8; i++)
        {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLength)
            {
                if (i == bestBase) text.Append(':');
                continue;
            }
            if (i != 0) text.Append(':');
            // An IPv4-compatible (::a.b.c.d) or IPv4-mapped (::ffff:a.b.c.d) address ends in dotted form.
            if (i == 6 && bestBase == 0 && (bestLength == 6 || (bestLength == 5 && words[5] == 0xffff)))
            {
                text.Append(bytes[12]).Append('.').Append(bytes[13]).Append('.').Append(bytes[14]).Append('.').Append(bytes[15]);
                return text.ToString();
            }
            text.Append(words[i].ToString("x", CultureInfo.InvariantCulture));
        }
        if (bestBase != -1 && bestBase + bestLength == 8) text.Append(':');
        return text.ToString();
    }
}
