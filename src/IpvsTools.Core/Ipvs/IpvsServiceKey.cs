using System;
using System.Net;
using System.Net.Sockets;

namespace IpvsTools.Ipvs;

/// <summary>
/// What identifies a virtual service to the kernel: the address family plus either a firewall mark,
/// or a protocol, address and port. <see cref="ToString"/> names the service as `ipvsadm -Ln` does
/// (<c>TCP  10.96.0.10:53</c>, <c>TCP  [fd00::1]:80</c>, <c>FWM  5</c>, <c>FWM  5 IPv6</c>).
/// Keys compare by value.
/// </summary>
public sealed class IpvsServiceKey : IEquatable<IpvsServiceKey>
{
    /// <summary>
    /// A key from its parts. A firewall-mark key has <paramref name="firewallMark"/> above 0, protocol
    /// <see cref="IpvsProtocol.None"/>, no address and port 0; any other key has a protocol, an address
    /// of <paramref name="addressFamily"/> and a port.
    /// </summary>
    public IpvsServiceKey(AddressFamily addressFamily, IpvsProtocol protocol, IPAddress? address, ushort port, uint firewallMark)
        : this(Validate(addressFamily, protocol, address, port, firewallMark), protocol, address, port, firewallMark, trusted: true)
    {
    }

    // The kernel's word is taken as it is (a service of a protocol this module does not name still lists).
    private IpvsServiceKey(AddressFamily addressFamily, IpvsProtocol protocol, IPAddress? address, ushort port, uint firewallMark, bool trusted)
    {
        _ = trusted;
        AddressFamily = addressFamily;
        Protocol = protocol;
        Address = address;
        Port = port;
        FirewallMark = firewallMark;
    }

    /// <summary>A key as the kernel described it, without the checks a caller's key gets.</summary>
    internal static IpvsServiceKey FromKernel(AddressFamily addressFamily, IpvsProtocol protocol, IPAddress? address, ushort port, uint firewallMark)
        => firewallMark != 0
            ? new IpvsServiceKey(addressFamily, IpvsProtocol.None, null, 0, firewallMark, trusted: true)
            : new IpvsServiceKey(addressFamily, protocol, address, port, 0, trusted: true);

    private static AddressFamily Validate(AddressFamily addressFamily, IpvsProtocol protocol, IPAddress? address, ushort port, uint firewallMark)
    {
        if (addressFamily != AddressFamily.InterNetwork && addressFamily != AddressFamily.InterNetworkV6)
            throw new IpvsToolsException($"An IPVS service is IPv4 or IPv6, not {addressFamily}.", FailureKind.InvalidArgument);
        if (firewallMark != 0)
        {
            if (protocol != IpvsProtocol.None || address is not null || port != 0)
                throw new IpvsToolsException($"A firewall-mark service (FWM {firewallMark}) has no protocol, address or port.", FailureKind.InvalidArgument);
        }
        else
        {
            if (protocol is not (IpvsProtocol.Tcp or IpvsProtocol.Udp or IpvsProtocol.Sctp))
                throw new IpvsToolsException("An IPVS service needs a protocol (TCP, UDP or SCTP), or a firewall mark above 0.", FailureKind.InvalidArgument);
            if (address is null)
                throw new IpvsToolsException("An IPVS service needs an address, or a firewall mark above 0.", FailureKind.InvalidArgument);
            if (address.AddressFamily != addressFamily)
                throw new IpvsToolsException($"The address {address} is not an {(addressFamily == AddressFamily.InterNetwork ? "IPv4" : "IPv6")} address.", FailureKind.InvalidArgument);
        }
        return addressFamily;
    }

    /// <summary>The key of a service on <paramref name="protocol"/> at <paramref name="address"/>:<paramref name="port"/>.</summary>
    public static IpvsServiceKey ForAddress(IpvsProtocol protocol, IPAddress address, ushort port)
        => new(address?.AddressFamily ?? AddressFamily.InterNetwork, protocol, address, port, 0);

    /// <summary>The key of a firewall-mark service of <paramref name="addressFamily"/> (IPv4 unless told).</summary>
    public static IpvsServiceKey ForFirewallMark(uint firewallMark, AddressFamily addressFamily = AddressFamily.InterNetwork)
    {
        if (firewallMark == 0) throw new IpvsToolsException("A firewall mark must be above 0.", FailureKind.InvalidArgument);
        return new IpvsServiceKey(addressFamily, IpvsProtocol.None, null, 0, firewallMark);
    }

    /// <summary>InterNetwork (IPv4) or InterNetworkV6.</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>TCP, UDP or SCTP; None for a firewall-mark service.</summary>
    public IpvsProtocol Protocol { get; }

    /// <summary>The virtual address; null for a firewall-mark service.</summary>
    public IPAddress? Address { get; }

