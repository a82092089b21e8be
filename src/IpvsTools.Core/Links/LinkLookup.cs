using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using IpvsTools.Netlink;

namespace IpvsTools;

/// <summary>
/// Looks up one network interface by name over rtnetlink (RTM_GETLINK with IFLA_IFNAME), and the
/// addresses on it: what "is this address on kube-ipvs0?" needs.
/// </summary>
public static class LinkLookup
{
    /// <summary>The dummy link kube-proxy in IPVS mode puts every Service address on.</summary>
    public const string KubeIpvsLink = "kube-ipvs0";

    private const ushort NewLink = 16, GetLink = 18;
    private const ushort IflaIfname = 3;
    private const int InterfaceHeaderLength = 16; // struct ifinfomsg

    /// <summary>The interface index of <paramref name="name"/> in the namespace, or null when there is no such interface.</summary>
    public static int? IndexOf(string name, NetworkNamespace? ns = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        using var socket = NetlinkSocket.Open(NetlinkProtocol.Route, ns);
        var request = new NetlinkMessageWriter();
        request.BeginMessage(GetLink, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck)
            .WriteFamilyHeader(new byte[InterfaceHeaderLength])
            .PutString(IflaIfname, name)
            .EndMessage();
        int? index = null;
        try
        {
            socket.Execute(request, reply =>
            {
                if (reply.Type == NewLink && reply.Payload.Length >= InterfaceHeaderLength) index ??= HostOrder.ReadI32(reply.Payload.Slice(4));
            }, $"Looking up interface {name}");
        }
        catch (NetlinkException ex) when (ex.Errno is Errno.ENODEV or Errno.ENOENT)
        {
            return null;
        }
        return index;
    }

    /// <summary>The addresses on the interface <paramref name="name"/>; empty when there is no such interface.</summary>
    public static IReadOnlyList<IPAddress> AddressesOn(string name, NetworkNamespace? ns = null)
    {
        var index = IndexOf(name, ns);
        if (index is null) return Array.Empty<IPAddress>();
        using var addresses = AddressClient.Open(ns);
        return addresses.List().Where(a => a.InterfaceIndex == index.Value).Select(a => a.Address).ToList();
    }
}
