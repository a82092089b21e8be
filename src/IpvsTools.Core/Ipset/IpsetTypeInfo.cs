using System;
using System.Collections.Generic;
using System.Linq;

namespace IpvsTools;

/// <summary>One dimension of a set type's element (the parts between the commas).</summary>
public enum IpsetDimension
{
    /// <summary>An address (hash:ip, the first part of hash:ip,port...). IPv4 may be a range or a CIDR block that the kernel expands.</summary>
    Ip,
    /// <summary>A network: an address with a prefix length, stored as one element.</summary>
    Net,
    /// <summary>A port, with a protocol in hash types (tcp:53) and without one in bitmap:port.</summary>
    Port,
}

/// <summary>
/// What IpvsTools knows of a set type it can create and fill: its element dimensions and create
/// options. These are facts of the type's shape, not of its revision: the revision is asked from the
/// kernel (IPSET_CMD_TYPE) each time a set is created.
/// </summary>
public sealed class IpsetTypeInfo
{
    private static readonly IpsetTypeInfo[] Known =
    [
        new("hash:ip", [IpsetDimension.Ip], netmask: true),
        new("hash:net", [IpsetDimension.Net]),
        new("hash:ip,port", [IpsetDimension.Ip, IpsetDimension.Port]),
        new("hash:net,port", [IpsetDimension.Net, IpsetDimension.Port]),
        new("hash:ip,port,ip", [IpsetDimension.Ip, IpsetDimension.Port, IpsetDimension.Ip]),
        new("hash:ip,port,net", [IpsetDimension.Ip, IpsetDimension.Port, IpsetDimension.Net]),
        new("bitmap:port", [IpsetDimension.Port]),
    ];

    private IpsetTypeInfo(string name, IpsetDimension[] dimensions, bool netmask = false)
    {
        Name = name;
        Dimensions = dimensions;
        HasNetmask = netmask;
    }

    /// <summary>The type's name, for example hash:ip,port.</summary>
    public string Name { get; }

    public IReadOnlyList<IpsetDimension> Dimensions { get; }

    /// <summary>bitmap:port: no family, hashsize or maxelem; a port range instead.</summary>
    public bool IsBitmap => Name.StartsWith("bitmap:", StringComparison.Ordinal);

    /// <summary>Hash types take family, hashsize, maxelem and bucketsize.</summary>
    public bool IsHash => Name.StartsWith("hash:", StringComparison.Ordinal);

    /// <summary>hash:ip stores addresses masked to a netmask given at creation.</summary>
    public bool HasNetmask { get; }

    /// <summary>Members may carry "nomatch" (types with a net dimension).</summary>
    public bool HasNetDimension => Dimensions.Contains(IpsetDimension.Net);

    /// <summary>The set types IpvsTools can create and fill: every type kube-proxy uses, plus hash:net and hash:net,port.</summary>
    public static IReadOnlyList<string> Names => Known.Select(t => t.Name).ToArray();

    // The ipset tool still reads the names of ipset 4.x.
    private static readonly Dictionary<string, string> OldNames = new(StringComparer.Ordinal)
    {
        ["iphash"] = "hash:ip", ["nethash"] = "hash:net", ["ipporthash"] = "hash:ip,port", ["netporthash"] = "hash:net,port",
        ["ipportiphash"] = "hash:ip,port,ip", ["ipportnethash"] = "hash:ip,port,net", ["portmap"] = "bitmap:port",
    };

    /// <summary>The current name of a type given by an old name (iphash is hash:ip, portmap bitmap:port); other names as they are.</summary>
    public static string Canonical(string name) => OldNames.TryGetValue(name, out var current) ? current : name;

    /// <summary>The type of that name, or null when IpvsTools cannot write it.</summary>
    public static IpsetTypeInfo? Find(string? name)
        => name is null ? null : Array.Find(Known, t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>The type of that name; an InvalidArgument error naming the supported types when there is none.</summary>
    public static IpsetTypeInfo Get(string name)
        => Find(name) ?? throw new IpvsToolsException(
            $"IpvsTools cannot write ipsets of type '{name}'; it writes {string.Join(", ", Names)}.", FailureKind.InvalidArgument);

    public override string ToString() => Name;
}
