using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Namespaces;

namespace IpvsTools.Ipvs;

/// <summary>
/// A virtual service of the kernel's IPVS table with its destinations, as the kernel lists it.
/// <see cref="ToString"/> names it as ipvsadm does, with single spaces: <c>TCP 10.96.0.10:53</c>,
/// <c>UDP [fd00::10]:53</c>, <c>FWM 5</c>; <see cref="Key"/> prints ipvsadm's exact form.
/// </summary>
public sealed class IpvsService
{
    private readonly string[] _flags;

    /// <summary>A service with everything the kernel reports of it.</summary>
    /// <param name="key">What identifies the service.</param>
    /// <param name="scheduler">The scheduler's name (rr, wrr, lc, sh, mh...).</param>
    /// <param name="rawFlags">IP_VS_SVC_F_* flags; the kernel-internal HASHED bit is cleared.</param>
    /// <param name="persistenceTimeout">Seconds a client sticks to its server when persistent.</param>
    /// <param name="netmask">The persistence granularity: a dotted mask for IPv4, a prefix length for IPv6.</param>
    /// <param name="persistenceEngine">The persistence engine (sip), or null.</param>
    /// <param name="destinations">The real servers, in the kernel's order.</param>
    /// <param name="statistics">The counters.</param>
    /// <param name="rates">The rate estimates.</param>
    /// <param name="networkNamespace">The namespace it was read from; null for the caller's own.</param>
    public IpvsService(IpvsServiceKey key, string scheduler, uint rawFlags, uint persistenceTimeout, string netmask,
        string? persistenceEngine, IReadOnlyList<IpvsDestination>? destinations, IpvsStatistics statistics, IpvsRates rates,
        string? networkNamespace = null)
    {
        Key = key ?? throw new ArgumentNullException(nameof(key));
        Scheduler = scheduler;
        RawFlags = IpvsServiceFlags.Strip(rawFlags);
        _flags = IpvsServiceFlags.Names(RawFlags, scheduler);
        PersistenceTimeout = persistenceTimeout;
        Netmask = netmask;
        PersistenceEngine = string.IsNullOrEmpty(persistenceEngine) ? null : persistenceEngine;
        Destinations = destinations ?? Array.Empty<IpvsDestination>();
        Statistics = statistics;
        Rates = rates;
        NetworkNamespace = networkNamespace;
    }

    /// <summary>What identifies the service: family plus firewall mark, or protocol, address and port.</summary>
    public IpvsServiceKey Key { get; }

    /// <summary>TCP, UDP or SCTP; None for a firewall-mark service.</summary>
    public IpvsProtocol Protocol => Key.Protocol;

    /// <summary>The virtual address; null for a firewall-mark service.</summary>
    public IPAddress? Address => Key.Address;

    /// <summary>The virtual port (0 for a firewall-mark service).</summary>
    public ushort Port => Key.Port;

    /// <summary>The firewall mark; 0 unless the service matches by mark.</summary>
    public uint FirewallMark => Key.FirewallMark;

    /// <summary>InterNetwork (IPv4) or InterNetworkV6.</summary>
    public AddressFamily AddressFamily => Key.AddressFamily;

    /// <summary>The scheduler's name (rr, wrr, lc, wlc, sh, mh...); "none" when the service has none.</summary>
    public string Scheduler { get; }

    /// <summary>
    /// The set flags by name: persistent, one-packet, and the scheduler flags named for the
    /// scheduler (sh-fallback, sh-port for sh; mh-fallback, mh-port for mh; flag-1..flag-3 otherwise).
    /// A copy: changing it changes nothing.
    /// </summary>
    public string[] Flags => (string[])_flags.Clone();

    /// <summary>The IP_VS_SVC_F_* flags as a number, without the kernel-internal HASHED bit.</summary>
    public uint RawFlags { get; }

    /// <summary>Seconds a client's connections stick to one server when the service is persistent.</summary>
    public uint PersistenceTimeout { get; }

    /// <summary>The persistence granularity: a dotted IPv4 mask ("255.255.255.255") or an IPv6 prefix length ("128").</summary>
    public string Netmask { get; }

    /// <summary>The persistence engine (for example sip); null when none.</summary>
    public string? PersistenceEngine { get; }

    /// <summary>The real servers, in the kernel's order; empty when they were not asked for.</summary>
    public IReadOnlyList<IpvsDestination> Destinations { get; }

    /// <summary>Connection, packet and byte counters.</summary>
    public IpvsStatistics Statistics { get; }

    /// <summary>The kernel's rate estimates.</summary>
    public IpvsRates Rates { get; }

    /// <summary>The network namespace the service was read from; null for the caller's own.</summary>
    public string? NetworkNamespace { get; }

    /// <summary>True when the persistent flag is set.</summary>
    public bool IsPersistent => (RawFlags & IpvsConstants.SvcFlagPersistent) != 0;

    /// <summary>The service's name with single spaces: "TCP 10.96.0.10:53", "FWM 5".</summary>
    public override string ToString() => Key.DisplayName;

    /// <summary>The same service holding <paramref name="destinations"/>.</summary>
    internal IpvsService WithDestinations(IReadOnlyList<IpvsDestination> destinations)
        => new(Key, Scheduler, RawFlags, PersistenceTimeout, Netmask, PersistenceEngine, destinations, Statistics, Rates, NetworkNamespace);
}
