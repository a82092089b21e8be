using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IpvsTools;

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
        byte? protocol, ushort? port, ushort? portTo, IPAddress? address2, byte? cidr2, IPAddress? address2To)
    {
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

    /// <summary>The element in ipset's syntax.</summary>
    public string Text { get; }

    /// <summary>True when the kernel turns this one element into several members.</summary>
    public bool IsRange => AddressTo is not null || PortTo is not null || Address2To is not null
        || (Type.Dimensions[0] == IpsetDimension.Ip && Cidr is { } c && c != FullLength);

    private int FullLength => Family == AddressFamily.InterNetworkV6 ? 128 : 32;

    public override string ToString() => Text;

    private string Format()
    {
        var text = new StringBuilder();
        var addressIndex = 0;
        foreach (var dimension in Type.Dimensions)
        {
            if (text.Length > 0) text.Append(',');
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
