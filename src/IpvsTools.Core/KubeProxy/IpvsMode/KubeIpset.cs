using System.Collections.Generic;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>Whether the virtual servers of a kube-proxy set's members could be looked up.</summary>
public enum KubeIpvsLookup
{
    /// <summary>The IPVS table was read; members without a virtual server have none.</summary>
    Read = 0,
    /// <summary>The kernel has no IPVS (ip_vs not loaded and not loadable): there is no IPVS table to join.</summary>
    NoIpvsTable = 1,
    /// <summary>The IPVS table could not be read (see the warning); virtual servers are not known.</summary>
    Unavailable = 2,
}

/// <summary>Get-KubeIpset's output: one of kube-proxy's sets as it is in the kernel, its purpose in words, its members joined to their IPVS virtual servers.</summary>
public sealed class KubeIpset
{
    private readonly KubeIpsetMember[] _members;

    public KubeIpset(string name, string type, string? family, bool isIpv6, string description, KubeIpsetMemberKind memberKind,
        uint references, uint entryCount, IReadOnlyList<KubeIpsetMember> members, KubeIpvsLookup ipvsLookup, string? networkNamespace = null)
    {
        Name = name;
        Type = type;
        Family = family;
        IsIpv6 = isIpv6;
        Description = description;
        MemberKind = memberKind;
        References = references;
        EntryCount = entryCount;
        _members = [.. members];
        IpvsLookup = ipvsLookup;
        NetworkNamespace = networkNamespace;
    }

    public string Name { get; }

    /// <summary>The type the set has in the kernel (kube-proxy's type unless someone recreated it).</summary>
    public string Type { get; }

    /// <summary>inet or inet6; null for bitmap:port (whose IPv6 twin has the KUBE-6- name).</summary>
    public string? Family { get; }

    /// <summary>True for the KUBE-6- sets of IPv6 Services.</summary>
    public bool IsIpv6 { get; }

    /// <summary>What kube-proxy uses the set for, in words.</summary>
    public string Description { get; }

    /// <summary>How its members relate to IPVS virtual servers.</summary>
    public KubeIpsetMemberKind MemberKind { get; }

    /// <summary>How many iptables rules (and sets) refer to it: 0 means kube-proxy's rules do not use it now.</summary>
    public uint References { get; }

    public uint EntryCount { get; }

    /// <summary>The members (a copy).</summary>
    public KubeIpsetMember[] Members => (KubeIpsetMember[])_members.Clone();

    /// <summary>Whether the members' virtual servers could be looked up.</summary>
    public KubeIpvsLookup IpvsLookup { get; }

    public string? NetworkNamespace { get; }

    public override string ToString() => Name;
}
