using System.Collections.Generic;
using System.Globalization;

namespace IpvsTools;

/// <summary>
/// What a new set is made of: its type and family and the create options ipset knows (hashsize,
/// maxelem, bucketsize, initval, netmask, timeout, counters, comment, skbinfo, forceadd for hash types;
/// range, timeout, counters, comment for bitmap:port). Unset options take the kernel's defaults.
/// <see cref="Validate"/> refuses what the type cannot take.
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

    /// <summary>inet (the default for hash types) or inet6; none for bitmap:port.</summary>
    public string? Family { get; init; }

    public uint? HashSize { get; init; }
    public uint? MaxElements { get; init; }
    public byte? BucketSize { get; init; }
    public uint? InitVal { get; init; }
    public byte? Netmask { get; init; }
    public uint? Timeout { get; init; }
    public bool Counters { get; init; }
    public bool Comment { get; init; }
    public bool SkbInfo { get; init; }
    public bool ForceAdd { get; init; }

    /// <summary>The first port of a bitmap:port set.</summary>
    public ushort? RangeFrom { get; init; }

    /// <summary>The last port of a bitmap:port set.</summary>
    public ushort? RangeTo { get; init; }

    /// <summary>The family that is sent: inet unless told, none for bitmap:port.</summary>
    public string? EffectiveFamily => IpsetTypeInfo.Find(Type)?.IsBitmap == true ? null : Family ?? "inet";

    /// <summary>Refuses options the type does not have, and values the kernel would refuse.</summary>
    public IpsetTypeInfo Validate()
    {
        var type = IpsetTypeInfo.Get(Type);
        void Refuse(string what) => throw new IpsetSyntaxException($"A {type.Name} set {what}.", Type);
        if (type.IsBitmap)
        {
            if (Family is not null) Refuse("has no family (its members are ports)");
            if (HashSize is not null || MaxElements is not null || BucketSize is not null || InitVal is not null)
                Refuse("has no hashsize, maxelem, bucketsize or initval (it is a bitmap)");
            if (RangeFrom is null || RangeTo is null) Refuse("needs a range of ports, for example range 0-65535");
            if (SkbInfo || ForceAdd) Refuse("takes no skbinfo or forceadd here");
        }
        else
        {
            if (Family is not (null or "inet" or "inet6")) Refuse($"has family inet or inet6, not '{Family}'");
            if (RangeFrom is not null || RangeTo is not null) Refuse("takes no range (only bitmap types do)");
            if (HashSize is 0) Refuse("needs a hashsize above 0 (the kernel rounds it up to a power of two, at least 64)");
        }
        if (Netmask is { } netmask)
        {
            if (!type.HasNetmask) Refuse("takes no netmask (hash:ip does)");
            var full = EffectiveFamily == "inet6" ? 128 : 32;
            if (netmask is 0 || netmask > full) Refuse($"takes a netmask of 1-{full}");
        }
        if (Timeout is { } timeout) IpsetEntry.ValidateTimeout(timeout);
        return type;
    }

    /// <summary>The options as `ipset create NAME TYPE` takes them (for messages and -WhatIf).</summary>
    public override string ToString()
    {
        var parts = new List<string> { Type };
        if (EffectiveFamily is { } family) parts.Add("family " + family);
        if (RangeFrom is not null) parts.Add($"range {RangeFrom}-{RangeTo}");
        if (HashSize is { } h) parts.Add("hashsize " + h.ToString(CultureInfo.InvariantCulture));
        if (MaxElements is { } m) parts.Add("maxelem " + m.ToString(CultureInfo.InvariantCulture));
        if (Netmask is { } n) parts.Add("netmask " + n.ToString(CultureInfo.InvariantCulture));
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
