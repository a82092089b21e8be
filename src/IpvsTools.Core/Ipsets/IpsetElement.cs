using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools.Ipsets;

/// <summary>
/// An element to add to, delete from or test in a set, parsed from the ipset element syntax for the
/// set's type and family (<see cref="IpsetElementParser"/>). <see cref="ToString"/> is the element in
/// ipset's syntax with addresses in canonical form and the protocol named as ipset names it; networks
/// are masked to their prefix, as the kernel stores them. An IPv4 range (FROM-TO, or a CIDR block in
/// an ip dimension) and a port range (tcp:80-82) make the kernel store one member per address and port.
/// </summary>
public sealed class IpsetElement
{
    internal IpsetElement(IpsetTypeInfo type, AddressFamily? family, IPAddress? address, byte? cidr, IPAddress? addressTo,
        byte? protocol, ushort? port, ushort? portTo, IPAddress? address2, byte? cidr2, IPAddress? address2To,
        byte[]? mac = null, string? interfaceName = null, bool physicalDevice = false, uint? mark = null, string? setName = null,
        string? reference = null, bool before = false)
    {
        Reference = reference;
        Before = before;
        Mac = mac;
        Interface = interfaceName;
        PhysicalDevice = physicalDevice;
        Mark = mark;
        SetName = setName;
        Type = type;
        Family = family;
        Address = address;
        Cidr = cidr;
        AddressTo = addressTo;
        Protocol = protocol;
        Port = port;
        PortTo = portTo;
        Address2 = address2;
        Cidr2 = cidr2;
        Address2To = address2To;
        Text = Format();
    }

    public IpsetTypeInfo Type { get; }

    /// <summary>InterNetwork or InterNetworkV6; null for bitmap:port.</summary>
    public AddressFamily? Family { get; }

    /// <summary>The first address (or network, or the start of a range).</summary>
    public IPAddress? Address { get; }

    /// <summary>The prefix length of a network, or of a CIDR block in an ip dimension (a range).</summary>
    public byte? Cidr { get; }

    /// <summary>The end of an IPv4 range FROM-TO in the first dimension.</summary>
    public IPAddress? AddressTo { get; }

    /// <summary>The IP protocol number of a hash type's port dimension (tcp 6, udp 17, sctp 132...).</summary>
    public byte? Protocol { get; }

    /// <summary>The port (for icmp, type &lt;&lt; 8 | code).</summary>
    public ushort? Port { get; }

    /// <summary>The end of a port range.</summary>
    public ushort? PortTo { get; }

    /// <summary>The second address (hash:ip,port,ip) or network (hash:ip,port,net).</summary>
    public IPAddress? Address2 { get; }

    public byte? Cidr2 { get; }

    /// <summary>The end of an IPv4 range in the network dimension of hash:ip,port,net.</summary>
    public IPAddress? Address2To { get; }

    /// <summary>The MAC address of hash:mac, hash:ip,mac and bitmap:ip,mac elements (six bytes); null when left out (bitmap:ip,mac).</summary>
    public byte[]? Mac { get; }

    /// <summary>The interface of a hash:net,iface element.</summary>
    public string? Interface { get; }

    /// <summary>hash:net,iface: the interface is a bridge port (physdev:).</summary>
    public bool PhysicalDevice { get; }

    /// <summary>The mark of a hash:ip,mark element.</summary>
    public uint? Mark { get; }

    /// <summary>The member set of a list:set element.</summary>
    public string? SetName { get; }

    /// <summary>list:set: the member set that <see cref="SetName"/> goes before or after (add, del and test take one); null when none.</summary>
    public string? Reference { get; private init; }

    /// <summary>list:set: true for "before <see cref="Reference"/>", false for "after".</summary>
    public bool Before { get; private init; }

    /// <summary>This list:set element with "before NAME" or "after NAME".</summary>
    public IpsetElement WithReference(string reference, bool before)
    {
        if (!Type.IsList) throw new IpsetSyntaxException($"before and after apply to list:set members; {Type.Name} has none.", reference);
        var copy = new IpsetElement(Type, Family, Address, Cidr, AddressTo, Protocol, Port, PortTo, Address2, Cidr2, Address2To, Mac, Interface,
            PhysicalDevice, Mark, SetName, reference, before);
        return copy;
    }

    /// <summary>The element in ipset's syntax.</summary>
    public string Text { get; }

    /// <summary>True when the kernel turns this one element into several members.</summary>
    public bool IsRange => AddressTo is not null || PortTo is not null || Address2To is not null
        || (Type.Dimensions[0] == IpsetDimension.Ip && Cidr is { } c && c != FullLength);

    private int FullLength => Family == AddressFamily.InterNetworkV6 ? 128 : 32;

    public override string ToString() => Text;

    /// <summary>A MAC address as ipset prints it: six upper-case hex pairs.</summary>
    public static string FormatMac(byte[] mac) => string.Join(":", System.Array.ConvertAll(mac, b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    private string Format()
    {
        var text = new StringBuilder();
        var addressIndex = 0;
        foreach (var dimension in Type.Dimensions)
        {
            if (dimension == IpsetDimension.Mac && Mac is null) continue;
            if (text.Length > 0) text.Append(',');
            switch (dimension)
            {
                case IpsetDimension.Mac:
                    text.Append(FormatMac(Mac!));
                    continue;
                case IpsetDimension.Interface:
                    if (PhysicalDevice) text.Append("physdev:");
                    text.Append(Interface);
                    continue;
                case IpsetDimension.Mark:
                    text.Append("0x").Append((Mark ?? 0).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
                    continue;
                case IpsetDimension.SetName:
                    text.Append(SetName);
                    if (Reference is not null) text.Append(Before ? " before " : " after ").Append(Reference);
                    continue;
            }
            if (dimension == IpsetDimension.Port)
            {
                if (Type.IsBitmap || Protocol is null)
                {
                    text.Append(Port);
                    if (PortTo is { } end) text.Append('-').Append(end);
                    continue;
                }
                var protocol = Protocol.Value;
                text.Append(IpProtocols.Name(protocol)).Append(':');
                if (protocol is IpProtocols.Icmp or IpProtocols.Icmpv6)
                    text.Append(IcmpNames.Format(protocol == IpProtocols.Icmpv6, Port ?? 0));
                else
                    text.Append(Port ?? 0);
                if (PortTo is { } portTo) text.Append('-').Append(portTo);
                continue;
            }
            var first = addressIndex++ == 0;
            var (address, cidr, to) = first ? (Address, Cidr, AddressTo) : (Address2, Cidr2, Address2To);
            text.Append(address);
            if (to is not null) text.Append('-').Append(to);
            else if (cidr is { } c && c != FullLength) text.Append('/').Append(c);
        }
        return text.ToString();
    }
}
