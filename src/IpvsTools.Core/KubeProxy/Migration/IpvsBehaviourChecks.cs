using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// What IPVS mode does that the target mode does not: the foreign virtual servers its cleanup flushes, and the
/// behaviour of kube-proxy's own virtual servers and of the node that changes with the switch.
/// </summary>
/// <remarks>
/// kube-proxy cleans up IPVS mode's state only when it starts in a mode that is not iptables-based: nftables
/// (kubernetes cmd/kube-proxy/app/server_linux.go, platformCleanup: `if !isIPTablesBased(mode) || cleanupAndExit`
/// then ipvs.CleanupLeftovers), and it does so at every start, not only the first. That cleanup
/// (pkg/proxy/ipvs/cleanup.go) flushes the whole IPVS table, deletes kube-ipvs0, its iptables chains and ipsets;
/// it is skipped when `modprobe -va ip_vs` fails. iptables mode (iptables-based) leaves IPVS mode's state in place.
/// </remarks>
internal static class IpvsBehaviourChecks
{
    private const string ForeignFile = "/root/ipvs-foreign.rules";

    public static IEnumerable<MigrationFinding> Foreign(MigrationContext c, bool after)
    {
        if (c.Facts.IpvsProblem is { } problem)
        {
            yield return c.Finding("ForeignVirtualServer", MigrationStatus.Pass, "IPVS",
                $"The IPVS table could not be read ({problem}); without IPVS there is nothing for the cleanup to flush.", "");
            yield break;
        }
        if (c.Foreign.Count == 0)
        {
            yield return c.Finding("ForeignVirtualServer", MigrationStatus.Pass, "IPVS",
                $"All {c.Facts.VirtualServers.Count} IPVS virtual servers are kube-proxy's: the cleanup loses nothing else.", "");
            yield break;
        }
        var nftables = c.Options.TargetMode == KubeProxyMode.Nftables;
        var range = $"-NodePortRange {c.Options.NodePortRangeFirst}-{c.Options.NodePortRangeLast}";
        var export = $"Export-IpvsConfig -Foreign {range} -Path {ForeignFile}";
        foreach (var s in c.Foreign)
        {
            var target = Describe(s);
            if (!nftables)
            {
                yield return c.Finding("ForeignVirtualServer", MigrationStatus.Pass, target,
                    $"{target} is not kube-proxy's; iptables mode does not flush IPVS, so it stays.", "");
                continue;
            }
            if (after)
            {
                yield return c.Finding("ForeignVirtualServer", MigrationStatus.Warning, target,
                    $"{target} is not kube-proxy's; kube-proxy in nftables mode flushes the IPVS table again at each of its starts.",
                    $"Keep a copy ({export}) and restore it after each kube-proxy start (ipvsadm -R < {ForeignFile}, or Import-IpvsConfig -Path {ForeignFile}), or let its owner (keepalived) re-add it.",
                    c.Services.For(new[] { s.Key }));
                continue;
            }
            yield return c.Finding("ForeignVirtualServer", MigrationStatus.Blocker, target,
                $"{target} is not kube-proxy's (address not on kube-ipvs0, and not a node address with a NodePort-range port); kube-proxy's cleanup in nftables mode flushes it with the whole IPVS table.",
                $"Before the switch: {export}; after kube-proxy started in nftables mode: ipvsadm -R < {ForeignFile} (or Import-IpvsConfig -Path {ForeignFile}); again after each kube-proxy restart.",
                c.Services.For(new[] { s.Key }));
        }
    }

    public static IEnumerable<MigrationFinding> Evaluate(MigrationContext c)
    {
        foreach (var f in Schedulers(c)) yield return f;
        yield return Persistence(c);
        if (IpvsTimeouts(c) is { } timeouts) yield return timeouts;
        if (StrictArp(c) is { } arp) yield return arp;
        yield return LocalhostNodePorts(c);
        yield return SecondaryNodePorts(c);
        foreach (var f in HostListeners(c)) yield return f;
    }

