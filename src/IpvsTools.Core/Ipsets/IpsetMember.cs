using System.Collections.Generic;
using System.Net;
using System.Text;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipsets;

/// <summary>
/// One member of an ipset, as the kernel lists it. <see cref="ToString"/> is the element exactly as
/// `ipset list` prints it (for example <c>10.96.0.10,udp:53</c>); <see cref="Options"/> holds the
/// extensions printed after it (timeout, counters, comment, nomatch).
/// </summary>
public sealed class IpsetMember
{
    public IpsetMember(string setName, string setType, IPAddress? address = null, byte? cidr = null,
        string? protocol = null, ushort? port = null, IPAddress? address2 = null, byte? cidr2 = null,
        uint? mark = null, string? interfaceName = null, bool physicalDevice = false, string? macAddress = null,
        uint? timeout = null, ulong? packets = null, ulong? bytes = null, string? comment = null, bool noMatch = false,
        uint? skbMark = null, uint? skbMarkMask = null, uint? skbPriority = null, ushort? skbQueue = null,
        string? networkNamespace = null, string? setMemberName = null, bool wildcard = false)
    {
        Wildcard = wildcard;
        MemberSetName = setMemberName;
        SetName = setName;
        SetType = setType;
        Address = address;
        Cidr = cidr;
        Protocol = protocol;
        Port = port;
        Address2 = address2;
        Cidr2 = cidr2;
        Mark = mark;
        Interface = interfaceName;
        PhysicalDevice = physicalDevice;
        MacAddress = macAddress;
        Timeout = timeout;
        Packets = packets;
        Bytes = bytes;
        Comment = comment;
        NoMatch = noMatch;
        SkbMark = skbMark;
        SkbMarkMask = skbMarkMask;
        SkbPriority = skbPriority;
        SkbQueue = skbQueue;
        NetworkNamespace = networkNamespace;
        Element = IpsetText.FormatElement(this);
        Options = IpsetText.FormatOptions(this);
    }

    public string SetName { get; }
    public string SetType { get; }

    /// <summary>The element as `ipset list` prints it.</summary>
    public string Element { get; }

    /// <summary>The extensions after the element, as `ipset list` prints them ("" when none).</summary>
    public string Options { get; }

    public IPAddress? Address { get; }

    /// <summary>The prefix length of a net element (hash:net and friends).</summary>
    public byte? Cidr { get; }

    /// <summary>tcp, udp, sctp, udplite, icmp, icmpv6, or a number.</summary>
    public string? Protocol { get; }

    public ushort? Port { get; }

    /// <summary>The second address (hash:ip,port,ip) or network (hash:ip,port,net).</summary>
    public IPAddress? Address2 { get; }

    public byte? Cidr2 { get; }

    /// <summary>The network of a hash:ip,port,net member ("10.0.0.0/24"), else null.</summary>
    public string? Network => Address2 is null || Cidr2 is null ? null : $"{Address2}/{Cidr2}";

    public uint? Mark { get; }

    /// <summary>list:set: the name of the member set.</summary>
    public string? MemberSetName { get; }
    public string? Interface { get; }
    public bool PhysicalDevice { get; }
    public string? MacAddress { get; }

    /// <summary>Seconds left, for sets created with a timeout.</summary>
    public uint? Timeout { get; }

    public ulong? Packets { get; }
    public ulong? Bytes { get; }
    public string? Comment { get; }
    public bool NoMatch { get; }

    /// <summary>hash:net,iface: the interface name is a prefix (added with wildcard).</summary>
    public bool Wildcard { get; }
    public uint? SkbMark { get; }
    public uint? SkbMarkMask { get; }
    public uint? SkbPriority { get; }
    public ushort? SkbQueue { get; }

    /// <summary>The network namespace the member was read from; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>The member line of `ipset list`: the element and its options.</summary>
    public string ListLine => Options.Length == 0 ? Element : Element + " " + Options;

    public override string ToString() => Element;
}
