using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using N = IpvsTools.Diagnostics.ReachabilityCheckNames;
using P = IpvsTools.Diagnostics.ProxyModeCheckNames;

namespace IpvsTools.Diagnostics;

/// <summary>
/// Test-ServiceReachability in kube-proxy's iptables and nftables modes: checks what kube-proxy in that mode needs for a
/// front end to answer (the front end in its rules, its endpoints or the rule that rejects it, the hooks that bring
/// packets to the rules, the sysctls), probes through the front end and each endpoint directly, and names the first cause
/// in one sentence. A cause is never one the probes contradict: when the front end answers, what failed is reported as
/// what else it breaks, not as why it fails.
/// </summary>
public static class ProxyModeReachabilityTester
{
    /// <summary>
    /// Tests <paramref name="target"/> on <paramref name="node"/>. A target whose address is 0.0.0.0 or :: is a node
    /// port (as Get-KubeProxyService gives it in these modes): it is probed on a node address the rules accept
    /// (<see cref="ProxyModeNode.NodePortAddress"/>), which the result names.
    /// </summary>
    public static async Task<ServiceReachability> TestAsync(ProxyModeNode node, ReachabilityTarget target, ReachabilityOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(options);
        var key = target.Key;
        var family = key.AddressFamily;
        var isAny = key.Address!.Equals(IPAddress.Any) || key.Address.Equals(IPAddress.IPv6Any);
        var isNodePort = isAny || target.Expected?.Role == KubeAddressRole.NodePort;
        var lookup = isNodePort ? KubeProxyServiceBuilder.AnyAddress(family) : key.Address;
        var frontEnd = node.FrontEnd(key.Protocol, lookup, key.Port);
        var frontEndText = FrontEndText(key.Protocol, lookup, key.Port);
        var (rules, rulesError) = node.Rules(family);

        // Where to probe: a node port from the rules (0.0.0.0) goes to a node address they accept.
        var probeKey = key;
        string? nodePortNote = null;
        if (isAny)
        {
            var (address, why) = node.NodePortAddress(family);
            nodePortNote = address is null ? why : $"probed on {address}, {why}";
            if (address is not null) probeKey = IpvsServiceKey.ForAddress(key.Protocol, address, key.Port);
        }

        var endpoints = Endpoints(frontEnd, target.Expected);
        var conntrack = CheckConntrack(node, probeKey, frontEnd);
        var canProbe = !isAny || !probeKey.Address!.Equals(key.Address);
        var vipTask = canProbe
            ? ReachabilityProbe.ProbeAsync(node.Namespace, key.Protocol, probeKey.Address!, key.Port, options.Timeout, cancellationToken)
            : Task.FromResult(new ProbeOutcome(null, ProbeFailure.NotProbed, null, "not probed: " + nodePortNote));
        var sourceTask = options.SourceNamespace is { } source && canProbe
            ? ReachabilityProbe.ProbeAsync(source, key.Protocol, probeKey.Address!, key.Port, options.Timeout, cancellationToken)
            : null;
        var endpointTasks = endpoints.Select(e => ReachabilityProbe.ProbeAsync(node.Namespace, key.Protocol, e.Address, e.Port, options.Timeout, cancellationToken)).ToArray();
        var vip = await vipTask.ConfigureAwait(false);
        var fromSource = sourceTask is null ? null : await sourceTask.ConfigureAwait(false);
        var probes = await Task.WhenAll(endpointTasks).ConfigureAwait(false);
        var sourceName = options.SourceNamespace?.DisplayName;
        var servers = endpoints.Select((e, i) => new RealServerReachability(e.Address, e.Port, null, e.InRules, target.Expected is null ? null : e.InSlices, probes[i])).ToList();

        var modeName = node.Mode.ToString().ToLowerInvariant();
        var checks = new List<ReachabilityCheck>
        {
            CheckFrontEnd(node, frontEnd, frontEndText, modeName, isNodePort && !isAny ? NotTakenOn(rules, key.Address) : null),
            CheckEndpoints(frontEnd, rules, key, isNodePort ? null : key.Address, out var rejectedBy),
            CheckEndpointSlices(frontEnd, target, servers),
            CheckHooks(rules, rulesError, isNodePort, modeName, out var missingHooks),
            CheckSysctls(node, rules, family),
            conntrack,
            new ReachabilityCheck(N.VipProbe, vip.Answered, $"{probeKey.DisplayName}: {vip.Detail}"),
            options.SourceNamespace is null
                ? new ReachabilityCheck(N.SourceProbe, null, "no source namespace given (-SourceNetworkNamespace)")
                : fromSource is null
                    ? new ReachabilityCheck(N.SourceProbe, null, "not probed: " + nodePortNote)
                    : new ReachabilityCheck(N.SourceProbe, fromSource.Answered, $"{probeKey.DisplayName} from {sourceName}: {fromSource.Detail}"),
            ReachabilityCheck.OfProbes(servers, "endpoint"),
        };
        var (reachable, reason) = Judge(probeKey, frontEndText, checks, servers, vip, fromSource, sourceName, frontEnd, rejectedBy, missingHooks, modeName, nodePortNote);
        return new ServiceReachability(probeKey, target.Service ?? ServiceName(frontEnd), reachable, reason, checks, servers, vip, node.Namespace?.DisplayName, sourceName,
            node.Mode, frontEndText);
    }

