using System;
using System.Globalization;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>What the kernel says of its IPVS: the version and the size of the connection table.</summary>
public sealed class IpvsInfo
{
    /// <summary>Info from the kernel's encoded version (0x010201 is 1.2.1) and its table size.</summary>
    public IpvsInfo(uint rawVersion, uint connectionTableSize)
        : this(rawVersion, connectionTableSize, null, null, null, null, null)
    {
    }

    /// <summary>Info with the namespace's IPVS sysctls (null where a sysctl could not be read).</summary>
    public IpvsInfo(uint rawVersion, uint connectionTableSize, int? conntrack, int? expireNodestConn, int? expireQuiescentTemplate,
        int? connReuseMode, string? networkNamespace)
    {
        Conntrack = conntrack;
        ExpireNodestConn = expireNodestConn;
        ExpireQuiescentTemplate = expireQuiescentTemplate;
        ConnReuseMode = connReuseMode;
        NetworkNamespace = networkNamespace;
        RawVersion = rawVersion;
        Version = new Version((int)((rawVersion >> 16) & 0xff), (int)((rawVersion >> 8) & 0xff), (int)(rawVersion & 0xff));
        VersionText = string.Create(CultureInfo.InvariantCulture, $"{Version.Major}.{Version.Minor}.{Version.Build}");
        ConnectionTableSize = connectionTableSize;
    }

    /// <summary>The IPVS version, for example 1.2.1.</summary>
    public Version Version { get; }

    /// <summary>The version as ipvsadm prints it: "1.2.1".</summary>
    public string VersionText { get; }

    /// <summary>The version as the kernel encodes it (major, minor and patch in the low three bytes).</summary>
    public uint RawVersion { get; }

    /// <summary>The number of buckets of the connection hash table (ip_vs conn_tab_bits), 4096 by default.</summary>
    public uint ConnectionTableSize { get; }

    /// <summary>net.ipv4.vs.conntrack: 1 keeps netfilter conntrack entries for IPVS connections (kube-proxy sets 1; iptables SNAT needs it).</summary>
    public int? Conntrack { get; }

    /// <summary>net.ipv4.vs.expire_nodest_conn: 1 drops a connection's entry at once when its real server is gone (kube-proxy sets 1).</summary>
    public int? ExpireNodestConn { get; }

    /// <summary>net.ipv4.vs.expire_quiescent_template: 1 expires persistence templates of real servers with weight 0 (kube-proxy sets 1).</summary>
    public int? ExpireQuiescentTemplate { get; }

    /// <summary>net.ipv4.vs.conn_reuse_mode: how a new connection reusing an old one's ports is scheduled (kube-proxy sets 0 on kernels 4.1 to 5.8 only).</summary>
    public int? ConnReuseMode { get; }

    /// <summary>The network namespace the sysctls were read in; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>The same info with the namespace's sysctls.</summary>
    public IpvsInfo WithSysctls(IpvsSysctls sysctls, string? networkNamespace)
    {
        ArgumentNullException.ThrowIfNull(sysctls);
        return new IpvsInfo(RawVersion, ConnectionTableSize, sysctls.Conntrack, sysctls.ExpireNodestConn, sysctls.ExpireQuiescentTemplate,
            sysctls.ConnReuseMode, networkNamespace);
    }

    /// <summary>"IP Virtual Server version 1.2.1 (size=4096)", the first line of `ipvsadm -Ln`.</summary>
    public override string ToString() => IpvsadmText.FormatVersionLine(this);
}
