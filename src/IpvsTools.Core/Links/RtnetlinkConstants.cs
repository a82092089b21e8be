namespace IpvsTools.Links;

/// <summary>rtnetlink message types and attributes (linux/rtnetlink.h, linux/if_addr.h, linux/if_link.h, linux/if.h).</summary>
internal static class RtnetlinkConstants
{
    public const ushort NewLink = 16, DeleteLink = 17, GetLink = 18;
    public const int LinkHeaderLength = 16; // struct ifinfomsg: family, pad, type u16, index i32, flags u32, change u32

    public const ushort IflaAddress = 1, IflaMtu = 4, IflaIfName = 3, IflaOperState = 16, IflaLinkInfo = 18, IflaExtMask = 29;
    public const ushort IflaInfoKind = 1;
    public const uint IffUp = 0x1, IffLoopback = 0x8, IffRunning = 0x40, IffNoArp = 0x80, IffLowerUp = 0x10000;
    public const uint RtextFilterSkipStats = 1 << 3;

    public const ushort NewAddress = 20, DeleteAddress = 21, GetAddress = 22;
    public const int AddressHeaderLength = 8; // struct ifaddrmsg

    public const ushort IfaAddress = 1, IfaLocal = 2, IfaLabel = 3, IfaFlags = 8;
    public const byte FamilyUnspec = 0, FamilyInet = 2, FamilyInet6 = 10;
}