    private static string? ServiceName(KubeProxyService? frontEnd)
        => frontEnd?.Service is null ? null : frontEnd.Service + (frontEnd.PortName.Length > 0 ? ":" + frontEnd.PortName : "");

    private static string FrontEndText(IpvsProtocol protocol, IPAddress address, ushort port)
        => IpvsServiceKey.ProtocolNameOf(protocol) + " " + IpvsAddressText.FormatEndpoint(address.AddressFamily, address, port);

    private sealed record Endpoint(IPAddress Address, ushort Port, bool InRules, bool InSlices);

    private static List<Endpoint> Endpoints(KubeProxyService? frontEnd, KubeVirtualServer? expected)
    {
        var list = new List<Endpoint>();
        var wanted = expected?.Destinations.Select(d => (d.Address, d.Port)).ToHashSet() ?? new HashSet<(IPAddress, ushort)>();
        foreach (var e in frontEnd?.Endpoints ?? Array.Empty<KubeProxyEndpoint>())
            list.Add(new Endpoint(e.Address, e.Port, true, wanted.Contains((e.Address, e.Port))));
        foreach (var d in expected?.Destinations ?? Array.Empty<KubeRealServer>())
            if (!list.Any(e => e.Address.Equals(d.Address) && e.Port == d.Port)) list.Add(new Endpoint(d.Address, d.Port, false, true));
        return list;
    }

    /// <summary>Why a node port is not taken on <paramref name="address"/> (nftables' nodeport-ips leaves it out); null when it is.</summary>
    private static string? NotTakenOn(ProxyModeRules? rules, IPAddress address)
        => rules?.NodePortAddresses is { } accepted && !accepted.Contains(address)
            ? $"node ports are taken only on the addresses of nodeport-ips ({(accepted.Count == 0 ? "none" : string.Join(", ", accepted))}), not on {address}"
            : null;

    private static ReachabilityCheck CheckFrontEnd(ProxyModeNode node, KubeProxyService? frontEnd, string text, string mode, string? notTaken)
    {
        if (node.Services is null) return new(P.FrontEnd, null, $"kube-proxy's {mode}-mode rules could not be read: {node.ServicesError}");
        if (frontEnd is null) return new(P.FrontEnd, false, $"kube-proxy's {mode}-mode rules have no front end {text}");
        if (notTaken is not null) return new(P.FrontEnd, false, $"{text} {frontEnd.Kind}" + (frontEnd.Service is null ? "" : " " + ServiceName(frontEnd)) + ", but " + notTaken);
        return new(P.FrontEnd, true, $"{text} {frontEnd.Kind}" + (frontEnd.Service is null ? "" : " " + ServiceName(frontEnd)));
    }

