using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Cluster;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>What a virtual server's address is to the Service.</summary>
public enum KubeAddressRole
{
    /// <summary>A ClusterIP (bound to kube-ipvs0).</summary>
    ClusterIP = 0,

    /// <summary>An ExternalIP.</summary>
    ExternalIP = 1,

    /// <summary>A load-balancer ingress IP.</summary>
    LoadBalancer = 2,

    /// <summary>A node address carrying a NodePort.</summary>
    NodePort = 3,
}

/// <summary>A real server kube-proxy wants behind a virtual server: weight 1, masquerade.</summary>
public sealed class KubeRealServer
{
    /// <summary>An endpoint address and port.</summary>
    public KubeRealServer(IPAddress address, ushort port, bool isLocal, bool isTerminating)
    {
        Address = address;
        Port = port;
        IsLocal = isLocal;
        IsTerminating = isTerminating;
    }

    /// <summary>The endpoint's address.</summary>
    public IPAddress Address { get; }

    /// <summary>The endpoint's port.</summary>
    public ushort Port { get; }

    /// <summary>Always 1, as kube-proxy sets it.</summary>
    public int Weight => 1;

    /// <summary>Always Masquerade.</summary>
    public IpvsForwardingMethod ForwardingMethod => IpvsForwardingMethod.Masquerade;

    /// <summary>The endpoint runs on this node.</summary>
    public bool IsLocal { get; }

    /// <summary>A serving-but-terminating endpoint, used because no ready one exists.</summary>
    public bool IsTerminating { get; }

    /// <summary>"10.244.1.5:8080" or "[fd00::5]:8080".</summary>
    public override string ToString() => IpvsAddressText.FormatEndpoint(Address.AddressFamily, Address, Port);
}

/// <summary>A virtual server kube-proxy wants, with its real servers.</summary>
public sealed class KubeVirtualServer
{
    /// <summary>A desired virtual server.</summary>
    public KubeVirtualServer(IpvsServiceKey key, string scheduler, uint flags, uint timeout, KubeAddressRole role, string servicePort,
        IReadOnlyList<KubeRealServer> destinations)
    {
        Key = key;
        Scheduler = scheduler;
        Flags = flags;
        Timeout = timeout;
        Role = role;
        ServicePort = servicePort;
        Destinations = destinations;
    }

    /// <summary>Protocol, address, port.</summary>
    public IpvsServiceKey Key { get; }

    /// <summary>The scheduler.</summary>
    public string Scheduler { get; }

    /// <summary>IP_VS_SVC_F_* flags: persistent for ClientIP affinity, SCHED2 (mh-port) for mh.</summary>
    public uint Flags { get; }

    /// <summary>Persistence seconds (ClientIP affinity), else 0.</summary>
    public uint Timeout { get; }

    /// <summary>Always all ones: "255.255.255.255" for IPv4, "128" for IPv6 (as IpvsService.Netmask reads).</summary>
    public string Netmask => Key.AddressFamily == AddressFamily.InterNetworkV6 ? "128" : "255.255.255.255";

    /// <summary>What the address is to the Service.</summary>
    public KubeAddressRole Role { get; }

    /// <summary>The Service port it serves: "namespace/name:port-name" ("namespace/name" when the port has no name).</summary>
    public string ServicePort { get; }

    /// <summary>The real servers, sorted by address and port.</summary>
    public IReadOnlyList<KubeRealServer> Destinations { get; }

    /// <summary>"TCP 10.96.0.10:53 rr".</summary>
    public override string ToString() => Key.DisplayName + " " + Scheduler;
}

/// <summary>A Service kube-proxy does not program, and why.</summary>
public sealed class KubeSkippedService
{
    /// <summary>A skipped Service.</summary>
    public KubeSkippedService(KubeService service, string reason)
    {
        Service = service;
        Reason = reason;
    }

    /// <summary>The Service.</summary>
    public KubeService Service { get; }

    /// <summary>Why it is skipped.</summary>
    public string Reason { get; }

    /// <summary>"ns/name: reason".</summary>
    public override string ToString() => Service + ": " + Reason;
}

/// <summary>The node state kube-proxy's IPVS mode would program for a cluster snapshot.</summary>
public sealed class KubeDesiredState
{
    /// <summary>A desired state.</summary>
    public KubeDesiredState(IReadOnlyList<AddressFamily> families, IReadOnlyList<KubeVirtualServer> virtualServers,
        IReadOnlyList<IPAddress> dummyAddresses, IReadOnlyList<KubeDesiredIpset> ipsets, IReadOnlyList<KubeSkippedService> skipped,
        IReadOnlyList<IPAddress> clusterAddresses, IReadOnlyList<KubeIptablesRules>? iptables = null)
    {
        Iptables = iptables ?? Array.Empty<KubeIptablesRules>();
        Families = families;
        VirtualServers = virtualServers;
        DummyAddresses = dummyAddresses;
        Ipsets = ipsets;
        Skipped = skipped;
        ClusterAddresses = clusterAddresses;
    }

    /// <summary>The families proxied.</summary>
    public IReadOnlyList<AddressFamily> Families { get; }

    /// <summary>The virtual servers, sorted as ipvsadm lists them.</summary>
    public IReadOnlyList<KubeVirtualServer> VirtualServers { get; }

    /// <summary>The addresses kube-ipvs0 holds (as /32 or /128), sorted.</summary>
    public IReadOnlyList<IPAddress> DummyAddresses { get; }

    /// <summary>Every KUBE-* set of every proxied family, including empty ones.</summary>
    public IReadOnlyList<KubeDesiredIpset> Ipsets { get; }

    /// <summary>The iptables (IPv4) and ip6tables (IPv6) rules, one entry per proxied family.</summary>
    public IReadOnlyList<KubeIptablesRules> Iptables { get; }

    /// <summary>Services not programmed, with the reason.</summary>
    public IReadOnlyList<KubeSkippedService> Skipped { get; }

    /// <summary>Every ClusterIP, ExternalIP and load-balancer IP of the proxied Services (what makes a virtual server the cluster's).</summary>
    public IReadOnlyList<IPAddress> ClusterAddresses { get; }

    /// <summary>What kube-proxy would log about the snapshot (ports it ignores...), one sentence each.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = Array.Empty<string>();

    /// <summary>The set called <paramref name="name"/>, or null.</summary>
    public KubeDesiredIpset? Ipset(string name) => Ipsets.FirstOrDefault(s => s.Name == name);

    /// <summary>The virtual server with <paramref name="key"/>, or null.</summary>
    public KubeVirtualServer? VirtualServer(IpvsServiceKey key) => VirtualServers.FirstOrDefault(v => v.Key == key);
}
