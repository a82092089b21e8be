using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>
/// Compares a fresh read of the node with the desired state and plans the writes, in a safe order:
/// kube-ipvs0 and its new addresses, then sets and their new members, then IPVS (virtual servers, new
/// real servers, drains and removals of real servers), then the iptables rules that reference the sets,
/// then stale set members, stale virtual servers, and stale addresses last. Writes only what differs. Graceful termination: a real server whose
/// endpoint is gone is removed at once for UDP/SCTP or when it has no connections, else set to weight 0
/// and removed by a later plan once its connections reach 0 (the state lives in the kernel).
/// Ownership: a virtual server is the cluster's when its address is a cluster address, is on
/// kube-ipvs0, or is a node address with a port in the NodePort range; the rest is foreign and left
/// alone unless <c>includeForeign</c>. Addresses in the exclude CIDRs are never touched.
/// </summary>
internal static class KubeIpvsPlanner
{
    /// <summary>The plan that takes <paramref name="actual"/> to <paramref name="desired"/>.</summary>
    public static KubeIpvsPlan Plan(KubeDesiredState desired, KubeNodeActualState actual, KubeProxyOptions options, bool includeForeign = false)
    {
        ArgumentNullException.ThrowIfNull(desired);
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(options);

        var first = new List<KubeIpvsOperation>();   // link, addresses, sets, members to add
        var ipvs = new List<KubeIpvsOperation>();
        var staleMembers = new List<KubeIpvsOperation>();
        var staleServers = new List<KubeIpvsOperation>();
        var staleAddresses = new List<KubeIpvsOperation>();
        var draining = new List<KubeDrainingDestination>();
        var foreign = new List<IpvsServiceKey>();

        // kube-ipvs0 and its addresses.
        if (!actual.DummyLinkExists) first.Add(KubeLinkOperation.CreateDummyLink());
        var haveAddresses = new HashSet<IPAddress>(actual.DummyAddresses);
        var wantAddresses = new HashSet<IPAddress>(desired.DummyAddresses);
        foreach (var a in desired.DummyAddresses)
        {
            if (!haveAddresses.Contains(a)) first.Add(KubeLinkOperation.AddAddress(a));
        }
        foreach (var a in KubeNodePortAddresses.SortAddresses(actual.DummyAddresses))
        {
            if (!wantAddresses.Contains(a) && !Excluded(a, options)) staleAddresses.Add(KubeLinkOperation.RemoveAddress(a));
        }

        // ipsets.
        var actualSets = new Dictionary<string, KubeActualIpset>(StringComparer.Ordinal);
        foreach (var s in actual.Ipsets) actualSets[s.Name] = s;
        foreach (var set in desired.Ipsets)
        {
            // Members are compared as typed elements (a host-sized net of hash:ip,port,net with or without
            // its /32, an address in any spelling, a network before or after masking are the same member).
            var (type, family) = ElementShape(set);
            if (!actualSets.TryGetValue(set.Name, out var existing))
            {
                first.Add(KubeIpsetOperation.CreateSet(set));
                PlanNewMembers(set, type, family, first);
                continue;
            }
            if (!string.Equals(existing.Type, set.Type, StringComparison.Ordinal))
            {
                first.Add(KubeIpsetOperation.DestroySet(set.Name, $"it is {existing.Type}, kube-proxy's is {set.Type}"));
                first.Add(KubeIpsetOperation.CreateSet(set));
                PlanNewMembers(set, type, family, first);
                continue;
            }
            if (KubeIpsetMemberMatch.TryPlanSpelledAlike(set, existing, type, family, first)) continue;
            var have = new HashSet<string>(StringComparer.Ordinal);
            var listed = new List<(string Text, IpsetElement Element)>(existing.Members.Count);
            foreach (var m in existing.Members)
            {
                var element = IpsetElementParser.Parse(m, type, family);
                listed.Add((m, element));
                have.Add(element.Text);
            }
            var want = new HashSet<string>(StringComparer.Ordinal);
            foreach (var m in set.Members)
            {
                var element = IpsetElementParser.Parse(m, type, family);
                want.Add(element.Text);
                if (!have.Contains(element.Text)) first.Add(KubeIpsetOperation.AddMember(set.Name, element, m));
            }
            var stale = listed.Where(m => !want.Contains(m.Element.Text)).ToList();
            stale.Sort((a, b) => string.CompareOrdinal(a.Text, b.Text));
            foreach (var (text, element) in stale) staleMembers.Add(KubeIpsetOperation.RemoveMember(set.Name, element, text));
        }

        // IPVS.
        var actualServices = new Dictionary<IpvsServiceKey, IpvsService>();
        foreach (var s in actual.Services) actualServices[s.Key] = s;
        var held = 0; // desired virtual servers the node has: when that is all of the node's, none is stale
        foreach (var v in desired.VirtualServers)
        {
            if (!actualServices.TryGetValue(v.Key, out var have))
            {
                ipvs.Add(KubeVirtualServerOperation.AddVirtualServer(Settings(v), v.ServicePort));
                foreach (var d in v.Destinations) ipvs.Add(KubeVirtualServerOperation.AddDestination(v.Key, Added(d.Address, d.Port), v.ServicePort));
                continue;
            }
            held++;
            var changes = ServiceChanges(v, have);
            if (changes is not null) ipvs.Add(KubeVirtualServerOperation.UpdateVirtualServer(Settings(v), v.ServicePort, changes));
            PlanDestinations(v, have, ipvs, draining);
        }
        if (held != actualServices.Count || actualServices.Count != actual.Services.Count)
        {
            var desiredKeys = new HashSet<IpvsServiceKey>(desired.VirtualServers.Select(v => v.Key));
            var clusterAddresses = new HashSet<IPAddress>(desired.ClusterAddresses);
            clusterAddresses.UnionWith(actual.DummyAddresses);
            PlanStaleServers(actual.Services.Where(s => !desiredKeys.Contains(s.Key)), clusterAddresses, options, includeForeign, staleServers, foreign);
        }

        var iptables = new List<KubeIpvsOperation>();
        if (actual.Iptables is not null) PlanIptables(desired, actual.Iptables, iptables);

        var operations = new List<KubeIpvsOperation>(first.Count + ipvs.Count + iptables.Count + staleMembers.Count + staleServers.Count + staleAddresses.Count);
        operations.AddRange(first);
        operations.AddRange(ipvs);
        operations.AddRange(iptables);
        operations.AddRange(staleMembers);
        operations.AddRange(staleServers);
        operations.AddRange(staleAddresses);
        return new KubeIpvsPlan(operations, draining, foreign);
    }