    private static ReachabilityCheck CheckEndpoints(KubeProxyService? frontEnd, ProxyModeRules? rules, IpvsServiceKey key, IPAddress? address, out string? rejectedBy)
    {
        rejectedBy = null;
        if (frontEnd is null) return new(P.Endpoints, null, "no front end");
        if (frontEnd.Endpoints.Count > 0)
            return new(P.Endpoints, true, $"{ServiceReachabilityTester.Count(frontEnd.Endpoints.Count, "endpoint")}: {string.Join(", ", frontEnd.Endpoints)}");
        rejectedBy = rules?.NoEndpointRule(key.Protocol, address, key.Port);
        return new(P.Endpoints, false, rejectedBy is null
            ? "no endpoints: kube-proxy rejects or drops it"
            : $"no endpoints: kube-proxy rejects or drops it ({rejectedBy})");
    }

    private static ReachabilityCheck CheckEndpointSlices(KubeProxyService? frontEnd, ReachabilityTarget target, List<RealServerReachability> servers)
    {
        if (target.Expected is null) return new(P.EndpointSlices, null, "no cluster source (use -Service with -Path or -Kubeconfig)");
        if (frontEnd is null) return new(P.EndpointSlices, null, "no front end");
        // IPVS mode's desired state falls back to every endpoint under externalTrafficPolicy Local when none is local;
        // iptables and nftables mode drop instead: only a ClusterIP's endpoints compare as they are.
        if (target.Expected.Role != KubeAddressRole.ClusterIP) return new(P.EndpointSlices, null, "compared for ClusterIPs only (external traffic policy Local differs between modes)");
        var missing = servers.Where(s => !s.InIpvs).Select(s => s.Destination).ToList();
        var extra = servers.Where(s => s.InIpvs && s.InEndpointSlices == false).Select(s => s.Destination).ToList();
        if (missing.Count == 0 && extra.Count == 0) return new(P.EndpointSlices, true, $"{ServiceReachabilityTester.Count(servers.Count, "endpoint")}, as the EndpointSlices say");
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add("missing from the rules: " + string.Join(", ", missing));
        if (extra.Count > 0) parts.Add("not in the EndpointSlices: " + string.Join(", ", extra));
        return new(P.EndpointSlices, false, string.Join("; ", parts));
    }

    private static ReachabilityCheck CheckHooks(ProxyModeRules? rules, string? error, bool nodePort, string mode, out List<ProxyModeHook> missing)
    {
        missing = [];
        if (rules is null) return new(P.Hooks, null, $"kube-proxy's {mode}-mode rules could not be read: {error}");
        var relevant = rules.Hooks.Where(h => nodePort || h.Purpose != "node ports").ToList();
        missing = relevant.Where(h => !h.Present).ToList();
        if (missing.Count == 0) return new(P.Hooks, true, string.Join("; ", relevant.Select(h => h.Description)));
        return new(P.Hooks, false, "missing: " + string.Join("; ", missing.Select(h => $"{h.Description} ({h.Purpose})")));
    }

    private static ReachabilityCheck CheckSysctls(ProxyModeNode node, ProxyModeRules? rules, AddressFamily family)
    {
        var v6 = family == AddressFamily.InterNetworkV6;
        var forwardPath = v6 ? "net/ipv6/conf/all/forwarding" : "net/ipv4/ip_forward";
        var forward = node.Sysctl(forwardPath);
        var seen = new List<string>();
        var failed = new List<string>();
        if (forward is null) seen.Add($"{forwardPath.Replace('/', '.')} could not be read");
        else if (forward == "1") seen.Add($"{forwardPath.Replace('/', '.')}=1");
        else failed.Add($"{forwardPath.Replace('/', '.')}={forward}: traffic from pods and other hosts is not forwarded to endpoints");
        if (!v6 && rules?.LocalhostNodePorts == true)
        {
            var localnet = node.Sysctl("net/ipv4/conf/all/route_localnet");
            if (localnet == "1") seen.Add("net.ipv4.conf.all.route_localnet=1 (node ports on 127.0.0.1)");
            else if (localnet is not null) failed.Add($"net.ipv4.conf.all.route_localnet={localnet}: node ports on 127.0.0.1 do not answer");
        }
        if (failed.Count > 0) return new(P.Sysctls, false, string.Join("; ", failed));
        if (forward is null) return new(P.Sysctls, null, string.Join("; ", seen));
        return new(P.Sysctls, true, string.Join("; ", seen));
    }

