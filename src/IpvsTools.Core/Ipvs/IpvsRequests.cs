using System;
using System.Net.Sockets;
using IpvsTools.Netlink;

namespace IpvsTools.Ipvs;

/// <summary>
/// The IPVS requests, built byte for byte: nlmsghdr, genlmsghdr (command, version 1), attributes.
/// Plain integers are in host order; ports are big endian without NLA_F_NET_BYTEORDER (the kernel
/// reads them with nla_get_be16); addresses are 16 bytes with IPv4 in the first 4. The service nest
/// is flagged NESTED: the kernel parses IPVS nests liberally, so it accepts it either way.
/// </summary>
internal static class IpvsRequests
{
    private const ushort DumpFlags = NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagDump;
    private const ushort DoFlags = NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck;

    /// <summary>IPVS_CMD_GET_SERVICE as a dump: every service of the namespace, no attributes.</summary>
    public static NetlinkMessageWriter GetServiceDump(ushort familyId) => Bare(familyId, IpvsConstants.CmdGetService, DumpFlags);

    /// <summary>IPVS_CMD_GET_SERVICE for one service (answers ESRCH when there is none).</summary>
    public static NetlinkMessageWriter GetService(ushort familyId, IpvsServiceKey key)
    {
        var writer = Begin(familyId, IpvsConstants.CmdGetService, DoFlags);
        WriteServiceIdentity(writer, key);
        return writer.EndMessage();
    }

    /// <summary>IPVS_CMD_GET_DEST as a dump of one service's destinations (empty when the service is missing).</summary>
    public static NetlinkMessageWriter GetDestDump(ushort familyId, IpvsServiceKey key)
    {
        var writer = Begin(familyId, IpvsConstants.CmdGetDest, DumpFlags);
        WriteServiceIdentity(writer, key);
        return writer.EndMessage();
    }

    /// <summary>IPVS_CMD_GET_INFO: the version and the connection table size.</summary>
    public static NetlinkMessageWriter GetInfo(ushort familyId) => Bare(familyId, IpvsConstants.CmdGetInfo, DoFlags);

    /// <summary>IPVS_CMD_GET_CONFIG: the tcp, tcpfin and udp timeouts.</summary>
    public static NetlinkMessageWriter GetConfig(ushort familyId) => Bare(familyId, IpvsConstants.CmdGetConfig, DoFlags);

    /// <summary>
    /// IPVS_CMD_ATTR_SERVICE holding only what identifies the service: AF and FWMARK, or AF,
    /// PROTOCOL, ADDR (16 bytes) and PORT.
    /// </summary>
    public static void WriteServiceIdentity(NetlinkMessageWriter writer, IpvsServiceKey key)
    {
        var nest = writer.BeginNested(IpvsConstants.CmdAttrService);
        WriteServiceIdentityAttributes(writer, key);
        writer.EndNested(nest);
    }

    /// <summary>The identifying attributes alone, inside a service nest the caller opened.</summary>
    public static void WriteServiceIdentityAttributes(NetlinkMessageWriter writer, IpvsServiceKey key)
    {
        writer.PutU16(IpvsConstants.SvcAttrAf, KernelFamily(key.AddressFamily));
        if (key.IsFirewallMark)
        {
            writer.PutU32(IpvsConstants.SvcAttrFwmark, key.FirewallMark);
            return;
        }
        Span<byte> address = stackalloc byte[IpvsConstants.AddressLength];
        IpvsAddressText.WriteKernelBytes(key.Address, address);
        writer.PutU16(IpvsConstants.SvcAttrProtocol, (ushort)key.Protocol)
            .PutBytes(IpvsConstants.SvcAttrAddr, address)
            .PutU16BigEndianUnflagged(IpvsConstants.SvcAttrPort, key.Port);
    }

    /// <summary>AF_INET (2) or AF_INET6 (10): the kernel's numbers, not .NET's.</summary>
    public static ushort KernelFamily(AddressFamily family) => family switch
    {
        AddressFamily.InterNetwork => IpvsConstants.AfInet,
        AddressFamily.InterNetworkV6 => IpvsConstants.AfInet6,
        _ => throw new IpvsToolsException($"IPVS knows IPv4 and IPv6, not {family}.", FailureKind.InvalidArgument),
    };

    private static NetlinkMessageWriter Bare(ushort familyId, byte command, ushort flags) => Begin(familyId, command, flags).EndMessage();

    private static NetlinkMessageWriter Begin(ushort familyId, byte command, ushort flags)
    {
        var writer = new NetlinkMessageWriter(128);
        writer.BeginMessage(familyId, flags).WriteGenericHeader(command, IpvsConstants.FamilyVersion);
        return writer;
    }
}
