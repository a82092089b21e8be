using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpvsTools.Ipsets;

/// <summary>
/// What a new set is made of: its type and family and the create options ipset knows (hashsize,
/// maxelem, bucketsize, initval, netmask, bitmask, markmask, timeout, counters, comment, skbinfo,
/// forceadd for hash types; range, netmask, timeout, counters, comment, skbinfo for bitmap types; size
/// for list:set). Unset options take the kernel's defaults. <see cref="Validate"/> refuses what the
/// type (or, given, the kernel's revision of it) cannot take.
/// </summary>
public sealed record IpsetCreateOptions
{
    public IpsetCreateOptions(string type, string? family = null)
    {
        Type = type;
        Family = family;
    }

    /// <summary>The set type, for example hash:ip,port.</summary>
    public string Type { get; init; }

    /// <summary>inet (the default for hash types) or inet6; none for bitmap, hash:mac and list:set types.</summary>
    public string? Family { get; init; }

    public uint? HashSize { get; init; }
    public uint? MaxElements { get; init; }
    public byte? BucketSize { get; init; }
    public uint? InitVal { get; init; }
    public byte? Netmask { get; init; }

    /// <summary>An address mask members are masked with (hash:ip, hash:ip,port, hash:net,net); excludes <see cref="Netmask"/>.</summary>
    public IPAddress? Bitmask { get; init; }

    /// <summary>hash:ip,mark: the mask applied to marks.</summary>
    public uint? MarkMask { get; init; }

    /// <summary>list:set: how many sets it holds at most.</summary>
    public uint? Size { get; init; }

    public uint? Timeout { get; init; }
    public bool Counters { get; init; }
    public bool Comment { get; init; }
    public bool SkbInfo { get; init; }
    public bool ForceAdd { get; init; }

    /// <summary>The first port of a bitmap:port set.</summary>
    public ushort? RangeFrom { get; init; }

    /// <summary>The last port of a bitmap:port set.</summary>
    public ushort? RangeTo { get; init; }

    /// <summary>The first address of a bitmap:ip or bitmap:ip,mac set.</summary>
    public IPAddress? AddressRangeFrom { get; init; }

    /// <summary>The last address of a bitmap:ip or bitmap:ip,mac set.</summary>
    public IPAddress? AddressRangeTo { get; init; }

    /// <summary>The family that is sent: inet unless told for hash types, inet for bitmap:ip, none for family-less types.</summary>
    public string? EffectiveFamily => IpsetTypeInfo.Find(Type) is { } type ? type.EffectiveFamily(Family) : Family ?? "inet";

