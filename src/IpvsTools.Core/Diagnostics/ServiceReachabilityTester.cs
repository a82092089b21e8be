using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using N = IpvsTools.Diagnostics.ReachabilityCheckNames;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Diagnostics;

/// <summary>
/// Says why a virtual service is or is not reachable: reads the node once (<see cref="ReachabilityNode"/>),
/// checks each layer kube-proxy's IPVS mode programs, probes through the VIP and each real server
/// directly (side by side, inside the node's namespace), and names the first cause in one sentence.
/// </summary>
public static class ServiceReachabilityTester
{
    public static async Task<ServiceReachability> TestAsync(ReachabilityNode node, ReachabilityTarget target, ReachabilityOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var key = target.Key;
        var service = node.Service(key);
        var realServers = RealServerEndpoints(service, target.Expected);

        // Conntrack first: the probes below add entries of their own.
        var conntrack = CheckConntrack(node, key, service);
        var vipTask = ReachabilityProbe.ProbeAsync(node.Namespace, key.Protocol, target.Address, key.Port, options.Timeout, cancellationToken);
        var sourceTask = options.SourceNamespace is { } source
            ? ReachabilityProbe.ProbeAsync(source, key.Protocol, target.Address, key.Port, options.Timeout, cancellationToken)
            : null;
        var serverTasks = realServers.Select(r => ReachabilityProbe.ProbeAsync(node.Namespace, key.Protocol, r.Address, r.Port, options.Timeout, cancellationToken)).ToArray();
        var vip = await vipTask.ConfigureAwait(false);
        var fromSource = sourceTask is null ? null : await sourceTask.ConfigureAwait(false);
        var probes = await Task.WhenAll(serverTasks).ConfigureAwait(false);
        var sourceName = options.SourceNamespace?.DisplayName;

        var servers = realServers.Select((r, i) => new RealServerReachability(r.Address, r.Port, r.Weight, r.Weight is not null,
            target.Expected is null ? null : r.InSlices, probes[i])).ToList();

        var checks = new List<ReachabilityCheck>
        {
            CheckVip(node, target),
            CheckVirtualServer(node, key, service),
            CheckScheduler(node, service, options.Scheduler),
            CheckWeights(service),
            CheckEndpointSlices(service, target, servers),
            CheckIpsets(node, target, out var missingMembers),
            CheckIptables(node, target, out var missingRules),
            conntrack,
            new ReachabilityCheck(N.VipProbe, vip.Answered, $"{key.DisplayName}: {vip.Detail}"),
            fromSource is null
                ? new ReachabilityCheck(N.SourceProbe, null, "no source namespace given (-SourceNetworkNamespace)")
                : new ReachabilityCheck(N.SourceProbe, fromSource.Answered, $"{key.DisplayName} from {sourceName}: {fromSource.Detail}"),
            ReachabilityCheck.OfProbes(servers, "real server"),
        };
        var effects = ReachabilityEffects.OfIpsets(missingMembers).Concat(ReachabilityEffects.OfIptables(missingRules)).Distinct().ToList();
        var (reachable, reason) = Judge(key, checks, servers, vip, fromSource, sourceName, effects);
        return new ServiceReachability(key, target.Service, reachable, reason, checks, servers, vip, node.Namespace?.DisplayName, sourceName);
    }

    private sealed record Endpoint(IPAddress Address, ushort Port, int? Weight, bool InSlices);

    private static List<Endpoint> RealServerEndpoints(IpvsService? service, KubeVirtualServer? expected)
    {
        var list = new List<Endpoint>();
        var wanted = expected?.Destinations.Select(d => (d.Address, d.Port)).ToHashSet() ?? new HashSet<(IPAddress, ushort)>();
        foreach (var d in service?.Destinations ?? Array.Empty<IpvsDestination>())
            list.Add(new Endpoint(d.Address, d.Port, d.Weight, wanted.Contains((d.Address, d.Port))));
        foreach (var d in expected?.Destinations ?? Array.Empty<KubeRealServer>())
            if (!list.Any(e => e.Address.Equals(d.Address) && e.Port == d.Port)) list.Add(new Endpoint(d.Address, d.Port, null, true));
        return list;
    }

