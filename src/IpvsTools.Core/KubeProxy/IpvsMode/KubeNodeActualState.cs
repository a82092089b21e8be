using System;
using System.Collections.Generic;
using System.Net;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>What the node holds now: a fresh read of IPVS, the ipsets and kube-ipvs0.</summary>
public sealed class KubeNodeActualState
{
    /// <summary>The node's state.</summary>
    /// <param name="services">Every IPVS virtual server with its destinations (connection counts included).</param>
    /// <param name="ipsets">The ipsets (at least the KUBE-* ones).</param>
    /// <param name="dummyLinkExists">Whether kube-ipvs0 exists.</param>
    /// <param name="dummyAddresses">The addresses on kube-ipvs0.</param>
    /// <param name="iptables">iptables-save (ip6tables-save) of each family as the parser reads it; null when not read (the plan then leaves iptables out).</param>
    public KubeNodeActualState(IReadOnlyList<IpvsService>? services, IReadOnlyList<KubeActualIpset>? ipsets, bool dummyLinkExists, IReadOnlyList<IPAddress>? dummyAddresses,
        IReadOnlyList<IptablesRuleset>? iptables = null)
    {
        Iptables = iptables;
        Services = services ?? Array.Empty<IpvsService>();
        Ipsets = ipsets ?? Array.Empty<KubeActualIpset>();
        DummyLinkExists = dummyLinkExists;
        DummyAddresses = dummyAddresses ?? Array.Empty<IPAddress>();
    }

    /// <summary>The IPVS table.</summary>
    public IReadOnlyList<IpvsService> Services { get; }

    /// <summary>The ipsets.</summary>
    public IReadOnlyList<KubeActualIpset> Ipsets { get; }

    /// <summary>Whether kube-ipvs0 exists.</summary>
    public bool DummyLinkExists { get; }

    /// <summary>The addresses on kube-ipvs0.</summary>
    public IReadOnlyList<IPAddress> DummyAddresses { get; }

    /// <summary>The iptables state per family; null when not read, and the plan leaves iptables out.</summary>
    public IReadOnlyList<IptablesRuleset>? Iptables { get; }

    /// <summary>An empty node: no IPVS services, no sets, no kube-ipvs0.</summary>
    public static KubeNodeActualState Empty { get; } = new(null, null, false, null, Array.Empty<IptablesRuleset>());
}

/// <summary>A real server at weight 0 whose endpoint is gone, waiting for its connections to end.</summary>
public sealed class KubeDrainingDestination
{
    /// <summary>A draining real server.</summary>
    public KubeDrainingDestination(IpvsServiceKey service, IpvsDestination destination)
    {
        Service = service;
        Destination = destination;
    }

    /// <summary>The virtual server.</summary>
    public IpvsServiceKey Service { get; }

    /// <summary>The real server with its connection counts.</summary>
    public IpvsDestination Destination { get; }

    /// <summary>"TCP 10.96.0.10:53 -> 10.244.0.5:53 (2 active, 1 inactive)".</summary>
    public override string ToString()
        => $"{Service.DisplayName} -> {Destination} ({Destination.ActiveConnections} active, {Destination.InactiveConnections} inactive)";
}