    /// <summary>Every member of <paramref name="set"/> added to a set made now, parsed as typed elements.</summary>
    private static void PlanNewMembers(KubeDesiredIpset set, IpsetTypeInfo type, string family, List<KubeIpvsOperation> first)
    {
        foreach (var m in set.Members) first.Add(KubeIpsetOperation.AddMember(set.Name, IpsetElementParser.Parse(m, type, family), m));
    }

    /// <summary>
    /// Removals of the virtual servers in <paramref name="candidates"/> that are the cluster's (address a cluster
    /// address, or a node address with a port in the NodePort range; never an excluded address), in ipvsadm's
    /// order; the rest is foreign: removed too with <paramref name="includeForeign"/>, else listed.
    /// </summary>
    internal static void PlanStaleServers(IEnumerable<IpvsService> candidates, ISet<IPAddress> clusterAddresses, KubeProxyOptions options, bool includeForeign,
        List<KubeIpvsOperation> removals, List<IpvsServiceKey> foreign)
    {
        var nodeAddresses = new HashSet<IPAddress>(options.NodeAddresses);
        foreach (var s in IpvsadmOrder.Sort(candidates.ToList(), (a, b) => IpvsadmOrder.CompareServices(a.Key, b.Key)))
        {
            var owned = s.Address is { } address && !Excluded(address, options)
                && (clusterAddresses.Contains(address) || (nodeAddresses.Contains(address) && s.Port >= options.NodePortRangeFirst && s.Port <= options.NodePortRangeLast));
            if (owned) removals.Add(KubeVirtualServerOperation.RemoveVirtualServer(s.Key, null));
            else if (includeForeign && !(s.Address is { } a2 && Excluded(a2, options))) removals.Add(KubeVirtualServerOperation.RemoveVirtualServer(s.Key, "foreign"));
            else foreign.Add(s.Key);
        }
    }

