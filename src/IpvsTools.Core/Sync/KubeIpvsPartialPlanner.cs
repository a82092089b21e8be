using System;
using System.Collections.Generic;
using System.Linq;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>
/// Decides whether a watch event can be synced partially, as kube-proxy's nftables mode does (kubernetes
/// PR #126013): when the event changed only Services and EndpointSlices and the Services it touches keep
/// their virtual servers' keys, their set members, their kube-ipvs0 and cluster addresses (so iptables too),
/// only those Services' virtual servers are compared, each read from the kernel by key. Anything else is a
/// full sync, with the reason: a relist (the first list, a watch that ended, 410 Gone), changes the source
/// does not name, a changed Node, more Services than the limit, a change of set membership, addresses or
/// families, a virtual server shared with a Service that did not change. Pure: no kernel, no clock.
/// </summary>
public static class KubeIpvsPartialPlanner
{
    /// <summary>More Services touched by one event than this: a full sync (one dump beats many lookups).</summary>
    public const int DefaultMaxServices = 200;

    /// <summary>The step for <paramref name="snapshot"/>, the node having been brought to <paramref name="synced"/>.</summary>
    public static KubeIpvsPartialStep Prepare(KubeIpvsSyncedState synced, ClusterSnapshot snapshot, int maxServices = DefaultMaxServices)
    {
        ArgumentNullException.ThrowIfNull(synced);
        ArgumentNullException.ThrowIfNull(snapshot);
        var changes = snapshot.Changes;
        if (changes is null) return KubeIpvsPartialStep.Full("the cluster source does not say what changed");
        if (changes.Relisted) return KubeIpvsPartialStep.Full("the cluster was listed anew (a watch ended or its resource version expired)", changes);
        var node = snapshot.FindNode(synced.Options.NodeName);
        if (!ReferenceEquals(node, synced.Node) && !(node is null && synced.Node is null))
            return KubeIpvsPartialStep.Full("the Node changed", changes);

        // The changed objects as they are now (null: deleted).
        var newServices = new Dictionary<(string, string), KubeService?>();
        foreach (var k in changes.Services) newServices[k] = null;
        if (changes.Services.Count > 0)
            foreach (var s in snapshot.Services)
                if (changes.Services.Contains((s.Namespace, s.Name))) newServices[(s.Namespace, s.Name)] = s;
        var newSlices = new Dictionary<(string, string), KubeEndpointSlice?>();
        foreach (var k in changes.EndpointSlices) newSlices[k] = null;
        if (changes.EndpointSlices.Count > 0)
            foreach (var s in snapshot.EndpointSlices)
                if (changes.EndpointSlices.Contains((s.Namespace, s.Name))) newSlices[(s.Namespace, s.Name)] = s;

        // The Services touched: changed ones, and those of the changed slices before and after.
        var touched = new List<(string Namespace, string Name)>();
        var seen = new HashSet<(string, string)>();
        void Touch((string, string) key)
        {
            if (seen.Add(key)) touched.Add(key);
        }
        foreach (var k in changes.Services.Order()) Touch(k);
        foreach (var (k, slice) in newSlices.OrderBy(p => p.Key))
        {
            if (synced.Slices.TryGetValue(k, out var old) && old.ServiceName is { } before) Touch((old.Namespace, before));
            if (slice?.ServiceName is { } now) Touch((slice.Namespace, now));
        }
        if (touched.Count > maxServices) return KubeIpvsPartialStep.Full($"{touched.Count} Services changed (more than {maxServices})", changes);

        // Those Services before and after, with their slices.
        var beforeServices = new List<KubeService>();
        var beforeSlices = new List<KubeEndpointSlice>();
        var afterServices = new List<KubeService>();
        var afterSlices = new List<KubeEndpointSlice>();
        foreach (var t in touched)
        {
            if (synced.Services.TryGetValue(t, out var before)) beforeServices.Add(before);
            var after = newServices.TryGetValue(t, out var changed) ? changed : before;
            if (after is not null) afterServices.Add(after);
            foreach (var s in synced.SlicesOf(t))
            {
                beforeSlices.Add(s);
                if (!newSlices.ContainsKey((s.Namespace, s.Name))) afterSlices.Add(s);
            }
        }
        foreach (var slice in newSlices.Values)
            if (slice?.ServiceName is { } name && seen.Contains((slice.Namespace, name))) afterSlices.Add(slice);

        var options = synced.Options;
        var was = KubeProxyState.Build(new ClusterSnapshot(beforeServices, beforeSlices, synced.Nodes), options);
        var will = KubeProxyState.Build(new ClusterSnapshot(afterServices, afterSlices, synced.Nodes), options);
        if (!was.Families.SequenceEqual(synced.Families) || !will.Families.SequenceEqual(synced.Families))
            return KubeIpvsPartialStep.Full("the proxied families would change", changes);
        if (SetChanges(was, will) is { } sets) return KubeIpvsPartialStep.Full("set membership changes: " + sets, changes);
        if (!was.DummyAddresses.SequenceEqual(will.DummyAddresses)) return KubeIpvsPartialStep.Full("kube-ipvs0's addresses change", changes);
        if (!was.ClusterAddresses.SequenceEqual(will.ClusterAddresses)) return KubeIpvsPartialStep.Full("the cluster addresses change", changes);

        var keys = new List<IpvsServiceKey>();
        var keySeen = new HashSet<IpvsServiceKey>();
        foreach (var v in will.VirtualServers.Concat(was.VirtualServers))
        {
            var owner = KubeIpvsSyncedState.OwnerOf(v);
            if (!synced.Owners.TryGetValue(v.Key, out var had)) return KubeIpvsPartialStep.Full($"virtual server {v.Key.DisplayName} was not in the last sync", changes);
            if (had != owner) return KubeIpvsPartialStep.Full($"virtual server {v.Key.DisplayName} is also Service {had.Namespace}/{had.Name}'s", changes);
            if (keySeen.Add(v.Key)) keys.Add(v.Key);
        }
        return new KubeIpvsPartialStep(changes, synced, touched, will, keys, newServices.ToList(), newSlices.ToList());
    }

    /// <summary>"KUBE-CLUSTER-IP +1 -0, ..." for the sets whose members differ; null when none does.</summary>
    private static string? SetChanges(KubeDesiredState was, KubeDesiredState will)
    {
        var parts = new List<string>();
        var before = was.Ipsets.ToDictionary(s => s.Name, s => s.Members, StringComparer.Ordinal);
        foreach (var set in will.Ipsets)
        {
            var old = before.TryGetValue(set.Name, out var m) ? m : Array.Empty<string>();
            if (old.SequenceEqual(set.Members, StringComparer.Ordinal)) continue;
            var added = set.Members.Except(old, StringComparer.Ordinal).Count();
            var removed = old.Except(set.Members, StringComparer.Ordinal).Count();
            parts.Add($"{set.Name} +{added} -{removed}");
        }
        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}
