namespace IpvsTools.LinksWire;

/// <summary>rtnetlink message types and attributes (linux/rtnetlink.h, linux/if_addr.h).</summary>
internal static class RtnetlinkConstants
{
    public const ushort NewAddress = 20, DeleteAddress = 21, GetAddress = 22;
    public const int AddressHeaderLength = 8; // struct ifaddrmsg

    public const ushort IfaAddress = 1, IfaLocal = 2, IfaLabel = 3, IfaFlags = 8;
    public const byte FamilyUnspec = 0, FamilyInet = 2, FamilyInet6 = 10;
}