    private static void PlanDestinations(KubeVirtualServer v, IpvsService have, List<KubeIpvsOperation> ipvs, List<KubeDrainingDestination> draining)
    {
        // A few real servers (kube-proxy's usual case): matched by a scan, without a dictionary and a set per
        // virtual server; many: by key.
        if (have.Destinations.Count <= KubeDestinationMatch.ScanLimit)
        {
            Span<bool> matched = stackalloc bool[have.Destinations.Count];
            foreach (var d in v.Destinations)
                PlanDestination(v, d, KubeDestinationMatch.Find(have.Destinations, d.Address, d.Port, matched), ipvs);
            PlanGone(v, KubeDestinationMatch.Unmatched(have.Destinations, matched), ipvs, draining);
            return;
        }
        var existing = new Dictionary<(IPAddress, ushort), IpvsDestination>();
        foreach (var d in have.Destinations) existing[(d.Address, d.Port)] = d;
        var wanted = new HashSet<(IPAddress, ushort)>();
        foreach (var d in v.Destinations)
        {
            wanted.Add((d.Address, d.Port));
            PlanDestination(v, d, existing.TryGetValue((d.Address, d.Port), out var cur) ? cur : null, ipvs);
        }
        PlanGone(v, have.Destinations.Where(d => !wanted.Contains((d.Address, d.Port))).ToList(), ipvs, draining);
    }

    /// <summary>The write for one desired real server, given what the node holds at its address and port (null: nothing).</summary>
    private static void PlanDestination(KubeVirtualServer v, KubeRealServer d, IpvsDestination? cur, List<KubeIpvsOperation> ipvs)
    {
        if (cur is null)
        {
            ipvs.Add(KubeVirtualServerOperation.AddDestination(v.Key, Added(d.Address, d.Port), v.ServicePort));
        }
        else if (cur.Weight == 0)
        {
            // Back while draining: kube-proxy deletes it and adds it anew.
            ipvs.Add(KubeVirtualServerOperation.RemoveDestination(v.Key, IpvsDestinationSettings.From(cur), v.ServicePort, "endpoint is back while draining"));
            ipvs.Add(KubeVirtualServerOperation.AddDestination(v.Key, Added(d.Address, d.Port), v.ServicePort, "endpoint is back while draining"));
        }
        else if (cur.Weight != d.Weight || cur.ForwardingMethod != d.ForwardingMethod)
        {
            ipvs.Add(KubeVirtualServerOperation.UpdateDestination(v.Key, new IpvsDestinationSettings(d.Address, d.Port, d.ForwardingMethod, d.Weight), v.ServicePort,
                $"was {cur.ForwardingMethod} weight {cur.Weight}"));
        }
    }

    /// <summary>The node's real servers of <paramref name="v"/> whose endpoints are gone: removed, or drained (TCP with connections).</summary>
    private static void PlanGone(KubeVirtualServer v, List<IpvsDestination>? gone, List<KubeIpvsOperation> ipvs, List<KubeDrainingDestination> draining)
    {
        if (gone is null || gone.Count == 0) return;
        gone.Sort(IpvsadmOrder.CompareDestinations);
        foreach (var d in gone)
        {
            var connections = (ulong)d.ActiveConnections + d.InactiveConnections;
            if (v.Key.Protocol != IpvsProtocol.Tcp)
                ipvs.Add(KubeVirtualServerOperation.RemoveDestination(v.Key, IpvsDestinationSettings.From(d), v.ServicePort, connections == 0 ? null : "no graceful termination for " + IpvsServiceKey.ProtocolName(v.Key.Protocol)));
            else if (connections == 0)
                ipvs.Add(KubeVirtualServerOperation.RemoveDestination(v.Key, IpvsDestinationSettings.From(d), v.ServicePort));
            else if (d.Weight != 0)
                ipvs.Add(KubeVirtualServerOperation.UpdateDestination(v.Key, new IpvsDestinationSettings(d.Address, d.Port, d.ForwardingMethod, 0), v.ServicePort,
                    $"draining: {d.ActiveConnections} active, {d.InactiveConnections} inactive connections"));
            else
                draining.Add(new KubeDrainingDestination(v.Key, d));
        }
    }