    private static IEnumerable<MigrationFinding> Schedulers(MigrationContext c)
    {
        var other = c.Owned.Where(s => s.Scheduler != "rr").GroupBy(s => s.Scheduler).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (other.Count == 0)
        {
            yield return c.Finding("Scheduler", MigrationStatus.Pass, "rr",
                $"kube-proxy's {c.Owned.Count} virtual servers use rr; {c.Target} mode picks endpoints at random with equal chances, the nearest to it.", "");
            yield break;
        }
        foreach (var group in other)
        {
            var keys = group.Select(s => s.Key).ToList();
            yield return c.Finding("Scheduler", MigrationStatus.Warning, group.Key,
                $"{keys.Count} of kube-proxy's virtual servers use the {group.Key} scheduler ({ContextSome(keys)}); {c.Target} mode has no schedulers: it picks endpoints at random with equal chances.",
                $"Expect load to spread evenly rather than by {group.Key}; drop ipvs.scheduler from kube-proxy's configuration with the switch.",
                c.Services.For(keys));
        }
    }

    private static MigrationFinding Persistence(MigrationContext c)
    {
        var persistent = c.Owned.Where(s => s.IsPersistent).ToList();
        if (persistent.Count == 0)
            return c.Finding("Persistence", MigrationStatus.Pass, "persistence", "None of kube-proxy's virtual servers is persistent (no ClientIP session affinity).", "");
        var keys = persistent.Select(s => s.Key).ToList();
        var timeouts = string.Join(", ", persistent.Select(s => s.PersistenceTimeout).Distinct().OrderBy(t => t).Select(t => t.ToString(CultureInfo.InvariantCulture) + " s"));
        return c.Finding("Persistence", MigrationStatus.Warning, $"{persistent.Count} virtual servers",
            $"{persistent.Count} of kube-proxy's virtual servers are persistent ({timeouts}: {ContextSome(keys)}); {c.Target} mode keeps ClientIP affinity in its own tables, so each client's current stickiness is lost once at the switch.",
            "Expect clients of these Services to land on a new endpoint once after the switch; nothing to change.",
            c.Services.For(keys));
    }

    private static MigrationFinding? IpvsTimeouts(MigrationContext c)
    {
        if (c.Facts.IpvsTimeouts is not { } t) return null;
        if (t.Tcp == 900 && t.TcpFin == 120 && t.Udp == 300)
            return c.Finding("IpvsTimeouts", MigrationStatus.Pass, "900 120 300", "IPVS's connection timeouts are the defaults (tcp 900, tcpfin 120, udp 300 s).", "");
        var text = string.Create(CultureInfo.InvariantCulture, $"{t.Tcp} {t.TcpFin} {t.Udp}");
        return c.Finding("IpvsTimeouts", MigrationStatus.Warning, text,
            $"IPVS's connection timeouts are set to tcp {t.Tcp}, tcpfin {t.TcpFin}, udp {t.Udp} s (kube-proxy's ipvs.tcpTimeout and the like, or ipvsadm --set); {c.Target} mode's connections follow conntrack's timeouts instead.",
            "Set the matching conntrack timeouts if clients rely on them: sysctl -w net.netfilter.nf_conntrack_tcp_timeout_established=N net.netfilter.nf_conntrack_udp_timeout_stream=N (kube-proxy's conntrack.* settings).");
    }

    private static MigrationFinding? StrictArp(MigrationContext c)
    {
        if (c.Facts.ArpIgnore is null || c.Facts.ArpAnnounce is null) return null;
        var target = $"arp_ignore={c.Facts.ArpIgnore} arp_announce={c.Facts.ArpAnnounce}";
        if (c.Facts.ArpIgnore == "1" && c.Facts.ArpAnnounce == "2")
            return c.Finding("StrictArp", MigrationStatus.Warning, target,
                $"strictARP is on (net.ipv4.conf.all.arp_ignore=1, arp_announce=2), as MetalLB's L2 mode asks of IPVS mode; {c.Target} mode puts no Service address on a local link, does not set these, and leaves them as they are.",
                "Nothing is needed for MetalLB after the switch; keep the sysctls if something else on the node relies on them, or reset them: sysctl -w net.ipv4.conf.all.arp_ignore=0 net.ipv4.conf.all.arp_announce=0.");
        return c.Finding("StrictArp", MigrationStatus.Pass, target, "strictARP is off: nothing depends on it here.", "");
    }