    private static ReachabilityCheck CheckVip(ReachabilityNode node, ReachabilityTarget target)
    {
        var address = target.Address;
        if (node.KubeIpvs0Addresses.Contains(address)) return new(N.VipOnKubeIpvs0, true, $"{address} is on kube-ipvs0");
        var other = node.OtherAddresses.FirstOrDefault(a => a.Address.Equals(address));
        if (other.Address is not null)
            return new(N.VipOnKubeIpvs0, null, $"{address} is on {other.Link}, a node address (NodePort), not on kube-ipvs0");
        var expectsDummy = target.Expected is { Role: not KubeAddressRole.NodePort };
        if (!node.KubeIpvs0Exists)
            return node.LooksLikeIpvsMode || expectsDummy
                ? new(N.VipOnKubeIpvs0, false, $"kube-ipvs0 does not exist, so {address} is not a local address")
                : new(N.VipOnKubeIpvs0, null, $"there is no kube-ipvs0 (the node is not in IPVS mode); {address} is not a local address");
        return new(N.VipOnKubeIpvs0, false, $"{address} is not on kube-ipvs0 (nor on any other link)");
    }

    private static ReachabilityCheck CheckVirtualServer(ReachabilityNode node, IpvsServiceKey key, IpvsService? service)
    {
        if (node.Services is null) return new(N.VirtualServer, null, "the IPVS table could not be read: " + node.IpvsError);
        if (service is null) return new(N.VirtualServer, false, $"there is no IPVS virtual server {key.DisplayName}");
        return new(N.VirtualServer, true, $"{key.DisplayName} {service.Scheduler} with {Count(service.Destinations.Count, "real server")}");
    }

    private static ReachabilityCheck CheckScheduler(ReachabilityNode node, IpvsService? service, string scheduler)
    {
        if (node.Services is null) return new(N.SchedulerModule, null, "the IPVS table could not be read");
        if (service is not null) return new(N.SchedulerModule, true, $"{service.Scheduler} is in use (module {IpvsSchedulers.ModuleName(service.Scheduler)})");
        var module = IpvsSchedulers.ModuleName(scheduler);
        return IpvsSchedulers.Loaded().Contains(scheduler, StringComparer.Ordinal)
            ? new(N.SchedulerModule, true, $"{module} is loaded")
            : new(N.SchedulerModule, false, $"{module} is not loaded: a virtual server with scheduler {scheduler} cannot be created until it is (modprobe {module})");
    }

    private static ReachabilityCheck CheckWeights(IpvsService? service)
    {
        if (service is null) return new(N.RealServers, null, "no virtual server");
        var all = service.Destinations.Count;
        var weighted = service.Destinations.Count(d => d.Weight > 0);
        if (all == 0) return new(N.RealServers, false, $"{service.Key.DisplayName} has no real servers");
        if (weighted == 0) return new(N.RealServers, false, $"all {Count(all, "real server")} of {service.Key.DisplayName} have weight 0");
        return new(N.RealServers, true, $"{weighted} of {Count(all, "real server")} with weight > 0");
    }

    private static ReachabilityCheck CheckEndpointSlices(IpvsService? service, ReachabilityTarget target, List<RealServerReachability> servers)
    {
        if (target.Expected is null) return new(N.EndpointSlices, null, "no cluster source (use -Service with -Path or -Kubeconfig)");
        if (service is null) return new(N.EndpointSlices, null, "no virtual server");
        var missing = servers.Where(s => !s.InIpvs).Select(s => s.Destination).ToList();
        var extra = servers.Where(s => s.InIpvs && s.InEndpointSlices == false).Select(s => s.Destination).ToList();
        if (missing.Count == 0 && extra.Count == 0)
            return new(N.EndpointSlices, true, $"{Count(servers.Count, "real server")}, as the EndpointSlices say");
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add("missing from IPVS: " + string.Join(", ", missing));
        if (extra.Count > 0) parts.Add("not in the EndpointSlices: " + string.Join(", ", extra));
        return new(N.EndpointSlices, false, string.Join("; ", parts));
    }