    private static ReachabilityCheck CheckConntrack(ProxyModeNode node, IpvsServiceKey key, KubeProxyService? frontEnd)
    {
        if (key.Protocol != IpvsProtocol.Udp) return new(N.Conntrack, null, "not a UDP service");
        if (frontEnd is null) return new(N.Conntrack, null, "no front end");
        var current = frontEnd.Endpoints.Select(e => (e.Address, e.Port)).ToHashSet();
        var (entries, error) = node.Conntrack();
        if (entries is null) return new(N.Conntrack, null, error ?? "");
        var stale = ConntrackTable.StaleUdpTargets(entries, key.Address, key.Port, current)
            .Select(t => IpvsAddressText.FormatEndpoint(t.Address.AddressFamily, t.Address, t.Port)).Distinct().ToList();
        if (stale.Count == 0) return new(N.Conntrack, true, "no conntrack entry points at an endpoint that is gone");
        return new(N.Conntrack, false, $"conntrack entries still send {key.DisplayName} to {string.Join(", ", stale)}, no longer an endpoint");
    }

    /// <summary>
    /// The verdict follows the probes: an answer through the front end from every place probed makes it Reachable, and
    /// failed checks are then named as what else they break; without an answer, the reason is the first failed check in
    /// order of cause that the probes agree with.
    /// </summary>
    private static (bool, string) Judge(IpvsServiceKey key, string frontEndText, List<ReachabilityCheck> checks, List<RealServerReachability> servers,
        ProbeOutcome vip, ProbeOutcome? fromSource, string? sourceName, KubeProxyService? frontEnd, string? rejectedBy, List<ProxyModeHook> missingHooks,
        string mode, string? nodePortNote)
    {
        ReachabilityCheck C(string name) => checks.First(c => c.Name == name);
        bool Failed(string name) => C(name).Result == false;
        var target = key.DisplayName;
        var on = nodePortNote is null ? "" : $" (node port {frontEndText}, {nodePortNote})";
        var issues = Issues(key, checks, servers);

        if (vip.Answered == true)
        {
            var text = Failed(P.FrontEnd)
                ? $"{target}{on} answered ({vip.Detail}), but not through kube-proxy ({C(P.FrontEnd).Detail}), so something else serves the address"
                : $"{target}{on} answered through kube-proxy's {mode}-mode rules ({vip.Detail})";
            if (fromSource?.Answered == false)
                return (false, $"{target}{on} answers from the node ({vip.Detail}) but not from {sourceName} ({fromSource.Detail})"
                    + (issues.Count > 0 ? "; " + string.Join("; ", issues) : "") + ".");
            if (fromSource?.Answered == true) text += $" and from {sourceName} ({fromSource.Detail})";
            return (true, issues.Count == 0 ? $"{text}; {C(N.RealServerProbes).Detail}." : $"{text}; but {string.Join("; ", issues)}.");
        }

        if (vip.Failure == ProbeFailure.NotProbed && nodePortNote is not null && vip.Answered is null && !Failed(P.FrontEnd))
            return (false, $"Node port {frontEndText} was not probed: {nodePortNote}.");
        if (Failed(P.FrontEnd) && frontEnd is not null)
            return (false, $"{target} is not a front end of kube-proxy's {mode}-mode rules: {C(P.FrontEnd).Detail}{(vip.Answered == false ? $"; the probe saw it: {vip.Detail}" : "")}.");
        if (Failed(P.FrontEnd))
            return (false, $"kube-proxy's {mode}-mode rules have no front end {frontEndText}: kube-proxy has not programmed it (no such Service port, or kube-proxy is not running in {mode} mode){(vip.Answered == false ? $"; the probe saw it: {vip.Detail}" : "")}.");
        if (frontEnd is not null && frontEnd.Endpoints.Count == 0)
            return (false, $"{target}{on} has no endpoints, so kube-proxy rejects or drops it" + (rejectedBy is null ? "" : $": {rejectedBy}")
                + $"; the probe saw it: {vip.Detail}.");
        if (Failed(P.Hooks) && missingHooks.Any(h => h.Purpose is "traffic from the node itself" or "every Service front end" || (h.Purpose == "node ports" && nodePortNote is not null)))
            return (false, $"Packets to {target}{on} never reach kube-proxy's {mode}-mode rules ({C(P.Hooks).Detail}); the probe saw it: {vip.Detail}.");
        var broken = servers.FirstOrDefault(s => s.Reachable == false);
        if (broken is not null)
        {
            var why = broken.Detail.StartsWith("refused", StringComparison.Ordinal)
                ? $"endpoint {broken.Destination} refuses: its pod is there but nothing listens on port {broken.Port}"
                : $"endpoint {broken.Destination} does not answer ({broken.Detail}): its pod is gone or its network is down";
            return (false, char.ToUpperInvariant(why[0]) + why.Substring(1) + $"; the probe through {target}{on} saw it: {vip.Detail}.");
        }
        if (vip.Answered == false)
            return (false, $"The probe through {target}{on} failed ({vip.Detail}) although no check that stops it failed"
                + (issues.Count > 0 ? "; also " + string.Join("; ", issues) : "") + ".");
        if (Failed(N.Conntrack))
            return (false, $"Stale UDP conntrack: {C(N.Conntrack).Detail} (clear them: conntrack -D -p udp --orig-dst {key.Address} --orig-port-dst {key.Port}).");
        if (fromSource?.Answered == false)
            return (false, $"{target}{on} does not answer from {sourceName} ({fromSource.Detail})" + (issues.Count > 0 ? "; " + string.Join("; ", issues) : "") + ".");
        return (true, $"No check failed; the probe through {target}{on} was not conclusive ({vip.Detail}).");
    }

