using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// A member of one of kube-proxy's sets, in kube-proxy's terms: address, protocol, port, and the second
/// address (hash:ip,port,ip) or source network (hash:ip,port,net). <see cref="ToString"/> is the member
/// exactly as kube-proxy writes it (utilipset Entry.String): <c>10.96.0.10,udp:53</c>,
/// <c>10.244.0.5,tcp:53,10.244.0.5</c>, <c>203.0.113.10,tcp:80,192.168.0.0/16</c> (the network always
/// with its prefix length, as in loadBalancerSourceRanges), <c>30080</c>, <c>10.96.0.10</c>.
/// </summary>
public sealed class KubeIpsetMember
{
    private readonly IpvsService[] _virtualServers;

    public KubeIpsetMember(string setName, IPAddress? address, string? protocol, ushort? port, IPAddress? address2, string? network,
        IReadOnlyList<IpvsService>? virtualServers = null, string? networkNamespace = null)
    {
        SetName = setName;
        Address = address;
        Protocol = protocol;
        Port = port;
        Address2 = address2;
        Network = network;
        _virtualServers = virtualServers is null ? [] : [.. virtualServers];
        NetworkNamespace = networkNamespace;
        Text = Format();
    }

    public string SetName { get; }

    /// <summary>The first address (a ClusterIP, external or load-balancer IP, node IP, endpoint or kube-ipvs0 address).</summary>
    public IPAddress? Address { get; }

    /// <summary>tcp, udp or sctp, in lower case as kube-proxy writes it; null for port-only and address-only sets.</summary>
    public string? Protocol { get; }

    public ushort? Port { get; }

    /// <summary>The second address: the endpoint again (KUBE-LOOP-BACK) or an allowed source (KUBE-LOAD-BALANCER-SOURCE-IP).</summary>
    public IPAddress? Address2 { get; }

    /// <summary>An allowed source network, address/prefix (KUBE-LOAD-BALANCER-SOURCE-CIDR).</summary>
    public string? Network { get; }

    /// <summary>
    /// The IPVS virtual server this member belongs to, when exactly one does: the service at the member's
    /// address, protocol and port. Null when none exists (or the kernel has no IPVS table), and for
    /// members that stand for several (a NodePort, a kube-ipvs0 address, an endpoint of several Services):
    /// see <see cref="VirtualServers"/>.
    /// </summary>
    public IpvsService? VirtualServer => _virtualServers.Length == 1 ? _virtualServers[0] : null;

    /// <summary>Every IPVS virtual server the member belongs to (a copy).</summary>
    public IpvsService[] VirtualServers => (IpvsService[])_virtualServers.Clone();

    /// <summary>The network namespace of the set; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>The member as kube-proxy writes it.</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>The text kube-proxy writes for a hash:ip,port member: "10.96.0.10,udp:53".</summary>
    public static string IPPortText(IPAddress ip, IpvsProtocol protocol, int port)
        => ip + "," + ProtocolName(protocol) + ":" + port.ToString(CultureInfo.InvariantCulture);

    /// <summary>The text kube-proxy writes for a hash:ip,port,ip member: "10.244.1.5,tcp:8080,10.244.1.5".</summary>
    public static string IPPortIPText(IPAddress ip, IpvsProtocol protocol, int port, IPAddress ip2)
        => IPPortText(ip, protocol, port) + "," + ip2;

    /// <summary>The text kube-proxy writes for a hash:ip,port,net member: "192.0.2.10,tcp:80,203.0.113.0/24".</summary>
    public static string IPPortNetText(IPAddress ip, IpvsProtocol protocol, int port, IpNetwork net)
        => IPPortText(ip, protocol, port) + "," + net;

    /// <summary>The text kube-proxy writes for a bitmap:port member: "30080".</summary>
    public static string PortText(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>tcp, udp, sctp: the protocol as kube-proxy writes it in members and rules.</summary>
    public static string ProtocolName(IpvsProtocol protocol) => protocol switch
    {
        IpvsProtocol.Tcp => "tcp",
        IpvsProtocol.Udp => "udp",
        IpvsProtocol.Sctp => "sctp",
        _ => ((int)protocol).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A member as the kernel listed it, in kube-proxy's terms.</summary>
    public static KubeIpsetMember From(IpsetMember member, IReadOnlyList<IpvsService>? virtualServers = null)
    {
        var network = member.SetType.EndsWith(",net", StringComparison.Ordinal) && member.Address2 is not null
            ? $"{member.Address2}/{member.Cidr2 ?? (byte)(member.Address2.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 128 : 32)}"
            : null;
        return new KubeIpsetMember(member.SetName, member.Address, member.Protocol, member.Port, network is null ? member.Address2 : null, network,
            virtualServers, member.NetworkNamespace);
    }

    /// <summary>
    /// Reads a member of a kube-proxy set from its text (as kube-proxy writes it or `ipset list` prints
    /// it), by the set's type and family; an <see cref="IpsetSyntaxException"/> when it is not one.
    /// </summary>
    public static KubeIpsetMember Parse(string setName, string text)
    {
        var known = KubeIpsetDefinition.Find(setName)
            ?? throw new IpsetSyntaxException($"'{setName}' is not one of kube-proxy's sets ({string.Join(", ", KubeIpsetDefinition.Names)}).", setName);
        var type = IpsetTypeInfo.Get(known.Definition.Type);
        var element = IpsetElementParser.Parse(text, type, type.IsBitmap ? null : known.Ipv6 ? "inet6" : "inet");
        if (element.IsRange) throw new IpsetSyntaxException($"'{text}' is a range; kube-proxy's members are single.", text);
        string? network = null;
        IPAddress? address2 = element.Address2;
        if (type.Dimensions[^1] == IpsetDimension.Net && element.Address2 is not null)
        {
            network = $"{element.Address2}/{element.Cidr2}";
            address2 = null;
        }
        var protocol = element.Protocol is { } p ? IpProtocols.Name(p) : null;
        return new KubeIpsetMember(setName, element.Address, protocol, element.Port, address2, network);
    }

    private string Format()
    {
        var text = new StringBuilder();
        if (Address is not null) text.Append(Address);
        if (Port is { } port)
        {
            if (text.Length > 0) text.Append(',');
            if (Protocol is not null) text.Append(Protocol).Append(':');
            text.Append(port);
        }
        if (Address2 is not null) text.Append(',').Append(Address2);
        if (Network is not null) text.Append(',').Append(Network);
        return text.ToString();
    }
}