    /// <summary>
    /// Per family: one restore of kube-proxy's chains when any of them is missing or its rules differ
    /// (rule by rule in order, compared as the iptables parser reads them, so the nft backend's order of
    /// matches does not count), then the jumps missing from the built-in chains.
    /// </summary>
    private static void PlanIptables(KubeDesiredState desired, IReadOnlyList<IptablesRuleset> actual, List<KubeIpvsOperation> operations)
    {
        foreach (var rules in desired.Iptables)
        {
            var family = rules.AddressFamily == AddressFamily.InterNetworkV6 ? IptablesFamily.IPv6 : IptablesFamily.IPv4;
            var have = actual.FirstOrDefault(a => a.Family == family);
            string Key(KubeIptablesRule r) => KubeProxyIptables.RuleKey(IptablesSaveParser.ParseRule(r.SavedForm(rules.AddressFamily), family, r.Table));
            var differing = new List<string>();
            foreach (var (table, owned) in new[] { ("nat", KubeIptablesRules.NatChains), ("filter", KubeIptablesRules.FilterChains) })
            {
                foreach (var chain in owned)
                {
                    var want = rules.Rules.Where(r => r.Table == table && r.Chain == chain).Select(Key);
                    var got = have?.RulesOf(table, chain).Select(KubeProxyIptables.RuleKey) ?? Enumerable.Empty<string>();
                    if (have?.FindChain(table, chain) is null || !want.SequenceEqual(got, StringComparer.Ordinal)) differing.Add(table + "/" + chain);
                }
            }
            if (differing.Count > 0) operations.Add(KubeIptablesOperation.RestoreIptables(rules, differing));
            foreach (var jump in rules.Jumps)
            {
                var key = Key(jump);
                if (have is null || !have.RulesOf(jump.Table, jump.Chain).Any(r => KubeProxyIptables.RuleKey(r) == key))
                    operations.Add(KubeIptablesOperation.InsertJump(rules, jump));
            }
        }
    }

    /// <summary>What differs between the desired and the kernel's virtual server, or null.</summary>
    private static string? ServiceChanges(KubeVirtualServer v, IpvsService have)
    {
        var diffs = new List<string>();
        if (!string.Equals(have.Scheduler, v.Scheduler, StringComparison.Ordinal)) diffs.Add("scheduler was " + have.Scheduler);
        if (have.RawFlags != v.Flags) diffs.Add("flags were 0x" + have.RawFlags.ToString("x", CultureInfo.InvariantCulture));
        if (have.PersistenceTimeout != v.Timeout) diffs.Add("timeout was " + have.PersistenceTimeout.ToString(CultureInfo.InvariantCulture));
        if (!string.Equals(have.Netmask, v.Netmask, StringComparison.Ordinal)) diffs.Add("netmask was " + have.Netmask);
        return diffs.Count == 0 ? null : string.Join(", ", diffs);
    }

    /// <summary>The settings kube-proxy gives the virtual server, its netmask typed once here.</summary>
    private static IpvsServiceSettings Settings(KubeVirtualServer v)
        => new(v.Key, v.Scheduler, v.Flags, v.Timeout, IpvsNetmask.Parse(v.Key.AddressFamily, v.Netmask));

    /// <summary>A real server as kube-proxy adds it: masquerade, weight 1.</summary>
    private static IpvsDestinationSettings Added(IPAddress address, ushort port) => new(address, port, IpvsForwardingMethod.Masquerade, 1);

    /// <summary>The type and family <paramref name="set"/>'s members are parsed with.</summary>
    private static (IpsetTypeInfo Type, string Family) ElementShape(KubeDesiredIpset set)
    {
        var type = IpsetTypeInfo.Find(set.Type) ?? throw new IpvsToolsException($"ipset type {set.Type} is unknown.", FailureKind.NotSupported);
        return (type, set.AddressFamily == AddressFamily.InterNetworkV6 ? "inet6" : "inet");
    }

    private static bool Excluded(IPAddress address, KubeProxyOptions options) => options.ExcludeCidrs.Any(n => n.Contains(address));

    /// <summary>
    /// A member in one spelling for comparison: ipset lists a host-sized net of hash:ip,port,net
    /// without its /32 (/128), kube-proxy writes it with one.
    /// </summary>
    internal static string Canonical(string type, string member)
    {
        if (type != "hash:ip,port,net") return member;
        if (member.EndsWith("/32", StringComparison.Ordinal) && member.LastIndexOf(',') is var c && c >= 0 && !member.AsSpan(c).Contains(':')) return member.Substring(0, member.Length - 3);
        if (member.EndsWith("/128", StringComparison.Ordinal)) return member.Substring(0, member.Length - 4);
        return member;
    }
}
