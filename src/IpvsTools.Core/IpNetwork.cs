using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpvsTools;

/// <summary>An address prefix ("10.0.0.0/8", "fd00::/64"), kept as written after masking the host bits.</summary>
public sealed class IpNetwork : IEquatable<IpNetwork>
{
    /// <summary>The network of <paramref name="address"/> with <paramref name="prefixLength"/> bits.</summary>
    public IpNetwork(IPAddress address, int prefixLength)
    {
        ArgumentNullException.ThrowIfNull(address);
        var bits = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        if (prefixLength < 0 || prefixLength > bits)
            throw new IpvsToolsException($"A prefix length of {address.AddressFamily} is 0 to {bits}, not {prefixLength}.", FailureKind.InvalidArgument);
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(prefixLength - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }
        Address = new IPAddress(bytes);
        PrefixLength = prefixLength;
    }

    /// <summary>The first address of the network.</summary>
    public IPAddress Address { get; }

    /// <summary>The number of leading bits that name the network.</summary>
    public int PrefixLength { get; }

    /// <summary>InterNetwork or InterNetworkV6.</summary>
    public AddressFamily AddressFamily => Address.AddressFamily;

    /// <summary>Parses "10.0.0.0/8" (surrounding blanks allowed, as kube-proxy trims them); a bare address is a host prefix.</summary>
    public static bool TryParse(string? text, out IpNetwork? network)
    {
        network = null;
        if (text is null) return false;
        text = text.Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text.Substring(0, slash);
        if (!IPAddress.TryParse(addressText, out var address) || addressText.Contains('%')) return false;
        var bits = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
        var prefix = bits;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits))
            return false;
        network = new IpNetwork(address, prefix);
        return true;
    }

    /// <summary>Parses or throws an InvalidArgument error.</summary>
    public static IpNetwork Parse(string text)
        => TryParse(text, out var n) ? n! : throw new IpvsToolsException($"'{text}' is not an address prefix such as 10.0.0.0/8.", FailureKind.InvalidArgument);

    /// <summary>True when <paramref name="address"/> lies in this network (same family only).</summary>
    public bool Contains(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily) return false;
        var a = address.GetAddressBytes();
        var n = Address.GetAddressBytes();
        for (var i = 0; i < a.Length; i++)
        {
            var keep = Math.Clamp(PrefixLength - i * 8, 0, 8);
            var mask = (byte)(0xFF << (8 - keep));
            if ((a[i] & mask) != n[i]) return false;
        }
        return true;
    }

    /// <summary>"10.0.0.0/8".</summary>
    public override string ToString() => Address + "/" + PrefixLength.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public bool Equals(IpNetwork? other) => other is not null && PrefixLength == other.PrefixLength && Address.Equals(other.Address);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as IpNetwork);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, PrefixLength);
}
