using System.Collections.Generic;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipsets;

/// <summary>An ipset with its header and members, as the kernel lists it.</summary>
public sealed class Ipset
{
    public Ipset(string name, string type, byte revision, string? family, uint? hashSize, uint? maxElements,
        byte? bucketSize, uint? initVal, byte? netmask, uint? timeout, bool counters, bool comment, bool skbInfo,
        bool forceAdd, string? range, uint references, uint sizeInMemory, uint entryCount,
        IReadOnlyList<IpsetMember> members, string? networkNamespace = null, uint? size = null, string? bitmask = null,
        uint? markMask = null)
    {
        Size = size;
        Bitmask = bitmask;
        MarkMask = markMask;
        Name = name;
        Type = type;
        Revision = revision;
        Family = family;
        HashSize = hashSize;
        MaxElements = maxElements;
        BucketSize = bucketSize;
        InitVal = initVal;
        Netmask = netmask;
        Timeout = timeout;
        Counters = counters;
        Comment = comment;
        SkbInfo = skbInfo;
        ForceAdd = forceAdd;
        Range = range;
        References = references;
        SizeInMemory = sizeInMemory;
        EntryCount = entryCount;
        Members = members;
        NetworkNamespace = networkNamespace;
        Header = IpsetText.FormatHeader(this);
    }

    public string Name { get; }

    /// <summary>The set type, for example hash:ip,port or bitmap:port.</summary>
    public string Type { get; }

    public byte Revision { get; }

    /// <summary>inet or inet6; null for types without a family (bitmap:port).</summary>
    public string? Family { get; }

    public uint? HashSize { get; }
    public uint? MaxElements { get; }
    public byte? BucketSize { get; }

    /// <summary>The hash seed; random per set, so read back from the kernel for an exact save.</summary>
    public uint? InitVal { get; }

    /// <summary>The prefix length addresses are masked to (hash:ip, bitmap:ip; hash:ip,port and hash:net,net from a revision on).</summary>
    public byte? Netmask { get; }

    /// <summary>The address mask members are masked with (bitmask 255.255.0.255), as an address; null when none.</summary>
    public string? Bitmask { get; }

    /// <summary>hash:ip,mark: the mask applied to marks.</summary>
    public uint? MarkMask { get; }

    /// <summary>list:set: how many sets it holds at most.</summary>
    public uint? Size { get; }

    /// <summary>The default member timeout in seconds, when the set was created with one.</summary>
    public uint? Timeout { get; }

    public bool Counters { get; }
    public bool Comment { get; }
    public bool SkbInfo { get; }
    /// <summary>Created with forceadd (a full set evicts a random member). The kernel reports it; `ipset list` and `ipset save` (7.17) do not print it, nor does <see cref="Header"/>.</summary>
    public bool ForceAdd { get; }

    /// <summary>The range of a bitmap set, for example "0-65535" or "10.0.0.0-10.0.255.255".</summary>
    public string? Range { get; }

    /// <summary>How many iptables rules and other sets refer to this set.</summary>
    public uint References { get; }

    public uint SizeInMemory { get; }

    /// <summary>The number of entries the kernel reports.</summary>
    public uint EntryCount { get; }

    /// <summary>The Header line of `ipset list`.</summary>
    public string Header { get; }

    public IReadOnlyList<IpsetMember> Members { get; }

    /// <summary>The network namespace the set was read from; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    public override string ToString() => Name;
}
