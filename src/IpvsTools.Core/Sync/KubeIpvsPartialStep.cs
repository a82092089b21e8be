using System;
using System.Collections.Generic;
using System.Linq;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>
/// What a watching sync does for one event: either a partial sync of the Services it changed (their virtual
/// servers read by key and compared with their desired state) or, with the reason, a full sync.
/// </summary>
public sealed class KubeIpvsPartialStep
{
    private KubeIpvsPartialStep(string? fullSyncReason, ClusterChanges? changes)
    {
        FullSyncReason = fullSyncReason;
        Changes = changes;
    }

    internal KubeIpvsPartialStep(ClusterChanges changes, KubeIpvsSyncedState synced, IReadOnlyList<(string Namespace, string Name)> services, KubeDesiredState desired,
        IReadOnlyList<IpvsServiceKey> keys, IReadOnlyList<KeyValuePair<(string Namespace, string Name), KubeService?>> newServices,
        IReadOnlyList<KeyValuePair<(string Namespace, string Name), KubeEndpointSlice?>> newSlices)
        : this(null, changes)
    {
        Synced = synced;
        Services = services;
        Desired = desired;
        Keys = keys;
        NewServices = newServices;
        NewSlices = newSlices;
    }

    /// <summary>A full sync, for <paramref name="reason"/>.</summary>
    public static KubeIpvsPartialStep Full(string reason, ClusterChanges? changes = null) => new(reason, changes);

    /// <summary>Why the event needs a full sync; null for a partial one.</summary>
    public string? FullSyncReason { get; }

    /// <summary>True for a partial sync.</summary>
    public bool IsPartial => FullSyncReason is null;

    /// <summary>What the watch said changed (null: unknown).</summary>
    public ClusterChanges? Changes { get; }

    /// <summary>The Services (namespace, name) the changes touch: the changed Services and the Services of the changed EndpointSlices, before and after.</summary>
    public IReadOnlyList<(string Namespace, string Name)> Services { get; } = Array.Empty<(string, string)>();

    /// <summary>The virtual servers of those Services, before and after the change: the only ones read from the kernel (by key).</summary>
    public IReadOnlyList<IpvsServiceKey> Keys { get; } = Array.Empty<IpvsServiceKey>();

    /// <summary>The desired state of the touched Services only (their virtual servers; sets, addresses and rules are unchanged).</summary>
    internal KubeDesiredState? Desired { get; }

    internal KubeIpvsSyncedState? Synced { get; }

    internal IReadOnlyList<KeyValuePair<(string Namespace, string Name), KubeService?>> NewServices { get; } = Array.Empty<KeyValuePair<(string, string), KubeService?>>();

    internal IReadOnlyList<KeyValuePair<(string Namespace, string Name), KubeEndpointSlice?>> NewSlices { get; } = Array.Empty<KeyValuePair<(string, string), KubeEndpointSlice?>>();

    /// <summary>
    /// The writes that bring the touched virtual servers to their desired state, given what the kernel holds
    /// for <see cref="Keys"/> (<paramref name="actual"/>: the virtual servers found, with their real servers
    /// and connection counts). Only IPVS writes: a partial step leaves sets, kube-ipvs0 and iptables alone.
    /// </summary>
    public KubeIpvsPlan Plan(IReadOnlyList<IpvsService> actual)
    {
        ArgumentNullException.ThrowIfNull(actual);
        if (Desired is null || Synced is null) throw new InvalidOperationException("A full sync step has no partial plan: " + FullSyncReason);
        var keys = new HashSet<IpvsServiceKey>(Keys);
        var outside = actual.FirstOrDefault(s => !keys.Contains(s.Key));
        if (outside is not null) throw new ArgumentException($"Virtual server {outside.Key.DisplayName} is not one the step reads.", nameof(actual));
        var desired = new KubeDesiredState(Synced.Families, Desired.VirtualServers, Array.Empty<System.Net.IPAddress>(), Array.Empty<KubeDesiredIpset>(),
            Array.Empty<KubeSkippedService>(), Synced.ClusterAddresses, Array.Empty<KubeIptablesRules>());
        // kube-ipvs0 exists and nothing of it, of the sets or of iptables is compared (not read: no writes).
        var node = new KubeNodeActualState(actual, null, dummyLinkExists: true, null, iptables: null);
        return KubeIpvsPlanner.Plan(desired, node, Synced.Options);
    }

    /// <summary>"partial: Services shop/web (EndpointSlice shop/web-1), 1 virtual server by key" or "full: reason".</summary>
    public override string ToString()
        => IsPartial
            ? $"partial sync of {Services.Count} Service(s) ({Changes}), {Keys.Count} virtual server(s) read by key"
            : $"full sync: {FullSyncReason}";
}