    /// <summary>The virtual port; 0 for a firewall-mark service (and for a port-less "all ports" service).</summary>
    public ushort Port { get; }

    /// <summary>The firewall mark; 0 when the service is identified by protocol, address and port.</summary>
    public uint FirewallMark { get; }

    /// <summary>True when the service matches packets by firewall mark.</summary>
    public bool IsFirewallMark => FirewallMark != 0;

    /// <summary>The service's name as `ipvsadm -Ln` prints it before the scheduler.</summary>
    public override string ToString()
    {
        if (IsFirewallMark) return FirewallMarkName("  ");
        var name = ProtocolName(Protocol).PadRight(4) + " " + IpvsAddressText.FormatEndpoint(AddressFamily, Address, Port);
        // ipvsadm cuts an IPv4 service name at 33 characters.
        return AddressFamily != AddressFamily.InterNetworkV6 && name.Length > 33 ? name.Substring(0, 33) : name;
    }

    /// <summary>The name with single spaces, for messages and ShouldProcess targets: "TCP 10.96.0.10:53", "FWM 5", "FWM 5 IPv6".</summary>
    public string DisplayName => _displayName ??= IsFirewallMark
        ? FirewallMarkName(" ")
        : ProtocolName(Protocol) + " " + IpvsAddressText.FormatEndpoint(AddressFamily, Address, Port);

    // Worded once per key: a restore file names a service's key in every one of its real servers' lines.
    private string? _displayName;

    /// <summary>
    /// Reads a service name as <see cref="DisplayName"/> or <see cref="ToString"/> print it: "TCP 10.96.0.10:53",
    /// "udp [fd00::10]:53", "SCTP  10.0.0.1:3868", "FWM 5", "FWM 5 IPv6" (case and the number of spaces do not
    /// matter). False for anything else.
    /// </summary>
    public static bool TryParse(string? text, out IpvsServiceKey? key)
    {
        key = null;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        try
        {
            if (parts[0].Equals("FWM", StringComparison.OrdinalIgnoreCase))
            {
                if (parts.Length is < 2 or > 3) return false;
                if (!uint.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var mark))
                {
                    // ipvsadm prints marks above 2^31 as negative numbers.
                    if (!int.TryParse(parts[1], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var signed)) return false;
                    mark = unchecked((uint)signed);
                }
                if (mark == 0) return false;
                if (parts.Length == 3 && !parts[2].Equals("IPv6", StringComparison.OrdinalIgnoreCase)) return false;
                key = ForFirewallMark(mark, parts.Length == 3 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork);
                return true;
            }
            if (parts.Length != 2) return false;
            var protocol = parts[0].ToUpperInvariant() switch
            {
                "TCP" => IpvsProtocol.Tcp,
                "UDP" => IpvsProtocol.Udp,
                "SCTP" => IpvsProtocol.Sctp,
                _ => IpvsProtocol.None,
            };
            if (protocol == IpvsProtocol.None || !IpvsAddressText.TryParseEndpoint(parts[1], out var address, out var port) || port is null) return false;
            key = ForAddress(protocol, address!, port.Value);
            return true;
        }
        catch (IpvsToolsException)
        {
            return false;
        }
    }

    /// <summary>TCP, UDP, SCTP, or "?" for another protocol: the name ipvsadm and /proc/net/ip_vs_conn give it.</summary>
    public static string ProtocolNameOf(IpvsProtocol protocol) => ProtocolName(protocol);

    /// <summary>TCP, UDP, SCTP, or "?" as ipvsadm prints a protocol it does not know.</summary>
    internal static string ProtocolName(IpvsProtocol protocol) => protocol switch
    {
        IpvsProtocol.Tcp => "TCP",
        IpvsProtocol.Udp => "UDP",
        IpvsProtocol.Sctp => "SCTP",
        _ => "?",
    };

    // ipvsadm prints the mark with %d, so marks above 2^31 come out negative.
    private string FirewallMarkName(string gap)
        => "FWM" + gap + unchecked((int)FirewallMark).ToString(System.Globalization.CultureInfo.InvariantCulture)
           + (AddressFamily == AddressFamily.InterNetworkV6 ? " IPv6" : "");

    /// <inheritdoc/>
    public bool Equals(IpvsServiceKey? other)
        => other is not null && AddressFamily == other.AddressFamily && Protocol == other.Protocol && Port == other.Port
           && FirewallMark == other.FirewallMark && Equals(Address, other.Address);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as IpvsServiceKey);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(AddressFamily, Protocol, Address, Port, FirewallMark);

    /// <summary>Value equality.</summary>
    public static bool operator ==(IpvsServiceKey? left, IpvsServiceKey? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(IpvsServiceKey? left, IpvsServiceKey? right) => !(left == right);
}