    private static MigrationFinding LocalhostNodePorts(MigrationContext c)
    {
        var local = c.NodePorts.Where(s => s.Address is { } a && IPAddress.IsLoopback(a)).ToList();
        if (local.Count == 0)
            return c.Finding("LocalhostNodePort", MigrationStatus.Pass, "127.0.0.1", "No NodePort is answered on a loopback address.", "");
        var keys = local.Select(s => s.Key).ToList();
        var v6 = local.Any(s => s.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        if (c.Options.TargetMode == KubeProxyMode.Iptables && !v6)
            return c.Finding("LocalhostNodePort", MigrationStatus.Pass, "127.0.0.1",
                $"{local.Count} NodePorts are answered on 127.0.0.1 ({ContextSome(keys)}); iptables mode answers IPv4 NodePorts on localhost too (iptables.localhostNodePorts, on by default).", "", c.Services.For(keys));
        return c.Finding("LocalhostNodePort", MigrationStatus.Warning, v6 && c.Options.TargetMode == KubeProxyMode.Iptables ? "::1" : "127.0.0.1",
            $"{local.Count} NodePorts are answered on a loopback address ({ContextSome(keys)}); {c.Target} mode does not answer NodePorts on localhost.",
            "Point clients on the node (health checks, scripts) at the node's primary address or at the ClusterIP before the switch.",
            c.Services.For(keys));
    }

    private static MigrationFinding SecondaryNodePorts(MigrationContext c)
    {
        var nonLoopback = c.NodePorts.Where(s => s.Address is { } a && !IPAddress.IsLoopback(a)).ToList();
        if (c.Options.TargetMode == KubeProxyMode.Iptables)
            return c.Finding("SecondaryAddressNodePort", MigrationStatus.Pass, "node addresses",
                "iptables mode answers NodePorts on every local address unless nodePortAddresses narrows it, as IPVS mode does.", "");
        if (nonLoopback.Count == 0)
            return c.Finding("SecondaryAddressNodePort", MigrationStatus.Pass, "node addresses", "kube-proxy answers no NodePort on a node address.", "");
        var primary = new HashSet<IPAddress>(c.Facts.PrimaryAddresses);
        if (primary.Count == 0)
            return c.Finding("SecondaryAddressNodePort", MigrationStatus.Warning, "node addresses",
                $"The node's primary addresses are unknown ({c.Facts.PrimarySource}); nftables mode answers NodePorts only on them unless nodePortAddresses is set.",
                "Give a cluster source with -NodeName, or check which addresses NodePort clients use.");
        var secondary = nonLoopback.Where(s => !primary.Contains(s.Address!)).ToList();
        if (secondary.Count == 0)
            return c.Finding("SecondaryAddressNodePort", MigrationStatus.Pass, string.Join(",", primary),
                "NodePorts are answered on the node's primary addresses only, as in nftables mode.", "");
        var addresses = secondary.Select(s => s.Address!).Distinct().Select(a => a.ToString()).ToList();
        var keys = secondary.Select(s => s.Key).ToList();
        return c.Finding("SecondaryAddressNodePort", MigrationStatus.Warning, string.Join(",", addresses),
            $"NodePorts are answered on {string.Join(", ", addresses)}, not the node's primary address ({string.Join(", ", primary)}, from {c.Facts.PrimarySource}); nftables mode answers them on primary addresses only by default.",
            $"If clients use these addresses, set nodePortAddresses in kube-proxy's configuration to CIDRs that hold them (e.g. {string.Join(", ", addresses.Select(a => a + (a.Contains(':') ? "/128" : "/32")))}) with the switch.",
            c.Services.For(keys));
    }

    private static IEnumerable<MigrationFinding> HostListeners(MigrationContext c)
    {
        var clusterIPs = ClusterIPs(c);
        var filtered = KubeIpvsFilterRejects(c);
        var ports = new HashSet<(IpvsProtocol, IPAddress, ushort)>(c.Owned.Where(s => s.Address is not null).Select(s => (s.Protocol, s.Address!, s.Port)));
        var found = false;
        foreach (var listener in c.Facts.Listeners.OrderBy(l => l.Protocol).ThenBy(l => l.Port))
        {
            var reachable = clusterIPs
                .Where(ip => ip.AddressFamily == listener.Address.AddressFamily && (listener.IsWildcard || listener.Address.Equals(ip)))
                .Where(ip => !ports.Contains((listener.Protocol, ip, listener.Port)))
                .ToList();
            if (reachable.Count == 0) continue;
            if (listener.Protocol == IpvsProtocol.Tcp && filtered) continue;
            found = true;
            var examples = ContextSome(reachable.Select(ip => IpvsAddressText.FormatEndpoint(ip.AddressFamily, ip, listener.Port)));
            var names = reachable.SelectMany(ip => c.Services.ForClusterIP(ip)).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
            yield return c.Finding("HostListener", MigrationStatus.Warning, listener.ToString(),
                $"The node's {listener} answers through {reachable.Count} ClusterIPs on a port that is not a Service port ({examples}), since IPVS mode puts ClusterIPs on kube-ipvs0; {c.Target} mode rejects or routes that traffic.",
                $"Point clients of {listener} at the node's address instead of a ClusterIP.", names);
        }
        if (!found)
            yield return c.Finding("HostListener", MigrationStatus.Pass, "ClusterIPs",
                filtered ? "KUBE-IPVS-FILTER already rejects new TCP connections to other ports of Service addresses, and no UDP listener answers through a ClusterIP."
                         : "No listener of the node answers through a ClusterIP on a port that is not a Service port.", "");
    }

    /// <summary>The ClusterIPs on kube-ipvs0 (every address there when the KUBE-CLUSTER-IP set was not read).</summary>
    private static IReadOnlyList<IPAddress> ClusterIPs(MigrationContext c)
    {
        var members = c.Facts.Ipsets.Where(s => s.Name is "KUBE-CLUSTER-IP" or "KUBE-6-CLUSTER-IP").SelectMany(s => s.Members)
            .Select(m => m.Split(',')[0]).Select(a => IPAddress.TryParse(a, out var ip) ? ip : null).Where(ip => ip is not null).Select(ip => ip!).ToHashSet();
        return members.Count == 0 ? c.Facts.KubeIpvs0Addresses : c.Facts.KubeIpvs0Addresses.Where(members.Contains).ToList();
    }

    /// <summary>Whether filter/KUBE-IPVS-FILTER has its REJECT rule (kube-proxy 1.29 and later write it) in every family read.</summary>
    private static bool KubeIpvsFilterRejects(MigrationContext c)
        => c.Facts.Iptables.Count > 0 && c.Facts.Iptables.All(r => r.Rules.Any(rule => rule.Table == "filter" && rule.Chain == "KUBE-IPVS-FILTER" && rule.Target == "REJECT"));

    /// <summary>"TCP 10.96.0.10:53 wlc".</summary>
    internal static string Describe(IpvsService s)
    {
        var text = s.Key.DisplayName + " " + s.Scheduler;
        if (s.IsPersistent) text += " persistent " + s.PersistenceTimeout.ToString(CultureInfo.InvariantCulture);
        return text;
    }

    private static string ContextSome(IEnumerable<IpvsServiceKey> keys) => MigrationContext.Some(keys.Select(k => k.DisplayName));

    private static string ContextSome(IEnumerable<string> items) => MigrationContext.Some(items);
}
