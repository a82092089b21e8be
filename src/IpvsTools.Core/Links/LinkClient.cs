using System;
using System.Collections.Generic;
using System.Text;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Links;

/// <summary>
/// Network interfaces over rtnetlink (NETLINK_ROUTE): list, look up by name or index, create a dummy
/// link (such as kube-proxy's kube-ipvs0), set it up or down, delete it.
/// </summary>
public sealed class LinkClient : IDisposable
{
    /// <summary>IFNAMSIZ - 1.</summary>
    public const int MaxNameLength = 15;

    private readonly NetlinkSocket _socket;
    private readonly NetworkNamespace? _namespace;

    private LinkClient(NetlinkSocket socket, NetworkNamespace? ns)
    {
        _socket = socket;
        _namespace = ns;
    }

    public static LinkClient Open(NetworkNamespace? ns = null) => new(NetlinkSocket.Open(NetlinkProtocol.Route, ns), ns);

    /// <summary>Every link. Interrupted dumps are restarted.</summary>
    public IReadOnlyList<NetworkLink> List()
    {
        var request = new NetlinkMessageWriter();
        request.BeginMessage(RtnetlinkConstants.GetLink, NetlinkConstants.FlagRequest | NetlinkConstants.FlagDump)
            .WriteFamilyHeader(new byte[RtnetlinkConstants.LinkHeaderLength])
            .PutU32(RtnetlinkConstants.IflaExtMask, RtnetlinkConstants.RtextFilterSkipStats)
            .EndMessage();
        var result = new List<NetworkLink>();
        _socket.Dump(request, reply =>
        {
            if (reply.Type == RtnetlinkConstants.NewLink) result.Add(Decode(reply, _namespace?.DisplayName));
        }, result.Clear, "Listing links" + Where());
        return result;
    }

    /// <summary>The link of that name, or null when there is none.</summary>
    public NetworkLink? Find(string name)
    {
        CheckName(name);
        var request = GetRequest(0);
        request.PutString(RtnetlinkConstants.IflaIfName, name).EndMessage();
        return Get(request, $"Looking up link '{name}'");
    }

    /// <summary>The link with that index, or null when there is none.</summary>
    public NetworkLink? Find(int index)
    {
        if (index <= 0) throw new IpvsToolsException($"{index} is not an interface index (they start at 1).", FailureKind.InvalidArgument);
        var request = GetRequest(index);
        request.EndMessage();
        return Get(request, $"Looking up link {index}");
    }

    /// <summary>Creates a dummy link (down, as kube-proxy leaves kube-ipvs0) and returns it.</summary>
    public NetworkLink CreateDummy(string name)
    {
        CheckName(name);
        var request = new NetlinkMessageWriter();
        request.BeginMessage(RtnetlinkConstants.NewLink, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagCreate | NetlinkConstants.FlagExclusive)
            .WriteFamilyHeader(new byte[RtnetlinkConstants.LinkHeaderLength])
            .PutString(RtnetlinkConstants.IflaIfName, name);
        var info = request.BeginNested(RtnetlinkConstants.IflaLinkInfo);
        request.PutString(RtnetlinkConstants.IflaInfoKind, "dummy");
        request.EndNested(info).EndMessage();
        try
        {
            _socket.Execute(request, null, $"Creating dummy link '{name}'{Where()}");
        }
        catch (NetlinkException ex) when (ex.Errno == Errno.EOPNOTSUPP)
        {
            throw NetlinkException.Worded(ex.Errno,
                $"Creating dummy link '{name}'{Where()}: the kernel has no dummy link type; load the dummy module (modprobe dummy) or build the kernel with CONFIG_DUMMY.",
                FailureKind.ModuleMissing, ex.KernelMessage);
        }
        catch (NetlinkException ex) when (ex.Errno == Errno.EEXIST)
        {
            throw NetlinkException.Worded(ex.Errno, $"Creating dummy link '{name}'{Where()}: a link of that name exists already.", FailureKind.AlreadyExists, ex.KernelMessage);
        }
        return Find(name) ?? throw new IpvsToolsException($"Dummy link '{name}' was created but is not listed{Where()}.", FailureKind.StateUnknown);
    }

