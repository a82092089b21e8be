using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpvsTools.Ipvs;

/// <summary>
/// A virtual service's persistence granularity as the kernel takes it (IPVS_SVC_ATTR_NETMASK): for IPv4 a
/// mask, sent as its four bytes in order; for IPv6 a prefix length. Parsed once, from the text ipvsadm and
/// <see cref="IpvsService.Netmask"/> use; <see cref="ToString"/> gives that text back ("255.255.255.0", "64").
/// </summary>
public readonly struct IpvsNetmask : IEquatable<IpvsNetmask>
{
    private readonly string? _text;

    private IpvsNetmask(AddressFamily family, uint attribute, string text)
    {
        AddressFamily = family;
        Attribute = attribute;
        _text = text;
    }

    /// <summary>InterNetwork or InterNetworkV6.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>The u32 the kernel takes: the mask's bytes in order (IPv4), or the prefix length (IPv6).</summary>
    internal uint Attribute { get; }

    /// <summary>A single client address: 255.255.255.255, or 128.</summary>
    public static IpvsNetmask AllOnes(AddressFamily family)
        => family == AddressFamily.InterNetworkV6 ? OfIPv6(128) : OfIPv4([255, 255, 255, 255]);

    /// <summary>
    /// The netmask of <paramref name="family"/> from a dotted IPv4 mask or a prefix length (IPv4 0-32, IPv6
    /// 1-128, with or without a leading '/'); null or empty: <see cref="AllOnes"/>. Anything else is refused.
    /// </summary>
    public static IpvsNetmask Parse(AddressFamily family, string? netmask)
    {
        if (family == AddressFamily.InterNetworkV6)
        {
            if (string.IsNullOrEmpty(netmask)) return AllOnes(family);
            var text = netmask.TrimStart('/');
            if (!uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length is < 1 or > 128)
                throw new IpvsToolsException($"'{netmask}' is not an IPv6 persistence netmask: give a prefix length from 1 to 128.", FailureKind.InvalidArgument);
            return OfIPv6(length);
        }
        if (string.IsNullOrEmpty(netmask)) return AllOnes(family);
        if (IpvsAddressText.TryParseIPv4(netmask, out var mask)) return OfIPv4(mask!.GetAddressBytes());
        var prefix = netmask.TrimStart('/');
        if (uint.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out var bits) && bits <= 32)
        {
            var value = bits == 0 ? 0u : uint.MaxValue << (int)(32 - bits);
            return OfIPv4([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
        }
        throw new IpvsToolsException($"'{netmask}' is not an IPv4 persistence netmask: give a dotted mask (255.255.255.0) or a prefix length from 0 to 32.", FailureKind.InvalidArgument);
    }

    private static IpvsNetmask OfIPv6(uint length) => new(AddressFamily.InterNetworkV6, length, length.ToString(CultureInfo.InvariantCulture));

    private static IpvsNetmask OfIPv4(byte[] bytes) => new(AddressFamily.InterNetwork, BitConverter.ToUInt32(bytes, 0), new IPAddress(bytes).ToString());

    /// <summary>"255.255.255.255"-style for IPv4, a prefix length ("128") for IPv6, as <see cref="IpvsService.Netmask"/>.</summary>
    public override string ToString() => _text ?? "";

    /// <inheritdoc/>
    public bool Equals(IpvsNetmask other) => AddressFamily == other.AddressFamily && Attribute == other.Attribute;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is IpvsNetmask other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(AddressFamily, Attribute);

    /// <summary>Same family and mask.</summary>
    public static bool operator ==(IpvsNetmask a, IpvsNetmask b) => a.Equals(b);

    /// <summary>Another family or mask.</summary>
    public static bool operator !=(IpvsNetmask a, IpvsNetmask b) => !a.Equals(b);
}
