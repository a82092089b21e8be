using System;
using System.Collections.Generic;
using System.Net;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// What Test-KubeProxyMigration looks at on a node, read once (<see cref="MigrationFactsReader"/>) and judged by
/// <see cref="MigrationChecks"/> without touching the kernel again, so that every check can be tested on facts
/// written by hand. A null or a "...Problem" text means the fact could not be read.
/// </summary>
public sealed record MigrationFacts
{
    /// <summary>The kernel's release (uname -r).</summary>
    public string? KernelRelease { get; init; }

    /// <summary>The kernel's modules, from the sources the node has.</summary>
    public KernelModuleFacts? Modules { get; init; }

    /// <summary>nft's version ("1.0.6"), null when it could not be run (<see cref="NftProblem"/> says why).</summary>
    public string? NftVersion { get; init; }

    /// <summary>Why nft's version is unknown.</summary>
    public string? NftProblem { get; init; }

    /// <summary>Whether `nft -j list tables` printed JSON in the namespace; null when nft could not be run.</summary>
    public bool? NftJson { get; init; }

    /// <summary>What nft said when its JSON output failed.</summary>
    public string? NftJsonProblem { get; init; }

    /// <summary>Every IPVS virtual server with its real servers.</summary>
    public IReadOnlyList<IpvsService> VirtualServers { get; init; } = Array.Empty<IpvsService>();

    /// <summary>Why the IPVS table could not be read (no ip_vs module: then there is nothing to flush).</summary>
    public string? IpvsProblem { get; init; }

    /// <summary>IPVS's connection timeouts (tcp, tcpfin, udp); null when not read.</summary>
    public IpvsTimeouts? IpvsTimeouts { get; init; }

    /// <summary>The KUBE-* ipsets.</summary>
    public IReadOnlyList<KubeActualIpset> Ipsets { get; init; } = Array.Empty<KubeActualIpset>();

    /// <summary>Why the ipsets could not be read.</summary>
    public string? IpsetProblem { get; init; }

    /// <summary>Whether kube-ipvs0 exists.</summary>
    public bool HasKubeIpvs0 { get; init; }

    /// <summary>The addresses on kube-ipvs0.</summary>
    public IReadOnlyList<IPAddress> KubeIpvs0Addresses { get; init; } = Array.Empty<IPAddress>();

    /// <summary>Every address of the namespace except kube-ipvs0's.</summary>
    public IReadOnlyList<IPAddress> NodeAddresses { get; init; } = Array.Empty<IPAddress>();

    /// <summary>The node's primary addresses (the Node object's InternalIP, or the default route's interface's addresses); empty when unknown.</summary>
    public IReadOnlyList<IPAddress> PrimaryAddresses { get; init; } = Array.Empty<IPAddress>();

    /// <summary>Where <see cref="PrimaryAddresses"/> came from.</summary>
    public string PrimarySource { get; init; } = "";

    /// <summary>net.ipv4.conf.all.arp_ignore (null when not read).</summary>
    public string? ArpIgnore { get; init; }

    /// <summary>net.ipv4.conf.all.arp_announce (null when not read).</summary>
    public string? ArpAnnounce { get; init; }

    /// <summary>The node's own listening sockets (TCP LISTEN, UDP).</summary>
    public IReadOnlyList<HostListener> Listeners { get; init; } = Array.Empty<HostListener>();

    /// <summary>iptables-save of each family that could be read.</summary>
    public IReadOnlyList<IptablesRuleset> Iptables { get; init; } = Array.Empty<IptablesRuleset>();

    /// <summary>The kube-proxy data planes found on the node (nftables, IPVS, iptables).</summary>
    public IReadOnlyList<KubeProxyMode> ModesFound { get; init; } = Array.Empty<KubeProxyMode>();

    /// <summary>What could not be looked at while finding the modes.</summary>
    public IReadOnlyList<string> ModeWarnings { get; init; } = Array.Empty<string>();

    /// <summary>The node's IPVS-mode state as the cleanup planner reads it.</summary>
    public KubeNodeActualState ActualState() => new(VirtualServers, Ipsets, HasKubeIpvs0, KubeIpvs0Addresses, Iptables);
}
