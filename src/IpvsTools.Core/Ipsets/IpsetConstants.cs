namespace IpvsTools.Ipsets;

/// <summary>ipset's nfnetlink subsystem (include/uapi/linux/netfilter/ipset/ip_set.h).</summary>
internal static class IpsetConstants
{
    public const byte Subsystem = 6;
    public const byte ProtocolMax = 7;
    public const byte ProtocolMinimum = 6;
    public const int MaxNameLength = 31;

    public const byte CmdProtocol = 1, CmdCreate = 2, CmdDestroy = 3, CmdFlush = 4, CmdRename = 5, CmdSwap = 6,
        CmdList = 7, CmdSave = 8, CmdAdd = 9, CmdDel = 10, CmdTest = 11, CmdHeader = 12, CmdType = 13;

    public static ushort MessageType(byte command) => (ushort)((Subsystem << 8) | command);

    // Command-level attributes.
    public const ushort AttrProtocol = 1, AttrSetName = 2, AttrTypeName = 3, AttrRevision = 4, AttrFamily = 5,
        AttrFlags = 6, AttrData = 7, AttrAdt = 8, AttrLineNo = 9, AttrProtocolMin = 10, AttrIndex = 11;

    // Data attributes shared by headers and elements.
    public const ushort AttrIp = 1, AttrIpTo = 2, AttrCidr = 3, AttrPort = 4, AttrPortTo = 5, AttrTimeout = 6,
        AttrProto = 7, AttrCadtFlags = 8, AttrMark = 10, AttrMarkMask = 11, AttrBitmask = 12;

    // Header (create) attributes.
    public const ushort AttrInitVal = 17, AttrHashSize = 18, AttrMaxElem = 19, AttrNetmask = 20, AttrBucketSize = 21,
        AttrResize = 22, AttrSize = 23, AttrElements = 24, AttrReferences = 25, AttrMemSize = 26;

    // Element (ADT) attributes.
    public const ushort AttrEther = 17, AttrName = 18, AttrNameRef = 19, AttrIp2 = 20, AttrCidr2 = 21, AttrIp2To = 22,
        AttrIface = 23, AttrBytes = 24, AttrPackets = 25, AttrComment = 26, AttrSkbMark = 27, AttrSkbPrio = 28,
        AttrSkbQueue = 29;

    // Inside an IP nest.
    public const ushort AttrIpv4 = 1, AttrIpv6 = 2;

    // CADT flags.
    public const uint FlagNoMatch = 1 << 2, FlagWithCounters = 1 << 3, FlagWithComment = 1 << 4,
        FlagWithForceAdd = 1 << 5, FlagWithSkbInfo = 1 << 6, FlagPhysdev = 1 << 1,
        FlagBefore = 1 << 0, FlagIfaceWildcard = 1 << 7;

    // Command flags (IPSET_ATTR_FLAGS of a dump).
    public const uint ListFlagHeader = 1 << 2;

    // Address families as nfgenmsg and IPSET_ATTR_FAMILY carry them.
    public const byte FamilyUnspec = 0, FamilyInet = 2, FamilyInet6 = 10;
}
