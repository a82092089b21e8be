using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Links;

/// <summary>Interface addresses over rtnetlink (NETLINK_ROUTE): list, add, remove.</summary>
public sealed class AddressClient : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly NetworkNamespace? _namespace;

    private AddressClient(NetlinkSocket socket, NetworkNamespace? ns)
    {
        _socket = socket;
        _namespace = ns;
    }

    public static AddressClient Open(NetworkNamespace? ns = null) => new(NetlinkSocket.Open(NetlinkProtocol.Route, ns), ns);

    /// <summary>How many times the last listing was restarted because the kernel flagged it interrupted.</summary>
    public int LastListRestarts { get; private set; }

    /// <summary>Every address of every interface (IPv4 and IPv6). Interrupted dumps are restarted.</summary>
    public IReadOnlyList<InterfaceAddress> List()
    {
        var request = new NetlinkMessageWriter();
        request.BeginMessage(RtnetlinkConstants.GetAddress, NetlinkConstants.FlagRequest | NetlinkConstants.FlagDump)
            .WriteFamilyHeader(new byte[RtnetlinkConstants.AddressHeaderLength])
            .EndMessage();
        var result = new List<InterfaceAddress>();
        var restarts = 0;
        _socket.Dump(request, reply =>
        {
            if (reply.Type == RtnetlinkConstants.NewAddress) result.Add(Decode(reply, _namespace?.DisplayName));
        }, () =>
        {
            restarts++;
            result.Clear();
        }, "Listing interface addresses" + Where());
        LastListRestarts = restarts;
        return result;
    }

    /// <summary>Adds an address to the interface with index <paramref name="interfaceIndex"/>.</summary>
    public void Add(int interfaceIndex, IPAddress address, byte prefixLength)
        => Change(RtnetlinkConstants.NewAddress, NetlinkConstants.FlagCreate | NetlinkConstants.FlagExclusive, interfaceIndex, address, prefixLength, "Adding");

    public void Remove(int interfaceIndex, IPAddress address, byte prefixLength)
        => Change(RtnetlinkConstants.DeleteAddress, 0, interfaceIndex, address, prefixLength, "Removing");

    public void Dispose() => _socket.Dispose();

    internal static InterfaceAddress Decode(NetlinkMessage reply, string? ns)
    {
        var header = reply.Payload;
        if (header.Length < RtnetlinkConstants.AddressHeaderLength) throw new NetlinkDecodeException("an address message shorter than ifaddrmsg");
        var family = header[0];
        var prefix = header[1];
        uint flags = header[2];
        var scope = header[3];
        var index = (int)HostOrder.ReadU32(header.Slice(4));
        IPAddress? local = null, address = null;
        string? label = null;
        var attributes = reply.Attributes(RtnetlinkConstants.AddressHeaderLength);
        var length = family == RtnetlinkConstants.FamilyInet6 ? 16 : 4;
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case RtnetlinkConstants.IfaLocal: local = attribute.GetAddress(length); break;
                case RtnetlinkConstants.IfaAddress: address = attribute.GetAddress(length); break;
                case RtnetlinkConstants.IfaLabel: label = attribute.GetString(); break;
                case RtnetlinkConstants.IfaFlags: flags = attribute.GetU32(); break;
            }
        }
        var chosen = local ?? address ?? throw new NetlinkDecodeException("an address message without an address");
        return new InterfaceAddress(index, label, chosen, prefix, scope, flags, ns);
    }

    private void Change(ushort type, ushort extraFlags, int interfaceIndex, IPAddress address, byte prefixLength, string verb)
    {
        var isV6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        if (prefixLength > (isV6 ? 128 : 32)) throw new IpvsToolsException($"/{prefixLength} is not a valid prefix length for {address}.", FailureKind.InvalidArgument);
        var header = new byte[RtnetlinkConstants.AddressHeaderLength];
        header[0] = isV6 ? RtnetlinkConstants.FamilyInet6 : RtnetlinkConstants.FamilyInet;
        header[1] = prefixLength;
        HostOrder.WriteU32(header.AsSpan(4), (uint)interfaceIndex);
        var bytes = address.GetAddressBytes();
        var request = new NetlinkMessageWriter();
        request.BeginMessage(type, (ushort)(NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | extraFlags))
            .WriteFamilyHeader(header)
            .PutBytes(RtnetlinkConstants.IfaLocal, bytes)
            .PutBytes(RtnetlinkConstants.IfaAddress, bytes)
            .EndMessage();
        _socket.Execute(request, null, $"{verb} {address}/{prefixLength} on interface {interfaceIndex}{Where()}");
    }

    private string Where() => _namespace is null ? "" : $" in network namespace '{_namespace.DisplayName}'";
}
