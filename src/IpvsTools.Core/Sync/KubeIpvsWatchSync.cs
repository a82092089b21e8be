using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Sync;

/// <summary>
/// The sync loop of a watch, as kube-proxy's nftables mode runs it: after a full sync, each event whose
/// changes <see cref="KubeIpvsPartialPlanner"/> can take is synced partially (the touched virtual servers
/// read by key and compared); anything else, and every <see cref="FullSyncInterval"/> (kube-proxy's
/// --ipvs-sync-period), is a full sync. The caller runs the full sync (as without a watch) and reports
/// it with <see cref="FullSynced"/>; a partial sync it applied with <see cref="PartialSynced"/>; one that failed
/// or was not applied with <see cref="Forget"/> (the next event is then a full sync).
/// </summary>
public sealed class KubeIpvsWatchSync
{
    private KubeIpvsSyncedState? _synced;

    /// <summary>A watch's sync loop.</summary>
    /// <param name="options">kube-proxy's options (without node addresses: they are read from the node).</param>
    /// <param name="ns">The node's network namespace (null: this process's).</param>
    /// <param name="fullSyncInterval">At least this long between full syncs; zero: every event is a full sync.</param>
    /// <param name="maxServices">More Services touched by one event: a full sync.</param>
    public KubeIpvsWatchSync(KubeProxyOptions options, NetworkNamespace? ns, TimeSpan fullSyncInterval, int maxServices = KubeIpvsPartialPlanner.DefaultMaxServices)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (fullSyncInterval < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(fullSyncInterval), "The full sync interval must not be negative.");
        Options = options;
        Namespace = ns;
        FullSyncInterval = fullSyncInterval;
        MaxServices = maxServices;
    }

    /// <summary>kube-proxy's options.</summary>
    public KubeProxyOptions Options { get; }

    /// <summary>The node's network namespace.</summary>
    public NetworkNamespace? Namespace { get; }

    /// <summary>The longest time between full syncs.</summary>
    public TimeSpan FullSyncInterval { get; }

    /// <summary>The most Services an event may touch and be synced partially.</summary>
    public int MaxServices { get; }

    /// <summary>How long the last <see cref="Plan"/> took to read the kernel by key.</summary>
    public TimeSpan LastReadTime { get; private set; }

    /// <summary>What to do for <paramref name="snapshot"/>, at <paramref name="now"/> (UTC).</summary>
    public KubeIpvsPartialStep Next(ClusterSnapshot snapshot, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (_synced is not { } synced) return KubeIpvsPartialStep.Full("no full sync yet", snapshot.Changes);
        if (FullSyncInterval == TimeSpan.Zero) return KubeIpvsPartialStep.Full("every event is a full sync (interval 0)", snapshot.Changes);
        if (now - synced.FullSyncAt >= FullSyncInterval) return KubeIpvsPartialStep.Full($"the periodic full sync (every {FullSyncInterval.TotalSeconds:0.###} s)", snapshot.Changes);
        if (synced.NodeAddressesRead && !KubeNodeReader.LocalAddresses(Namespace).ToHashSet().SetEquals(synced.Options.NodeAddresses))
            return KubeIpvsPartialStep.Full("the node's addresses changed", snapshot.Changes);
        return KubeIpvsPartialPlanner.Prepare(synced, snapshot, MaxServices);
    }

    /// <summary>The partial step's writes: its virtual servers read from the kernel by key (each with its real servers), then planned.</summary>
    public KubeIpvsPlan Plan(KubeIpvsPartialStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var watch = Stopwatch.StartNew();
        var found = new List<IpvsService>(step.Keys.Count);
        using (var ipvs = IpvsClient.Open(Namespace))
        {
            foreach (var key in step.Keys)
            {
                if (ipvs.GetService(key, includeDestinations: true) is { } s) found.Add(s);
            }
        }
        LastReadTime = watch.Elapsed;
        return step.Plan(found);
    }

    /// <summary>A full sync of <paramref name="snapshot"/> to <paramref name="desired"/> was applied at <paramref name="now"/>.</summary>
    public void FullSynced(ClusterSnapshot snapshot, KubeDesiredState desired, DateTime now)
    {
        var options = KubeNodeReader.WithNodeAddresses(Options, Namespace);
        _synced = KubeIpvsSyncedState.After(snapshot, desired, options, Options.NodeAddresses.Count == 0, now);
    }

    /// <summary>A partial step was applied: the next events compare with it.</summary>
    public void PartialSynced(KubeIpvsPartialStep step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (!step.IsPartial || step.Synced is null) throw new ArgumentException("Not a partial step.", nameof(step));
        if (!ReferenceEquals(step.Synced, _synced)) throw new InvalidOperationException("The step was prepared against another synced state.");
        _synced.Commit(step);
    }

    /// <summary>What the node holds is not known any more (a write failed, a sync was declined): the next event is a full sync.</summary>
    public void Forget() => _synced = null;
}
