using System;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

/// <summary>
/// The IPVS requests that change state, byte for byte. Attributes come in the order libipvs (ipvsadm
/// 1.31) writes them: a service nest holds its identity, then SCHED_NAME, PE_NAME (when set), FLAGS
/// {flags, mask all ones: every flag is set or cleared}, TIMEOUT and NETMASK; a destination nest holds
/// ADDR_FAMILY, ADDR, PORT, FWD_METHOD, WEIGHT, TUN_TYPE, TUN_PORT, TUN_FLAGS, U_THRESH, L_THRESH.
/// Every request asks for an ACK.
/// </summary>
internal static class IpvsWriteRequests
{
    private const ushort DoFlags = NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck;

    /// <summary>IPVS_CMD_NEW_SERVICE (EEXIST when it exists).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NetlinkMessageWriter NewService(ushort familyId, IpvsServiceSettings settings) => FullService(familyId, IpvsConstants.CmdNewService, settings);

    /// <summary>IPVS_CMD_SET_SERVICE: replaces every setting of the service (ESRCH when it does not exist).</summary>
    public static NetlinkMessageWriter SetService(ushort familyId, IpvsServiceSettings settings) => FullService(familyId, IpvsConstants.CmdSetService, settings);

    /// <summary>IPVS_CMD_DEL_SERVICE with the service's identity only.</summary>
    public static NetlinkMessageWriter DelService(ushort familyId, IpvsServiceKey key) => ServiceOnly(familyId, IpvsConstants.CmdDelService, key);

    /// <summary>IPVS_CMD_ZERO: the counters of one service, or of the whole table when <paramref name="key"/> is null.</summary>
    public static NetlinkMessageWriter Zero(ushort familyId, IpvsServiceKey? key)
        => key is null ? Bare(familyId, IpvsConstants.CmdZero) : ServiceOnly(familyId, IpvsConstants.CmdZero, key);

    /// <summary>IPVS_CMD_FLUSH: every service of the namespace, with its destinations.</summary>
    public static NetlinkMessageWriter Flush(ushort familyId) => Bare(familyId, IpvsConstants.CmdFlush);

    /// <summary>IPVS_CMD_NEW_DEST (EEXIST when the destination exists, ESRCH when the service does not).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static NetlinkMessageWriter NewDest(ushort familyId, IpvsServiceKey service, IpvsDestinationSettings destination)
        => FullDest(familyId, IpvsConstants.CmdNewDest, service, destination);

    /// <summary>IPVS_CMD_SET_DEST: replaces every setting of the destination (ENOENT when it does not exist).</summary>
    public static NetlinkMessageWriter SetDest(ushort familyId, IpvsServiceKey service, IpvsDestinationSettings destination)
        => FullDest(familyId, IpvsConstants.CmdSetDest, service, destination);

    /// <summary>IPVS_CMD_DEL_DEST with the destination's family, address and port only.</summary>
    public static NetlinkMessageWriter DelDest(ushort familyId, IpvsServiceKey service, IPAddress address, ushort port)
    {
        var writer = Begin(familyId, IpvsConstants.CmdDelDest);
        IpvsRequests.WriteServiceIdentity(writer, service);
        var nest = writer.BeginNested(IpvsConstants.CmdAttrDest);
        WriteDestIdentity(writer, address, port);
        writer.EndNested(nest);
        return writer.EndMessage();
    }

    /// <summary>IPVS_CMD_SET_CONFIG with all three timeouts; 0 leaves that one unchanged.</summary>
    public static NetlinkMessageWriter SetConfig(ushort familyId, IpvsTimeouts timeouts)
    {
        var writer = Begin(familyId, IpvsConstants.CmdSetConfig);
        writer.PutU32(IpvsConstants.CmdAttrTimeoutTcp, timeouts.Tcp)
            .PutU32(IpvsConstants.CmdAttrTimeoutTcpFin, timeouts.TcpFin)
            .PutU32(IpvsConstants.CmdAttrTimeoutUdp, timeouts.Udp);
        return writer.EndMessage();
    }

    /// <summary>IPVS_CMD_GET_DAEMON as a dump: one reply per running sync daemon.</summary>
    public static NetlinkMessageWriter GetDaemonDump(ushort familyId)
    {
        var writer = new NetlinkMessageWriter(64);
        writer.BeginMessage(familyId, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck | NetlinkConstants.FlagDump)
            .WriteGenericHeader(IpvsConstants.CmdGetDaemon, IpvsConstants.FamilyVersion);
        return writer.EndMessage();
    }