    /// <summary>Sets a link administratively up or down (ip link set NAME up|down).</summary>
    public void SetUp(int index, bool up)
    {
        var header = Header(index);
        HostOrder.WriteU32(header.AsSpan(8), up ? RtnetlinkConstants.IffUp : 0);
        HostOrder.WriteU32(header.AsSpan(12), RtnetlinkConstants.IffUp);
        var request = new NetlinkMessageWriter();
        request.BeginMessage(RtnetlinkConstants.NewLink, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck)
            .WriteFamilyHeader(header).EndMessage();
        _socket.Execute(request, null, $"Setting link {index} {(up ? "up" : "down")}{Where()}");
    }

    /// <summary>Deletes a link (its addresses go with it).</summary>
    public void Delete(int index)
    {
        var request = new NetlinkMessageWriter();
        request.BeginMessage(RtnetlinkConstants.DeleteLink, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck)
            .WriteFamilyHeader(Header(index)).EndMessage();
        _socket.Execute(request, null, $"Deleting link {index}{Where()}");
    }

    public void Dispose() => _socket.Dispose();

    /// <summary>Refuses names the kernel refuses: empty, longer than 15 bytes, with '/', ':' or white space, "." and "..".</summary>
    public static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new IpvsToolsException("An interface name cannot be empty.", FailureKind.InvalidArgument);
        if (Encoding.UTF8.GetByteCount(name) > MaxNameLength)
            throw new IpvsToolsException($"Interface name '{name}' is longer than {MaxNameLength} bytes.", FailureKind.InvalidArgument);
        if (name is "." or ".." || name.IndexOfAny(new[] { '/', ':', ' ', '\t', '\n', '\0' }) >= 0)
            throw new IpvsToolsException($"'{name}' is not a valid interface name.", FailureKind.InvalidArgument);
    }

    internal static NetworkLink Decode(NetlinkMessage reply, string? ns)
    {
        var header = reply.Payload;
        if (header.Length < RtnetlinkConstants.LinkHeaderLength) throw new NetlinkDecodeException("a link message shorter than ifinfomsg");
        var index = (int)HostOrder.ReadU32(header.Slice(4));
        var flags = HostOrder.ReadU32(header.Slice(8));
        string? name = null, kind = null, mac = null;
        uint? mtu = null;
        var state = LinkOperationalState.Unknown;
        var attributes = reply.Attributes(RtnetlinkConstants.LinkHeaderLength);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case RtnetlinkConstants.IflaIfName: name = attribute.GetString(); break;
                case RtnetlinkConstants.IflaMtu: mtu = attribute.GetU32(); break;
                case RtnetlinkConstants.IflaOperState: state = (LinkOperationalState)attribute.GetU8(); break;
                case RtnetlinkConstants.IflaAddress: mac = FormatHardwareAddress(attribute.Payload); break;
                case RtnetlinkConstants.IflaLinkInfo:
                    var info = attribute.Nested();
                    while (info.TryRead(out var item))
                    {
                        if (item.Type == RtnetlinkConstants.IflaInfoKind) kind = item.GetString();
                    }
                    break;
            }
        }
        return new NetworkLink(index, name ?? throw new NetlinkDecodeException("a link message without a name"), kind, flags, state, mtu, mac, ns);
    }

    private static string FormatHardwareAddress(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (text.Length > 0) text.Append(':');
            text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    private static NetlinkMessageWriter GetRequest(int index)
    {
        var request = new NetlinkMessageWriter();
        request.BeginMessage(RtnetlinkConstants.GetLink, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck)
            .WriteFamilyHeader(Header(index))
            .PutU32(RtnetlinkConstants.IflaExtMask, RtnetlinkConstants.RtextFilterSkipStats);
        return request;
    }

    private NetworkLink? Get(NetlinkMessageWriter request, string context)
    {
        NetworkLink? found = null;
        try
        {
            _socket.Execute(request, reply =>
            {
                if (reply.Type == RtnetlinkConstants.NewLink) found = Decode(reply, _namespace?.DisplayName);
            }, context + Where());
        }
        catch (NetlinkException ex) when (ex.Errno == Errno.ENODEV)
        {
            return null;
        }
        return found;
    }

    private static byte[] Header(int index)
    {
        var header = new byte[RtnetlinkConstants.LinkHeaderLength];
        HostOrder.WriteU32(header.AsSpan(4), (uint)index);
        return header;
    }

    private string Where() => _namespace is null ? "" : $" in network namespace '{_namespace.DisplayName}'";
}