    private static ReachabilityCheck CheckIpsets(ReachabilityNode node, ReachabilityTarget target, out List<string> missingSets)
    {
        missingSets = [];
        if (node.Ipsets is null) return new(N.Ipsets, null, "the ipsets could not be read: " + node.IpsetError);
        string? why = null;
        var wanted = target.ExpectedMembers ?? Inferred(node, target, out why);
        if (wanted is null || wanted.Count == 0) return new(N.Ipsets, null, why ?? "kube-proxy writes no set member for it");
        var missing = new List<string>();
        foreach (var group in wanted.GroupBy(w => w.Set))
        {
            // Inferred alternatives: "one of" sets share the marker set name "A|B|C".
            var names = group.Key.Split('|');
            foreach (var (_, member) in group)
                if (!names.Any(n => node.Ipsets.TryGetValue(n, out var set) && set.Members.Contains(member)))
                {
                    missing.Add($"{string.Join(" or ", names)} lacks {member}");
                    missingSets.AddRange(names);
                }
        }
        if (missing.Count == 0)
            return new(N.Ipsets, true, string.Join(", ", wanted.Select(w => $"{w.Set.Split('|').First(n => node.Ipsets.TryGetValue(n, out var s) && s.Members.Contains(w.Member))} has {w.Member}")));
        return new(N.Ipsets, false, string.Join("; ", missing));
    }

    private static IReadOnlyList<(string Set, string Member)>? Inferred(ReachabilityNode node, ReachabilityTarget target, out string? why)
    {
        why = null;
        var key = target.Key;
        var family = key.AddressFamily;
        if (!node.Ipsets!.Keys.Any(n => n.StartsWith("KUBE-", StringComparison.Ordinal)))
        {
            why = "there are no KUBE-* ipsets (kube-proxy is not in IPVS mode here)";
            return null;
        }
        var ipPort = KubeIpsetMember.IPPortText(key.Address!, key.Protocol, key.Port);
        if (node.KubeIpvs0Addresses.Contains(key.Address!))
        {
            var oneOf = string.Join("|", new[] { KubeIpsetDefinition.ClusterIP, KubeIpsetDefinition.ExternalIP, KubeIpsetDefinition.LoadBalancer }.Select(n => KubeIpsetDefinition.NameFor(n, family)));
            return [(oneOf, ipPort), (KubeIpsetDefinition.NameFor(KubeIpsetDefinition.IpvsIPs, family), key.Address!.ToString())];
        }
        if (node.OtherAddresses.Any(a => a.Address.Equals(key.Address)))
        {
            return key.Protocol switch
            {
                IpvsProtocol.Tcp => [(KubeIpsetDefinition.NameFor(KubeIpsetDefinition.NodePortTcp, family), KubeIpsetMember.PortText(key.Port))],
                IpvsProtocol.Udp => [(KubeIpsetDefinition.NameFor(KubeIpsetDefinition.NodePortUdp, family), KubeIpsetMember.PortText(key.Port))],
                _ => [(KubeIpsetDefinition.NameFor(KubeIpsetDefinition.NodePortSctp, family), ipPort)],
            };
        }
        why = $"{key.Address} is neither on kube-ipvs0 nor a node address: no set applies";
        return null;
    }

    private static ReachabilityCheck CheckIptables(ReachabilityNode node, ReachabilityTarget target, out List<KubeIptablesCheck> missingRules)
    {
        missingRules = [];
        if (!node.LooksLikeIpvsMode && target.Expected is null)
            return new(N.Iptables, null, "no kube-ipvs0 and no KUBE-* ipsets: kube-proxy's IPVS-mode rules do not apply");
        var (checks, error) = node.Iptables(target.Key.AddressFamily);
        if (checks is null) return new(N.Iptables, null, "iptables could not be read: " + error);
        var missing = checks.Where(c => c.Status == KubeIptablesCheckStatus.Missing).ToList();
        missingRules = missing;
        if (missing.Count == 0) return new(N.Iptables, true, $"{checks.Count(c => c.Status == KubeIptablesCheckStatus.Present)} chains, jumps and rules of kube-proxy are present");
        return new(N.Iptables, false, $"{Count(missing.Count, "missing item")}: " + string.Join("; ", missing.Take(3).Select(c => $"{c.Table} {c.Chain}" + (c.Rule is null ? " (chain)" : ": " + c.Rule)))
            + (missing.Count > 3 ? "; ..." : ""));
    }

