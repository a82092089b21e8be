using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools.IpvsWire;

/// <summary>
/// Addresses and endpoints written the way ipvsadm writes them: inet_ntop as glibc implements it
/// (lower-case hex, the first longest run of two or more zero groups compressed, ::a.b.c.d and
/// ::ffff:a.b.c.d for IPv4-compatible and IPv4-mapped addresses), ports in decimal, IPv6 in brackets.
/// </summary>
internal static class IpvsAddressText
{
    /// <summary>The address as glibc's inet_ntop prints it ("" for none).</summary>
    public static string Format(IPAddress? address)
    {
        if (address is null) return "";
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        return FormatIPv6(bytes);
    }

    /// <summary>`addr:port` for IPv4, `[addr]:port` for anything else, as ipvsadm's numeric output.</summary>
    public static string FormatEndpoint(AddressFamily family, IPAddress? address, ushort port)
        => family == AddressFamily.InterNetwork
            ? Format(address) + ":" + port.ToString(CultureInfo.InvariantCulture)
            : "[" + Format(address) + "]:" + port.ToString(CultureInfo.InvariantCulture);

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
