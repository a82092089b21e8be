using System;
using System.Collections.Generic;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// One finding of Test-KubeProxyMigration: the check that made it, its status, what it is about (a virtual server, a
/// kernel module, a setting, a link...), one sentence of what was seen, and what to do (with the command).
/// </summary>
public sealed class MigrationFinding
{
    /// <summary>A finding.</summary>
    public MigrationFinding(string check, MigrationStatus status, string target, string detail, string remedy,
        IReadOnlyList<string>? services = null, KubeProxyMode targetMode = KubeProxyMode.Nftables, string? networkNamespace = null)
    {
        Check = check ?? throw new ArgumentNullException(nameof(check));
        Status = status;
        Target = target ?? "";
        Detail = detail ?? "";
        Remedy = remedy ?? "";
        Services = services ?? Array.Empty<string>();
        TargetMode = targetMode;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>The check's name (KernelVersion, KernelModule, NftVersion, NftJson, ForeignVirtualServer, Scheduler,
    /// Persistence, IpvsTimeouts, StrictArp, LocalhostNodePort, SecondaryAddressNodePort, HostListener, Leftover, Phase).</summary>
    public string Check { get; }

    /// <summary>Pass, Warning or Blocker.</summary>
    public MigrationStatus Status { get; }

    /// <summary>What the finding is about: "TCP 10.0.0.100:80 wlc", "nft_fib", "net.ipv4.conf.all.arp_ignore"...</summary>
    public string Target { get; }

    /// <summary>One sentence of what was seen.</summary>
    public string Detail { get; }

    /// <summary>What to do, with the command; empty when nothing is to be done.</summary>
    public string Remedy { get; }

    /// <summary>The Services ('namespace/name') the finding affects, when a cluster source was given.</summary>
    public IReadOnlyList<string> Services { get; }

    /// <summary>The mode the node is to move to (Nftables or Iptables).</summary>
    public KubeProxyMode TargetMode { get; }

    /// <summary>The network namespace looked at (null: the caller's).</summary>
    public string? NetworkNamespace { get; }

    /// <summary>"Blocker ForeignVirtualServer TCP 10.0.0.100:80 wlc".</summary>
    public override string ToString() => $"{Status} {Check} {Target}";
}