    /// <summary>What the failed checks that did not stop an answer break, one phrase each.</summary>
    private static List<string> Issues(IpvsServiceKey key, List<ReachabilityCheck> checks, List<RealServerReachability> servers)
    {
        ReachabilityCheck C(string name) => checks.First(c => c.Name == name);
        bool Failed(string name) => C(name).Result == false;
        var issues = new List<string>();
        if (Failed(P.Endpoints)) issues.Add(C(P.Endpoints).Detail + " (only existing connections get through)");
        if (Failed(P.EndpointSlices)) issues.Add($"the endpoints differ from the EndpointSlices ({C(P.EndpointSlices).Detail})");
        foreach (var s in servers.Where(s => s.Reachable == false))
            issues.Add($"endpoint {s.Destination} " + (s.Detail.StartsWith("refused", StringComparison.Ordinal) ? "refuses" : "does not answer")
                + $" ({s.Detail}), so the connections sent there fail");
        if (Failed(P.Hooks)) issues.Add($"kube-proxy's hooks are incomplete ({C(P.Hooks).Detail})");
        if (Failed(P.Sysctls)) issues.Add(C(P.Sysctls).Detail);
        if (Failed(N.Conntrack))
            issues.Add($"stale UDP conntrack: {C(N.Conntrack).Detail}, so those clients still go to it (clear them: conntrack -D -p udp --orig-dst {key.Address} --orig-port-dst {key.Port})");
        return issues;
    }

}

/// <summary>The names of the checks Test-ServiceReachability makes in iptables and nftables mode besides the probes.</summary>
internal static class ProxyModeCheckNames
{
    public const string FrontEnd = "Front end in kube-proxy's rules";
    public const string Endpoints = "Endpoints";
    public const string EndpointSlices = "Endpoints match EndpointSlices";
    public const string Hooks = "Hooks into kube-proxy's rules";
    public const string Sysctls = "Sysctls";
}
