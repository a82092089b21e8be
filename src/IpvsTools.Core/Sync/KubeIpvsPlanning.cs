using System;
using System.Diagnostics;
using System.Threading.Tasks;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Sync;

/// <summary>One planning run: the desired state for a snapshot, the node read fresh, and the plan between them.</summary>
public sealed class KubeIpvsPlanning
{
    private KubeIpvsPlanning(KubeDesiredState desired, KubeNodeActualState actual, KubeIpvsPlan plan, TimeSpan building, TimeSpan reading, TimeSpan planning)
    {
        Desired = desired;
        Actual = actual;
        Plan = plan;
        BuildTime = building;
        ReadTime = reading;
        PlanTime = planning;
    }

    /// <summary>How long building the desired state from the cluster took.</summary>
    public TimeSpan BuildTime { get; }

    /// <summary>How long reading the node (IPVS table, ipsets, iptables, kube-ipvs0) took, from the start: it overlaps the build.</summary>
    public TimeSpan ReadTime { get; }

    /// <summary>How long comparing the two into writes took.</summary>
    public TimeSpan PlanTime { get; }

    /// <summary>What kube-proxy would program.</summary>
    public KubeDesiredState Desired { get; }

    /// <summary>What the node holds.</summary>
    public KubeNodeActualState Actual { get; }

    /// <summary>The writes between them.</summary>
    public KubeIpvsPlan Plan { get; }

    /// <summary>
    /// Plans a node: its addresses are read from the kernel unless <paramref name="options"/> gives
    /// NodeAddresses, then the desired state is built, the node read, and the plan made.
    /// </summary>
    public static KubeIpvsPlanning Run(ClusterSnapshot snapshot, KubeProxyOptions options, NetworkNamespace? ns, bool includeForeign = false, IptablesBackend? backend = null)
        => Run(snapshot, options, ns, includeForeign, backend, prefetch: null);

    /// <summary>
    /// As <see cref="Run(ClusterSnapshot, KubeProxyOptions, NetworkNamespace?, bool, IptablesBackend?)"/>, with the
    /// node's kernel tables from <paramref name="prefetch"/> when it has them for this namespace (started before
    /// the cluster was read), else read now.
    /// </summary>
    public static KubeIpvsPlanning Run(ClusterSnapshot snapshot, KubeProxyOptions options, NetworkNamespace? ns, bool includeForeign, IptablesBackend? backend, KubeNodePrefetch? prefetch)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(options);
        options = KubeNodeReader.WithNodeAddresses(options, ns);
        // The kernel tables are read on another thread while the desired state is built (the IPVS listing is
        // mostly the kernel's time, the build only ours); without a prefetch, iptables-save runs once the build
        // has said which families it needs.
        var watch = Stopwatch.StartNew();
        var tables = prefetch?.Take(ns) ?? Task.Run(() => KubeNodeReader.ReadTables(ns));
        var prefetchedIptables = prefetch?.TakeIptables(ns, backend); // both families, read while the cluster was
        KubeDesiredState desired;
        try
        {
            desired = KubeProxyState.Build(snapshot, options);
        }
        catch
        {
            try { tables.Wait(); } catch (AggregateException) { } // the build's failure is the one to report
            try { prefetchedIptables?.Wait(); } catch (AggregateException) { }
            throw;
        }
        var building = watch.Elapsed;
        var iptables = prefetchedIptables is null
            ? KubeNodeReader.ReadIptables(ns, desired.Families, backend)
            : prefetchedIptables.GetAwaiter().GetResult().For(desired.Families, ns, backend);
        var actual = tables.GetAwaiter().GetResult().With(iptables);
        var reading = watch.Elapsed;
        var plan = KubeIpvsPlanner.Plan(desired, actual, options, includeForeign);
        return new KubeIpvsPlanning(desired, actual, plan, building, reading, watch.Elapsed - reading);
    }
}