    /// <summary>
    /// IPVS_CMD_NEW_DAEMON: STATE, MCAST_IFN and SYNC_ID always; SYNC_MAXLEN, the group (MCAST_GROUP for
    /// IPv4, MCAST_GROUP6 for IPv6), MCAST_PORT and MCAST_TTL only when given (the kernel picks 1472 minus
    /// headers, 224.0.0.81, 8848 and 1 otherwise).
    /// </summary>
    public static NetlinkMessageWriter NewDaemon(ushort familyId, IpvsSyncDaemonSettings settings)
    {
        var writer = Begin(familyId, IpvsConstants.CmdNewDaemon);
        var nest = writer.BeginNested(IpvsConstants.CmdAttrDaemon);
        writer.PutU32(IpvsConstants.DaemonAttrState, (uint)settings.State)
            .PutString(IpvsConstants.DaemonAttrMcastIfn, settings.Interface)
            .PutU32(IpvsConstants.DaemonAttrSyncId, settings.SyncId);
        if (settings.MaxLength != 0) writer.PutU16(IpvsConstants.DaemonAttrSyncMaxLen, settings.MaxLength);
        if (settings.MulticastGroup is { } group)
        {
            writer.PutBytes(group.AddressFamily == AddressFamily.InterNetworkV6 ? IpvsConstants.DaemonAttrMcastGroup6 : IpvsConstants.DaemonAttrMcastGroup,
                group.GetAddressBytes());
        }
        if (settings.MulticastPort != 0) writer.PutU16(IpvsConstants.DaemonAttrMcastPort, settings.MulticastPort);
        if (settings.MulticastTtl != 0) writer.PutU8(IpvsConstants.DaemonAttrMcastTtl, settings.MulticastTtl);
        writer.EndNested(nest);
        return writer.EndMessage();
    }

    /// <summary>IPVS_CMD_DEL_DAEMON: stops the master or the backup daemon.</summary>
    public static NetlinkMessageWriter DelDaemon(ushort familyId, IpvsSyncState state)
    {
        var writer = Begin(familyId, IpvsConstants.CmdDelDaemon);
        var nest = writer.BeginNested(IpvsConstants.CmdAttrDaemon);
        writer.PutU32(IpvsConstants.DaemonAttrState, (uint)state);
        writer.EndNested(nest);
        return writer.EndMessage();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static NetlinkMessageWriter FullService(ushort familyId, byte command, IpvsServiceSettings settings)
    {
        var writer = Begin(familyId, command);
        var nest = writer.BeginNested(IpvsConstants.CmdAttrService);
        IpvsRequests.WriteServiceIdentityAttributes(writer, settings.Key);
        writer.PutString(IpvsConstants.SvcAttrSchedName, settings.Scheduler);
        if (settings.PersistenceEngine is not null) writer.PutString(IpvsConstants.SvcAttrPeName, settings.PersistenceEngine);
        Span<byte> flags = stackalloc byte[8];
        HostOrder.WriteU32(flags, settings.Flags);
        HostOrder.WriteU32(flags.Slice(4), uint.MaxValue);
        writer.PutBytes(IpvsConstants.SvcAttrFlags, flags)
            .PutU32(IpvsConstants.SvcAttrTimeout, settings.PersistenceTimeout)
            .PutU32(IpvsConstants.SvcAttrNetmask, settings.NetmaskAttribute);
        writer.EndNested(nest);
        return writer.EndMessage();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static NetlinkMessageWriter FullDest(ushort familyId, byte command, IpvsServiceKey service, IpvsDestinationSettings destination)
    {
        var writer = Begin(familyId, command);
        IpvsRequests.WriteServiceIdentity(writer, service);
        var nest = writer.BeginNested(IpvsConstants.CmdAttrDest);
        WriteDestIdentity(writer, destination.Address, destination.Port);
        writer.PutU32(IpvsConstants.DestAttrFwdMethod, (uint)destination.ForwardingMethod & IpvsConstants.FwdMask)
            .PutU32(IpvsConstants.DestAttrWeight, unchecked((uint)destination.Weight))
            .PutU8(IpvsConstants.DestAttrTunType, (byte)destination.TunnelType)
            .PutU16BigEndianUnflagged(IpvsConstants.DestAttrTunPort, destination.TunnelPort)
            .PutU16(IpvsConstants.DestAttrTunFlags, (ushort)destination.TunnelChecksum)
            .PutU32(IpvsConstants.DestAttrUThresh, destination.UpperThreshold)
            .PutU32(IpvsConstants.DestAttrLThresh, destination.LowerThreshold);
        writer.EndNested(nest);
        return writer.EndMessage();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WriteDestIdentity(NetlinkMessageWriter writer, IPAddress address, ushort port)
    {
        Span<byte> bytes = stackalloc byte[IpvsConstants.AddressLength];
        IpvsAddressText.WriteKernelBytes(address, bytes);
        writer.PutU16(IpvsConstants.DestAttrAddrFamily, IpvsRequests.KernelFamily(address.AddressFamily))
            .PutBytes(IpvsConstants.DestAttrAddr, bytes)
            .PutU16BigEndianUnflagged(IpvsConstants.DestAttrPort, port);
    }

    private static NetlinkMessageWriter ServiceOnly(ushort familyId, byte command, IpvsServiceKey key)
    {
        var writer = Begin(familyId, command);
        IpvsRequests.WriteServiceIdentity(writer, key);
        return writer.EndMessage();
    }

    private static NetlinkMessageWriter Bare(ushort familyId, byte command) => Begin(familyId, command).EndMessage();

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static NetlinkMessageWriter Begin(ushort familyId, byte command)
    {
        var writer = new NetlinkMessageWriter(192);
        writer.BeginMessage(familyId, DoFlags).WriteGenericHeader(command, IpvsConstants.FamilyVersion);
        return writer;
    }
}
