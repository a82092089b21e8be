using System;
using System.Globalization;

namespace IpvsTools;

/// <summary>What the kernel says of its IPVS: the version and the size of the connection table.</summary>
public sealed class IpvsInfo
{
    /// <summary>Info from the kernel's encoded version (0x010201 is 1.2.1) and its table size.</summary>
    public IpvsInfo(uint rawVersion, uint connectionTableSize)
    {
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

    /// <summary>"IP Virtual Server version 1.2.1 (size=4096)", the first line of `ipvsadm -Ln`.</summary>
    public override string ToString() => IpvsadmText.FormatVersionLine(this);
}
