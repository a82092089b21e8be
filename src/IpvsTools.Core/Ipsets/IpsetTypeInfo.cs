using System;
using System.Collections.Generic;
using System.Linq;

namespace IpvsTools.Ipsets;

/// <summary>One dimension of a set type's element (the parts between the commas).</summary>
public enum IpsetDimension
{
    /// <summary>An address (hash:ip, the first part of hash:ip,port...). IPv4 may be a range or a CIDR block that the kernel expands.</summary>
    Ip,
    /// <summary>A network: an address with a prefix length, stored as one element.</summary>
    Net,
    /// <summary>A port, with a protocol in hash types (tcp:53) and without one in bitmap:port.</summary>
    Port,
    /// <summary>An Ethernet (MAC) address, 01:02:03:04:05:06.</summary>
    Mac,
    /// <summary>An interface name (hash:net,iface), optionally after physdev:.</summary>
    Interface,
    /// <summary>A packet mark, a 32-bit number (hash:ip,mark).</summary>
    Mark,
    /// <summary>The name of another set (list:set).</summary>
    SetName,
}

/// <summary>The family a set type takes.</summary>
public enum IpsetFamilyRule
{
    /// <summary>inet or inet6, chosen at creation (hash types with addresses).</summary>
    Either,
    /// <summary>IPv4 only (bitmap:ip, bitmap:ip,mac): no family option.</summary>
    InetOnly,
    /// <summary>No family at all (bitmap:port, hash:mac, list:set).</summary>
    None,
}

