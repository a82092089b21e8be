namespace IpvsTools.Ipvs;

/// <summary>
/// The IPVS generic netlink family (include/uapi/linux/ip_vs.h, net/netfilter/ipvs/ip_vs_ctl.c):
/// commands, attribute ids, forwarding methods, service flags and the kernel's defaults.
/// </summary>
internal static class IpvsConstants
{
    public const string FamilyName = "IPVS";
    public const byte FamilyVersion = 1;

    // Commands (enum IPVS_CMD_*). Replies to GET_SERVICE and GET_DEST carry NEW_SERVICE / NEW_DEST,
    // GET_INFO's reply carries SET_INFO and GET_CONFIG's carries SET_CONFIG.
    public const byte CmdNewService = 1, CmdSetService = 2, CmdDelService = 3, CmdGetService = 4,
        CmdNewDest = 5, CmdSetDest = 6, CmdDelDest = 7, CmdGetDest = 8,
        CmdNewDaemon = 9, CmdDelDaemon = 10, CmdGetDaemon = 11,
        CmdSetConfig = 12, CmdGetConfig = 13, CmdSetInfo = 14, CmdGetInfo = 15, CmdZero = 16, CmdFlush = 17;

    // Command-level attributes (IPVS_CMD_ATTR_*).
    public const ushort CmdAttrService = 1, CmdAttrDest = 2, CmdAttrDaemon = 3,
        CmdAttrTimeoutTcp = 4, CmdAttrTimeoutTcpFin = 5, CmdAttrTimeoutUdp = 6;

    // Inside IPVS_CMD_ATTR_SERVICE (IPVS_SVC_ATTR_*).
    public const ushort SvcAttrAf = 1, SvcAttrProtocol = 2, SvcAttrAddr = 3, SvcAttrPort = 4, SvcAttrFwmark = 5,
        SvcAttrSchedName = 6, SvcAttrFlags = 7, SvcAttrTimeout = 8, SvcAttrNetmask = 9, SvcAttrStats = 10,
        SvcAttrPeName = 11, SvcAttrStats64 = 12;

    // Inside IPVS_CMD_ATTR_DEST (IPVS_DEST_ATTR_*).
    public const ushort DestAttrAddr = 1, DestAttrPort = 2, DestAttrFwdMethod = 3, DestAttrWeight = 4,
        DestAttrUThresh = 5, DestAttrLThresh = 6, DestAttrActiveConns = 7, DestAttrInactConns = 8,
        DestAttrPersistConns = 9, DestAttrStats = 10, DestAttrAddrFamily = 11, DestAttrStats64 = 12,
        DestAttrTunType = 13, DestAttrTunPort = 14, DestAttrTunFlags = 15;

    // Inside IPVS_CMD_ATTR_DAEMON (IPVS_DAEMON_ATTR_*).
    public const ushort DaemonAttrState = 1, DaemonAttrMcastIfn = 2, DaemonAttrSyncId = 3, DaemonAttrSyncMaxLen = 4,
        DaemonAttrMcastGroup = 5, DaemonAttrMcastGroup6 = 6, DaemonAttrMcastPort = 7, DaemonAttrMcastTtl = 8;

    // Inside a STATS / STATS64 nest (IPVS_STATS_ATTR_*): u32 counters and rates in STATS (bytes are
    // u64 in both), everything u64 in STATS64. PAD aligns u64 payloads where the platform needs it.
    public const ushort StatsAttrConns = 1, StatsAttrInPkts = 2, StatsAttrOutPkts = 3, StatsAttrInBytes = 4,
        StatsAttrOutBytes = 5, StatsAttrCps = 6, StatsAttrInPps = 7, StatsAttrOutPps = 8, StatsAttrInBps = 9,
        StatsAttrOutBps = 10, StatsAttrPad = 11;

    // GET_INFO's reply (IPVS_INFO_ATTR_*), at command level.
    public const ushort InfoAttrVersion = 1, InfoAttrConnTabSize = 2;

    // Forwarding methods (IP_VS_CONN_F_*), the low bits of a destination's connection flags.
    public const uint FwdMasq = 0, FwdLocalNode = 1, FwdTunnel = 2, FwdDirectRoute = 3, FwdBypass = 4, FwdMask = 7;

    // Tunnel types (IP_VS_CONN_F_TUNNEL_TYPE_*) and encapsulation flags (IP_VS_TUNNEL_ENCAP_FLAG_*).
    public const byte TunnelIpip = 0, TunnelGue = 1, TunnelGre = 2;
    public const ushort TunnelFlagCsum = 1, TunnelFlagRemoteCsum = 2;

    // Service flags (IP_VS_SVC_F_*). HASHED is kernel-internal and stripped when reading.
    public const uint SvcFlagPersistent = 0x1, SvcFlagHashed = 0x2, SvcFlagOnePacket = 0x4,
        SvcFlagSched1 = 0x8, SvcFlagSched2 = 0x10, SvcFlagSched3 = 0x20;
    public const uint SvcFlagSchedAny = SvcFlagSched1 | SvcFlagSched2 | SvcFlagSched3;

    // Address families as the kernel numbers them (not System.Net.Sockets.AddressFamily's values).
    public const ushort AfInet = 2, AfInet6 = 10;

    // IP protocol numbers a virtual service may carry.
    public const ushort ProtoTcp = 6, ProtoUdp = 17, ProtoSctp = 132;

    // Daemon states.
    public const uint DaemonMaster = 1, DaemonBackup = 2;

    // Addresses travel as union nf_inet_addr: 16 bytes, IPv4 in the first 4.
    public const int AddressLength = 16;

    // Kernel defaults (ip_vs_proto_tcp.c / ip_vs_proto_udp.c) and the version ipvsadm knows.
    public const uint DefaultTimeoutTcp = 900, DefaultTimeoutTcpFin = 120, DefaultTimeoutUdp = 300;
    public const uint VersionCode = 0x010201;

    /// <summary>The scheduler the kernel names when a service has none.</summary>
    public const string NoScheduler = "none";
}