    /// <summary>
    /// Refuses options the type does not have, and values the kernel would refuse. With
    /// <paramref name="revision"/> (the kernel's newest revision of the type), also options that revision
    /// does not have yet (netmask on hash:ip,port before revision 7...).
    /// </summary>
    public IpsetTypeInfo Validate(byte? revision = null)
    {
        var type = IpsetTypeInfo.Get(Type);
        void Refuse(string what) => throw new IpsetSyntaxException($"A {type.Name} set {what}.", Type);
        void Option(bool given, string option)
        {
            if (!given) return;
            if (type.OptionSince(option) is not { } since)
                Refuse($"takes no {option}" + (option switch
                {
                    "range" => " (only bitmap types do)",
                    "netmask" => " (hash:ip, bitmap:ip, hash:ip,port and hash:net,net do)",
                    "bitmask" => " (hash:ip, hash:ip,port and hash:net,net do)",
                    "size" => " (list:set does)",
                    "markmask" => " (hash:ip,mark does)",
                    "hashsize" or "maxelem" or "bucketsize" or "initval" or "forceadd" => " (only hash types do)",
                    _ => "",
                }));
            else if (revision is { } r && r < since)
                throw new IpsetSyntaxException($"The kernel's {type.Name} is revision {r}; {option} needs revision {since} or later.", Type);
        }
        switch (type.FamilyRule)
        {
            case IpsetFamilyRule.Either:
                if (Family is not (null or "inet" or "inet6")) Refuse($"has family inet or inet6, not '{Family}'");
                break;
            case IpsetFamilyRule.InetOnly:
                if (Family is not (null or "inet")) Refuse("holds IPv4 addresses only (family inet)");
                break;
            default:
                if (Family is not null) Refuse("has no family");
                break;
        }
        Option(HashSize is not null, "hashsize");
        Option(MaxElements is not null, "maxelem");
        Option(BucketSize is not null, "bucketsize");
        Option(InitVal is not null, "initval");
        Option(ForceAdd, "forceadd");
        Option(Netmask is not null, "netmask");
        Option(Bitmask is not null, "bitmask");
        Option(MarkMask is not null, "markmask");
        Option(Size is not null, "size");
        Option(Timeout is not null, "timeout");
        Option(Counters, "counters");
        Option(Comment, "comment");
        Option(SkbInfo, "skbinfo");
        var portRange = RangeFrom is not null || RangeTo is not null;
        var addressRange = AddressRangeFrom is not null || AddressRangeTo is not null;
        Option(portRange || addressRange, "range");
        if (type.IsBitmap)
        {
            var ports = type.Dimensions[0] == IpsetDimension.Port;
            if (ports && (addressRange || RangeFrom is null || RangeTo is null)) Refuse("needs a range of ports, for example range 0-65535");
            if (!ports && (portRange || AddressRangeFrom is null || AddressRangeTo is null))
                Refuse("needs a range of IPv4 addresses, for example range 10.0.0.0/16 or range 10.0.0.1-10.0.0.200");
            if (!ports && (AddressRangeFrom!.AddressFamily != AddressFamily.InterNetwork || AddressRangeTo!.AddressFamily != AddressFamily.InterNetwork))
                Refuse("holds IPv4 addresses only: its range is IPv4");
            if (!ports && V4(AddressRangeFrom!) > V4(AddressRangeTo!)) Refuse("needs a range whose first address is not above its last");
            if (ports && RangeFrom > RangeTo) Refuse("needs a range whose first port is not above its last");
        }
        if (HashSize is 0) Refuse("needs a hashsize above 0 (the kernel rounds it up to a power of two, at least 64)");
        var full = EffectiveFamily == "inet6" ? 128 : 32;
        if (Netmask is { } netmask && (netmask is 0 || netmask > full)) Refuse($"takes a netmask of 1-{full}");
        if (Netmask is not null && Bitmask is not null) Refuse("takes a netmask or a bitmask, not both (they exclude each other)");
        if (Bitmask is { } bitmask)
        {
            var wanted = full == 128 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
            if (bitmask.AddressFamily != wanted) Refuse($"of family {EffectiveFamily} takes a bitmask of that family");
            if (System.Array.TrueForAll(bitmask.GetAddressBytes(), b => b == 0)) Refuse("takes a bitmask that keeps some bits (not all zero)");
        }
        if (Timeout is { } timeout) IpsetEntry.ValidateTimeout(timeout);
        return type;
    }

    private static uint V4(IPAddress address) => BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes());

    /// <summary>The options as `ipset create NAME TYPE` takes them (for messages and -WhatIf).</summary>
    public override string ToString()
    {
        var parts = new List<string> { Type };
        var type = IpsetTypeInfo.Find(Type);
        if (type is null || type.FamilyRule == IpsetFamilyRule.Either) parts.Add("family " + (Family ?? "inet"));
        if (RangeFrom is not null) parts.Add($"range {RangeFrom}-{RangeTo}");
        if (AddressRangeFrom is not null) parts.Add($"range {AddressRangeFrom}-{AddressRangeTo}");
        if (HashSize is { } h) parts.Add("hashsize " + h.ToString(CultureInfo.InvariantCulture));
        if (MaxElements is { } m) parts.Add("maxelem " + m.ToString(CultureInfo.InvariantCulture));
        if (Size is { } size) parts.Add("size " + size.ToString(CultureInfo.InvariantCulture));
        if (MarkMask is { } markMask) parts.Add("markmask 0x" + markMask.ToString("x8", CultureInfo.InvariantCulture));
        if (Netmask is { } n) parts.Add("netmask " + n.ToString(CultureInfo.InvariantCulture));
        if (Bitmask is { } bitmask) parts.Add("bitmask " + bitmask);
        if (Timeout is { } t) parts.Add("timeout " + t.ToString(CultureInfo.InvariantCulture));
        if (Counters) parts.Add("counters");
        if (Comment) parts.Add("comment");
        if (SkbInfo) parts.Add("skbinfo");
        if (ForceAdd) parts.Add("forceadd");
        if (BucketSize is { } b) parts.Add("bucketsize " + b.ToString(CultureInfo.InvariantCulture));
        if (InitVal is { } i) parts.Add("initval 0x" + i.ToString("x8", CultureInfo.InvariantCulture));
        return string.Join(" ", parts);
    }
}