    private static ReachabilityCheck CheckConntrack(ReachabilityNode node, IpvsServiceKey key, IpvsService? service)
    {
        if (key.Protocol != IpvsProtocol.Udp) return new(N.Conntrack, null, "not a UDP service");
        if (service is null) return new(N.Conntrack, null, "no virtual server");
        var current = service.Destinations.Select(d => (d.Address, d.Port)).ToHashSet();
        var (entries, error) = node.Conntrack();
        var (connections, ipvsError) = node.IpvsConnections();
        if (entries is null && connections is null) return new(N.Conntrack, null, $"{error}; {ipvsError}");
        var stale = ConntrackTable.StaleUdpTargets(entries ?? Array.Empty<ConntrackEntry>(), key.Address, key.Port, current).ToList();
        var staleIpvs = (connections ?? Array.Empty<IpvsConnection>())
            .Where(c => c.Protocol == "UDP" && c.VirtualAddress.Equals(key.Address) && c.VirtualPort == key.Port
                && !current.Contains((c.DestinationAddress, c.DestinationPort)))
            .Select(c => (c.DestinationAddress, c.DestinationPort)).ToList();
        if (stale.Count == 0 && staleIpvs.Count == 0)
            return new(N.Conntrack, true, "no conntrack entry or IPVS connection points at a real server that is gone");
        var gone = stale.Concat(staleIpvs).Distinct().Select(g => IpvsAddressText.FormatEndpoint(g.Item1.AddressFamily, g.Item1, g.Item2));
        return new(N.Conntrack, false, $"{Count(stale.Count, "conntrack entry", "conntrack entries")} and {Count(staleIpvs.Count, "IPVS connection")} still send {key.DisplayName} to {string.Join(", ", gone)}, no longer a real server");
    }

    /// <summary>
    /// The verdict follows the probes through the VIP: an answer from every place probed (the node, and the
    /// source namespace when one is given) makes the target Reachable, and the checks that failed without
    /// stopping the probes are named with what they break (masquerade, hairpin, source ranges, other
    /// clients...). Without an answer, the reason is the first failure in order of cause.
    /// </summary>
    private static (bool, string) Judge(IpvsServiceKey key, List<ReachabilityCheck> checks, List<RealServerReachability> servers, ProbeOutcome vip,
        ProbeOutcome? fromSource, string? sourceName, IReadOnlyList<string> effects)
    {
        ReachabilityCheck C(string name) => checks.First(c => c.Name == name);
        bool Failed(string name) => C(name).Result == false;
        var target = key.DisplayName;
        var address = key.Address!;
        var broken = servers.FirstOrDefault(s => s.Reachable == false);

        if (vip.Answered == true)
        {
            var text = Failed(N.VirtualServer)
                ? $"{target} answered ({vip.Detail}), but not through IPVS: there is no virtual server {target}, so something else serves the address"
                : $"{target} answered through IPVS ({vip.Detail})";
            var issues = Issues(key, checks, servers, effects);
            if (fromSource?.Answered == false)
            {
                return (false, $"{target} answers from the node ({vip.Detail}) but not from {sourceName} ({fromSource.Detail})"
                    + (issues.Count > 0 ? "; " + string.Join("; ", issues) : "") + ".");
            }
            if (fromSource?.Answered == true) text += $" and from {sourceName} ({fromSource.Detail})";
            return (true, issues.Count == 0
                ? $"{text}; {C(N.RealServerProbes).Detail}."
                : $"{text}; but {string.Join("; ", issues)}.");
        }

        if (Failed(N.VirtualServer) && Failed(N.SchedulerModule))
            return (false, $"There is no virtual server {target} because its scheduler module is missing: {C(N.SchedulerModule).Detail}.");
        if (Failed(N.VirtualServer))
            return (false, $"There is no IPVS virtual server {target}: kube-proxy has not programmed it, or it was removed.");
        if (Failed(N.VipOnKubeIpvs0))
            return (false, $"{address} is not on kube-ipvs0, so the node does not take packets to it as its own and IPVS never sees them.");
        if (Failed(N.RealServers))
            return (false, C(N.RealServers).Detail.StartsWith("all", StringComparison.Ordinal)
                ? $"All real servers of {target} have weight 0, so IPVS sends new connections nowhere (they are draining)."
                : $"{target} has no real servers: the Service has no ready endpoints on this node's view.");
        if (Failed(N.EndpointSlices))
            return (false, $"The real servers of {target} differ from the EndpointSlices ({C(N.EndpointSlices).Detail}).");
        if (broken is not null)
        {
            var why = broken.Detail.StartsWith("refused", StringComparison.Ordinal)
                ? $"real server {broken.Destination} refuses: its pod is there but nothing listens on port {broken.Port}"
                : $"real server {broken.Destination} does not answer ({broken.Detail}): its pod is gone or its network is down";
            return (false, char.ToUpperInvariant(why[0]) + why.Substring(1) + ".");
        }
        if (vip.Answered == false)
        {
            // A probe from the node goes through IPVS in OUTPUT and never meets KUBE-IPVS-FILTER or masquerade:
            // missing sets and rules are named, but as what else they break, not as the cause.
            var others = Issues(key, checks, servers, effects);
            return (false, $"The probe through {target} failed ({vip.Detail}) although no layer check that stops it failed"
                + (fromSource is null ? "" : $" (from {sourceName}: {fromSource.Detail})") + (others.Count > 0 ? "; also " + string.Join("; ", others) : "") + ".");
        }
        // UDP without an answer: the probe cannot tell; failed checks decide.
        if (Failed(N.Conntrack))
            return (false, $"Stale UDP conntrack: {C(N.Conntrack).Detail} (clear them: conntrack -D -p udp --orig-dst {address} --orig-port-dst {key.Port}).");
        if (Failed(N.Ipsets))
            return (false, $"An ipset member is missing ({C(N.Ipsets).Detail}), so kube-proxy's iptables rules do not treat {target} as a Service.");
        if (Failed(N.Iptables))
            return (false, $"kube-proxy's iptables rules are incomplete ({C(N.Iptables).Detail}).");
        if (fromSource?.Answered == false)
            return (false, $"{target} does not answer from {sourceName} ({fromSource.Detail}).");
        return (true, $"No check failed; the probe through {target} was not conclusive ({vip.Detail}).");
    }

