using System;
using System.Collections.Generic;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipsets;

/// <summary>
/// The ipset client over nfnetlink (NETLINK_NETFILTER, subsystem 6). Opening it negotiates the
/// protocol version with the kernel (7, or 6 on older kernels).
/// </summary>
public sealed partial class IpsetClient : IDisposable
{
    private readonly NetlinkSocket _socket;
    private readonly NetworkNamespace? _namespace;

    private IpsetClient(NetlinkSocket socket, NetworkNamespace? ns)
    {
        _socket = socket;
        _namespace = ns;
        Protocol = Negotiate();
    }

    /// <summary>Opens a client in the caller's namespace, or in <paramref name="ns"/>.</summary>
    public static IpsetClient Open(NetworkNamespace? ns = null)
    {
        // The kernel writes the failing line number into the echoed request, so keep the echo (no CAP_ACK).
        var socket = NetlinkSocket.Open(NetlinkProtocol.Netfilter, ns, capAck: false);
        try
        {
            return new IpsetClient(socket, ns);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The protocol version agreed with the kernel.</summary>
    public byte Protocol { get; }

    /// <summary>Every set with its members, or only the set named <paramref name="name"/> (NotFound when missing).</summary>
    public IReadOnlyList<Ipset> List(string? name = null) => List(name, headersOnly: false);

    /// <summary>
    /// Like <see cref="List(string?)"/> but without members (IPSET_FLAG_LIST_HEADER): the headers the
    /// write operations check against, cheap even for sets with many members.
    /// </summary>
    public IReadOnlyList<Ipset> ListHeaders(string? name = null) => List(name, headersOnly: true);

    /// <summary>The header of the set named <paramref name="name"/>, or null when there is none.</summary>
    public Ipset? FindHeader(string name)
    {
        try
        {
            var sets = ListHeaders(name);
            return sets.Count == 0 ? null : sets[0];
        }
        catch (IpvsToolsException ex) when (ex.Kind == FailureKind.NotFound)
        {
            return null;
        }
    }

    private IReadOnlyList<Ipset> List(string? name, bool headersOnly)
    {
        if (name is not null) IpsetNames.Validate(name);
        var request = new NetlinkMessageWriter();
        request.BeginMessage(IpsetConstants.MessageType(IpsetConstants.CmdList),
                NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagDump)
            .WriteNetfilterHeader(IpsetConstants.FamilyInet)
            .PutU8(IpsetConstants.AttrProtocol, Protocol);
        if (name is not null) request.PutString(IpsetConstants.AttrSetName, name);
        if (headersOnly) request.PutU32(IpsetConstants.AttrFlags, IpsetConstants.ListFlagHeader, ByteOrder.Network);
        request.EndMessage();

        var decoder = new IpsetListDecoder(_namespace?.DisplayName);
        var context = name is null ? "Listing the ipsets" + Where() : $"Listing ipset '{name}'" + Where();
        try
        {
            _socket.Dump(request, decoder.Add, decoder.Reset, context);
        }
        catch (NetlinkException ex)
        {
            throw IpsetErrors.ToException(ex, context);
        }
        return decoder.Build();
    }

    public void Dispose() => _socket.Dispose();

    private string Where() => _namespace is null ? "" : $" in network namespace '{_namespace.DisplayName}'";

    private byte Negotiate()
    {
        var request = new NetlinkMessageWriter();
        request.BeginMessage(IpsetConstants.MessageType(IpsetConstants.CmdProtocol), NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck)
            .WriteNetfilterHeader(IpsetConstants.FamilyInet)
            .PutU8(IpsetConstants.AttrProtocol, IpsetConstants.ProtocolMax)
            .EndMessage();
        byte kernelProtocol = 0, kernelMinimum = 0;
        var context = "Asking the kernel for its ipset protocol version" + Where();
        try
        {
            _socket.Execute(request, reply =>
            {
                var attributes = reply.Attributes(4);
                while (attributes.TryRead(out var attribute))
                {
                    if (attribute.Type == IpsetConstants.AttrProtocol) kernelProtocol = attribute.GetU8();
                    else if (attribute.Type == IpsetConstants.AttrProtocolMin) kernelMinimum = attribute.GetU8();
                }
            }, context);
        }
        catch (NetlinkException ex)
        {
            if (ex.Errno == Errno.EPROTONOSUPPORT || ex.Errno == Errno.ENOENT)
                throw NetlinkException.Worded(ex.Errno,
                    "The kernel has no ipset support: the ip_set module is not loaded and could not be loaded (modprobe ip_set).",
                    FailureKind.ModuleMissing, ex.KernelMessage);
            throw IpsetErrors.ToException(ex, context);
        }
        if (kernelProtocol == 0) throw new NetlinkDecodeException("the kernel's ipset protocol reply named no version");
        var agreed = Math.Min(kernelProtocol, IpsetConstants.ProtocolMax);
        var minimum = kernelMinimum == 0 ? kernelProtocol : kernelMinimum;
        if (agreed < IpsetConstants.ProtocolMinimum || agreed < minimum)
            throw new IpvsToolsException($"The kernel speaks ipset protocol {minimum}-{kernelProtocol}; IpvsTools speaks {IpsetConstants.ProtocolMinimum}-{IpsetConstants.ProtocolMax}.", FailureKind.NotSupported);
        return agreed;
    }
}
