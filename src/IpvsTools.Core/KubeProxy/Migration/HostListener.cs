using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>A socket of the node's own programs that takes connections (TCP LISTEN) or datagrams (UDP), from /proc/net/{tcp,tcp6,udp,udp6}.</summary>
/// <param name="Protocol">Tcp or Udp.</param>
/// <param name="Address">The local address it is bound to (0.0.0.0 or :: for every address).</param>
/// <param name="Port">The local port.</param>
public sealed record HostListener(IpvsProtocol Protocol, IPAddress Address, ushort Port)
{
    /// <summary>Bound to every address of its family.</summary>
    public bool IsWildcard => Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any);

    /// <summary>"TCP 0.0.0.0:22".</summary>
    public override string ToString() => IpvsServiceKey.ProtocolName(Protocol).ToUpperInvariant() + " " + IpvsAddressText.FormatEndpoint(Address.AddressFamily, Address, Port);

    /// <summary>
    /// The listeners in one /proc/net table's text: TCP sockets in state 0A (LISTEN), UDP sockets in state 07 (unconnected).
    /// Addresses are the kernel's hex words in host byte order (little-endian here), as /proc/net prints them.
    /// </summary>
    public static IReadOnlyList<HostListener> Parse(string text, IpvsProtocol protocol)
    {
        ArgumentNullException.ThrowIfNull(text);
        var wanted = protocol == IpvsProtocol.Tcp ? "0A" : "07";
        var result = new List<HostListener>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 4 || !fields[0].EndsWith(':')) continue;
            if (!string.Equals(fields[3], wanted, StringComparison.OrdinalIgnoreCase)) continue;
            var colon = fields[1].IndexOf(':');
            if (colon < 0) continue;
            var hex = fields[1].Substring(0, colon);
            if (!ushort.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)) continue;
            if (ParseAddress(hex) is not { } address) continue;
            var listener = new HostListener(protocol, address, port);
            if (!result.Contains(listener)) result.Add(listener);
        }
        return result;
    }

    /// <summary>An address as /proc/net writes it: 8 hex digits (IPv4) or 32 (IPv6), each 32-bit word in host order.</summary>
    internal static IPAddress? ParseAddress(string hex)
    {
        if (hex.Length != 8 && hex.Length != 32) return null;
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            if (!uint.TryParse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)) return null;
            var b = BitConverter.GetBytes(value);
            if (!BitConverter.IsLittleEndian) Array.Reverse(b);
            // The kernel printed the word as a host-order number: on a little-endian host its bytes are the address's bytes in order.
            Array.Copy(b, 0, bytes, word * 4, 4);
        }
        return new IPAddress(bytes);
    }
}