/// <summary>
/// What IpvsTools knows of a set type: its element dimensions and its create options in the order
/// the ipset tool (7.17) prints them (the order of the type's create arguments in ipset's
/// lib/ipset_*.c), with the first revision of the type that has each option. These are facts of the
/// type's shape; which revisions the kernel has is asked from it (IPSET_CMD_TYPE) each time.
/// </summary>
public sealed class IpsetTypeInfo
{
    private static readonly IpsetTypeInfo[] Known =
    [
        new("hash:ip", [IpsetDimension.Ip], IpsetFamilyRule.Either,
            "family hashsize maxelem netmask bitmask:6 timeout counters:1 comment:2 forceadd:3 skbinfo:4 bucketsize:5 initval:5"),
        new("hash:net", [IpsetDimension.Net], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters:3 comment:4 forceadd:5 skbinfo:6 bucketsize:7 initval:7"),
        new("hash:ip,port", [IpsetDimension.Ip, IpsetDimension.Port], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters:2 comment:3 forceadd:4 skbinfo:5 bucketsize:6 initval:6 netmask:7 bitmask:7"),
        new("hash:net,port", [IpsetDimension.Net, IpsetDimension.Port], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters:4 comment:5 forceadd:6 skbinfo:7 bucketsize:8 initval:8"),
        new("hash:ip,port,ip", [IpsetDimension.Ip, IpsetDimension.Port, IpsetDimension.Ip], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters:2 comment:3 forceadd:4 skbinfo:5 bucketsize:6 initval:6"),
        new("hash:ip,port,net", [IpsetDimension.Ip, IpsetDimension.Port, IpsetDimension.Net], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters:4 comment:5 forceadd:6 skbinfo:7 bucketsize:8 initval:8"),
        new("hash:net,net", [IpsetDimension.Net, IpsetDimension.Net], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters comment forceadd:1 skbinfo:2 bucketsize:3 initval:3 bitmask:4 netmask:4"),
        new("hash:net,port,net", [IpsetDimension.Net, IpsetDimension.Port, IpsetDimension.Net], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters comment forceadd:1 skbinfo:2 bucketsize:3 initval:3"),
        new("hash:net,iface", [IpsetDimension.Net, IpsetDimension.Interface], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters:3 comment:4 forceadd:5 skbinfo:6 bucketsize:8 initval:8"),
        new("hash:ip,mark", [IpsetDimension.Ip, IpsetDimension.Mark], IpsetFamilyRule.Either,
            "family markmask hashsize maxelem timeout counters comment forceadd:1 skbinfo:2 bucketsize:3 initval:3"),
        new("hash:ip,mac", [IpsetDimension.Ip, IpsetDimension.Mac], IpsetFamilyRule.Either,
            "family hashsize maxelem timeout counters comment forceadd skbinfo bucketsize:1 initval:1"),
        new("hash:mac", [IpsetDimension.Mac], IpsetFamilyRule.None,
            "hashsize maxelem timeout counters comment forceadd skbinfo bucketsize:1 initval:1"),
        new("bitmap:ip", [IpsetDimension.Ip], IpsetFamilyRule.InetOnly, "range netmask timeout counters:1 comment:2 skbinfo:3"),
        new("bitmap:ip,mac", [IpsetDimension.Ip, IpsetDimension.Mac], IpsetFamilyRule.InetOnly, "range timeout counters:1 comment:2 skbinfo:3",
            lastOptional: true),
        new("bitmap:port", [IpsetDimension.Port], IpsetFamilyRule.None, "range timeout counters:1 comment:2 skbinfo:3"),
        new("list:set", [IpsetDimension.SetName], IpsetFamilyRule.None, "size timeout counters:1 comment:2 skbinfo:3"),
    ];

    private readonly Dictionary<string, byte> _since;

    private IpsetTypeInfo(string name, IpsetDimension[] dimensions, IpsetFamilyRule family, string options, bool lastOptional = false)
    {
        Name = name;
        Dimensions = dimensions;
        FamilyRule = family;
        LastDimensionOptional = lastOptional;
        _since = new Dictionary<string, byte>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var word in options.Split(' '))
        {
            var colon = word.IndexOf(':');
            var key = colon < 0 ? word : word.Substring(0, colon);
            order.Add(key);
            _since[key] = colon < 0 ? (byte)0 : byte.Parse(word.AsSpan(colon + 1));
        }
        CreateOptions = order;
    }

    /// <summary>The type's name, for example hash:ip,port.</summary>
    public string Name { get; }

    public IReadOnlyList<IpsetDimension> Dimensions { get; }

    public IpsetFamilyRule FamilyRule { get; }

    /// <summary>The create options in the order `ipset list` and `ipset save` print them (forceadd is never printed).</summary>
    public IReadOnlyList<string> CreateOptions { get; }

    /// <summary>bitmap:ip,mac: an element may leave out its MAC (the kernel learns it from the first packet).</summary>
    public bool LastDimensionOptional { get; }

    /// <summary>bitmap types: a range instead of family, hashsize and maxelem.</summary>
    public bool IsBitmap => Name.StartsWith("bitmap:", StringComparison.Ordinal);

    /// <summary>Hash types take hashsize, maxelem and bucketsize.</summary>
    public bool IsHash => Name.StartsWith("hash:", StringComparison.Ordinal);

    /// <summary>list:set: its members are other sets.</summary>
    public bool IsList => Name == "list:set";

    /// <summary>The type takes a netmask at creation (hash:ip, bitmap:ip; hash:ip,port and hash:net,net from a revision on).</summary>
    public bool HasNetmask => _since.ContainsKey("netmask");

    /// <summary>
    /// A network of its members may have prefix length 0: hash:net,iface and hash:net,port,net store 0.0.0.0/0
    /// (the ipset suite adds it to both, and the lab's 6.1 kernel takes it); every other type refuses it
    /// (IPSET_ERR_INVALID_CIDR).
    /// </summary>
    public bool TakesZeroPrefix => Name is "hash:net,iface" or "hash:net,port,net";

    /// <summary>Members may carry "nomatch" (types with a net dimension).</summary>
    public bool HasNetDimension => Dimensions.Contains(IpsetDimension.Net);

    /// <summary>The type has the create option (as ipset spells it: netmask, bitmask, size, markmask, range, family...) in some revision.</summary>
    public bool HasOption(string option) => _since.ContainsKey(option);

    /// <summary>The first revision of the type that has <paramref name="option"/>, or null when no revision does.</summary>
    public byte? OptionSince(string option) => _since.TryGetValue(option, out var revision) ? revision : null;

    /// <summary>The family the kernel is told when the set is created or its type asked: inet for IPv4-only types, none for family-less ones.</summary>
    public string? EffectiveFamily(string? family) => FamilyRule switch
    {
        IpsetFamilyRule.InetOnly => "inet",
        IpsetFamilyRule.None => null,
        _ => family ?? "inet",
    };

    /// <summary>Every set type IpvsTools reads, creates and fills (the kernel may lack some: it says so when asked).</summary>
    public static IReadOnlyList<string> Names => Known.Select(t => t.Name).ToArray();

    // The ipset tool still reads the names of ipset 4.x (lib/ipset_*.c aliases).
    private static readonly Dictionary<string, string> OldNames = new(StringComparer.Ordinal)
    {
        ["iphash"] = "hash:ip", ["nethash"] = "hash:net", ["ipporthash"] = "hash:ip,port", ["netporthash"] = "hash:net,port",
        ["ipportiphash"] = "hash:ip,port,ip", ["ipportnethash"] = "hash:ip,port,net", ["portmap"] = "bitmap:port",
        ["ipmap"] = "bitmap:ip", ["macipmap"] = "bitmap:ip,mac", ["setlist"] = "list:set", ["ipmarkhash"] = "hash:ip,mark",
        ["netifacehash"] = "hash:net,iface", ["ipmachash"] = "hash:ip,mac", ["machash"] = "hash:mac", ["netnethash"] = "hash:net,net",
        ["netportnethash"] = "hash:net,port,net",
    };

    /// <summary>The current name of a type given by an old name (iphash is hash:ip, portmap bitmap:port); other names as they are.</summary>
    public static string Canonical(string name) => OldNames.TryGetValue(name, out var current) ? current : name;

    /// <summary>The type of that name, or null when IpvsTools does not know it.</summary>
    public static IpsetTypeInfo? Find(string? name)
        => name is null ? null : Array.Find(Known, t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>The type of that name; an InvalidArgument error naming the known types when there is none.</summary>
    public static IpsetTypeInfo Get(string name)
        => Find(name) ?? throw new IpvsToolsException(
            $"'{name}' is not an ipset type; the types are {string.Join(", ", Names)}.", FailureKind.InvalidArgument);

    public override string ToString() => Name;
}
