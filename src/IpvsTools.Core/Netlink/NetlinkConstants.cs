namespace IpvsTools.Netlink;

/// <summary>Netlink protocol numbers (the third argument of socket(AF_NETLINK, ...)); Tmds.LibC does not define them.</summary>
internal enum NetlinkProtocol
{
    Route = 0,
    Netfilter = 12,
    Generic = 16,
}

/// <summary>Framing constants of include/uapi/linux/netlink.h.</summary>
internal static class NetlinkConstants
{
    public const int HeaderLength = 16;
    public const int AttributeHeaderLength = 4;

    public const ushort FlagRequest = 0x1;
    public const ushort FlagMulti = 0x2;
    public const ushort FlagAck = 0x4;
    public const ushort FlagDumpInterrupted = 0x10;
    public const ushort FlagRoot = 0x100;
    public const ushort FlagMatch = 0x200;
    public const ushort FlagDump = FlagRoot | FlagMatch;
    public const ushort FlagExclusive = 0x200;
    public const ushort FlagCreate = 0x400;
    public const ushort FlagReplace = 0x100;
    /// <summary>In an error reply: the echoed request was cut to its header (NETLINK_CAP_ACK).</summary>
    public const ushort FlagCapped = 0x100;
    /// <summary>In an error reply: extended-ack attributes follow.</summary>
    public const ushort FlagAckTlvs = 0x200;

    public const ushort TypeNoop = 1;
    public const ushort TypeError = 2;
    public const ushort TypeDone = 3;
    public const ushort TypeOverrun = 4;

    public const ushort AttributeNested = 0x8000;
    public const ushort AttributeNetByteOrder = 0x4000;
    public const ushort AttributeTypeMask = 0x3FFF;

    // Socket options at SOL_NETLINK.
    public const int OptionCapAck = 10;
    public const int OptionExtAck = 11;

    // Extended ack attributes (enum nlmsgerr_attrs).
    public const ushort ExtAckMessage = 1;
    public const ushort ExtAckOffset = 2;

    public static int Align(int length) => (length + 3) & ~3;
}