    /// <summary>What the failed checks that did not stop an answer break, one phrase each.</summary>
    private static List<string> Issues(IpvsServiceKey key, List<ReachabilityCheck> checks, List<RealServerReachability> servers, IReadOnlyList<string> effects)
    {
        ReachabilityCheck C(string name) => checks.First(c => c.Name == name);
        bool Failed(string name) => C(name).Result == false;
        var issues = new List<string>();
        if (Failed(N.VipOnKubeIpvs0)) issues.Add(C(N.VipOnKubeIpvs0).Detail + ", so the answer came from elsewhere");
        if (Failed(N.RealServers)) issues.Add(C(N.RealServers).Detail + " (only existing or persistent connections get through)");
        if (Failed(N.EndpointSlices)) issues.Add($"the real servers differ from the EndpointSlices ({C(N.EndpointSlices).Detail})");
        foreach (var s in servers.Where(s => s.Reachable == false))
            issues.Add($"real server {s.Destination} " + (s.Detail.StartsWith("refused", StringComparison.Ordinal) ? "refuses" : "does not answer")
                + $" ({s.Detail}), so the connections IPVS sends there fail");
        if (Failed(N.Conntrack))
            issues.Add($"stale UDP conntrack: {C(N.Conntrack).Detail}, so those clients still go to it (clear them: conntrack -D -p udp --orig-dst {key.Address} --orig-port-dst {key.Port})");
        if (Failed(N.Ipsets) || Failed(N.Iptables))
        {
            var what = new List<string>();
            if (Failed(N.Ipsets)) what.Add($"an ipset member is missing ({C(N.Ipsets).Detail})");
            if (Failed(N.Iptables)) what.Add($"kube-proxy's iptables rules are incomplete ({C(N.Iptables).Detail})");
            issues.Add(string.Join(" and ", what) + (effects.Count > 0 ? ", which breaks " + string.Join(", ", effects) : ""));
        }
        return issues;
    }

    /// <summary>"1 endpoint", "3 endpoints" (or <paramref name="many"/>).</summary>
    internal static string Count(int n, string one, string? many = null)
        => n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");
}
