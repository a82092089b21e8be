using System;
using System.Management.Automation;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Commands;

/// <summary>
/// Sync-KubeIpvs: brings the node to what kube-proxy's IPVS mode would program for a cluster snapshot or
/// the live cluster (kube-ipvs0, KUBE-* sets, IPVS, iptables), writing only what differs, in a safe order,
/// with graceful termination; one change record per kernel write. Refuses while kube-proxy runs in the
/// namespace (-Force overrides) or while another sync holds the namespace's lock.
/// </summary>
[Cmdlet(VerbsData.Sync, "KubeIpvs", DefaultParameterSetName = LiveSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(KubeIpvsChange))]
public sealed class SyncKubeIpvsCommand : KubeClusterCmdlet
{
    /// <summary>Sync even though kube-proxy runs in the namespace (it will undo the sync within 30 s, and the sync undoes it).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>
    /// Wait up to this long (a TimeSpan, or seconds) for real servers set to weight 0 to lose their
    /// connections, re-planning every second, and remove them as they do. Omitted: a later sync removes them.
    /// </summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>kube-proxy's strictARP: set net.ipv4.conf.all.arp_ignore=1 and arp_announce=2 in the namespace.</summary>
    [Parameter]
    public SwitchParameter StrictArp { get; set; }

    /// <summary>kube-proxy's --ipvs-tcp-timeout: the IPVS timeout of idle TCP connections (a TimeSpan, or seconds). Omitted or 0: left as it is.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? IpvsTcpTimeout { get; set; }

    /// <summary>kube-proxy's --ipvs-tcpfin-timeout: the IPVS timeout of TCP connections after a FIN. Omitted or 0: left as it is.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? IpvsTcpFinTimeout { get; set; }

    /// <summary>kube-proxy's --ipvs-udp-timeout: the IPVS timeout of UDP flows. Omitted or 0: left as it is.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? IpvsUdpTimeout { get; set; }

    /// <summary>Keep following the live cluster and sync on each change until stopped (Ctrl+C).</summary>
    [Parameter(ParameterSetName = LiveSet)]
    public SwitchParameter Watch { get; set; }

    /// <summary>
    /// With -Watch: the longest time between full syncs (kube-proxy's --ipvs-sync-period, a TimeSpan or
    /// seconds; default 30 s). Between them, an event that changes only Services and EndpointSlices is synced
    /// partially: only the changed Services' virtual servers are read (by key) and written. 0: every event is
    /// a full sync.
    /// </summary>
    [Parameter(ParameterSetName = LiveSet)]
    [SecondsTransformation]
    public TimeSpan? FullSyncInterval { get; set; }

    /// <summary>kube-proxy's default --ipvs-sync-period.</summary>
    private static readonly TimeSpan DefaultFullSyncInterval = TimeSpan.FromSeconds(30);

    protected override void ProcessRecord()
    {
        if (DrainTimeout is { } t && t < TimeSpan.Zero)
        {
            WriteError(ErrorFor("-DrainTimeout must not be negative.", "InvalidDrainTimeout", ErrorCategory.InvalidArgument, t));
            return;
        }
        if (FullSyncInterval is { } f && f < TimeSpan.Zero)
        {
            WriteError(ErrorFor("-FullSyncInterval must not be negative.", "InvalidFullSyncInterval", ErrorCategory.InvalidArgument, f));
            return;
        }
        if (FullSyncInterval is { } interval && !Watch)
        {
            WriteError(ErrorFor("-FullSyncInterval applies only with -Watch (without it, Sync-KubeIpvs makes one full sync and returns).",
                "FullSyncIntervalWithoutWatch", ErrorCategory.InvalidArgument, interval));
            return;
        }
        foreach (var (name, value) in new[] { ("IpvsTcpTimeout", IpvsTcpTimeout), ("IpvsTcpFinTimeout", IpvsTcpFinTimeout), ("IpvsUdpTimeout", IpvsUdpTimeout) })
        {
            if (value is { } v && (v < TimeSpan.Zero || v.TotalSeconds > uint.MaxValue))
            {
                WriteError(ErrorFor($"-{name} must be between 0 and {uint.MaxValue} seconds.", "InvalidTimeout", ErrorCategory.InvalidArgument, v));
                return;
            }
        }
        if (CheckInput() is not { } input) return;
        var ns = ResolveNetworkNamespace();
        var writer = new KubeNodeWriter(this, ErrorIdPrefix, ns, NetworkNamespace);
        writer.RefuseNextToKubeProxy(Force, "syncs");
        using var nodeLock = writer.Lock();

        var strictArp = Given(nameof(StrictArp)) ? StrictArp.IsPresent : ConfigFile?.StrictArp ?? false;
        string kernel;
        try
        {
            kernel = KubeProxyConnReuseMode.KernelRelease();
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
        {
            ThrowTerminatingError(ErrorFor(new IpvsToolsException("The kernel release cannot be read from /proc/sys/kernel/osrelease: " + ex.Message, FailureKind.Other, ex), NetworkNamespace));
            return;
        }
        var sysctls = string.Join(", ", KubeProxySysctls.Describe(strictArp, kernel));
        if (ShouldProcess(sysctls, "Set kube-proxy's sysctls"))
        {
            try
            {
                foreach (var change in KubeProxySysctls.Apply(ns, strictArp, kernel)) WriteVerbose("Set " + change);
            }
            catch (IpvsToolsException ex)
            {
                ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            }
        }
        SetIpvsTimeouts(ns);

        if (!Watch)
        {
            // The node's kernel tables and iptables-save are read while the cluster is (KubeNodePrefetch); the lock is held already.
            using var prefetch = KubeNodePrefetch.Start(ns, IptablesBackend);
            if (ReadCluster(input.Paths) is { } snapshot) SyncOnce(writer, snapshot, input.Options, ns, prefetch);
            return;
        }
        try
        {
            var follower = new KubeIpvsWatchSync(input.Options, ns, FullSyncInterval ?? DefaultFullSyncInterval);
            foreach (var snapshot in ClusterSources.WatchLive(Kubeconfig, Context, NodeName, Cancellation))
            {
                var preparing = System.Diagnostics.Stopwatch.StartNew();
                var step = follower.Next(snapshot, DateTime.UtcNow);
                if (step.IsPartial && SyncPartially(writer, follower, step, preparing.Elapsed)) continue;
                var started = DateTime.UtcNow;
                WriteVerbose($"{DateTime.Now:HH:mm:ss} {snapshot}: {(step.IsPartial ? "full sync: the partial one failed" : step.ToString())}"
                    + (step.Changes is { Relisted: false } c ? $" (changed: {c})." : "."));
                var desired = SyncOnce(writer, snapshot, input.Options, ns);
                if (desired is null) follower.Forget();
                else follower.FullSynced(snapshot, desired, started);
                WriteVerbose(string.Format(System.Globalization.CultureInfo.InvariantCulture, "Full sync done in {0:F1} ms.", (DateTime.UtcNow - started).TotalMilliseconds));
            }
        }
        catch (ClusterSourceException ex)
        {
            ThrowTerminatingError(ClusterError(ex));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C: the last sync finished or stopped between writes.
        }
    }

    /// <summary>
    /// A partial sync of the Services <paramref name="step"/> touches; false when it failed (a read or a write:
    /// the caller then syncs fully) or was not applied.
    /// </summary>
    private bool SyncPartially(KubeNodeWriter writer, KubeIpvsWatchSync follower, KubeIpvsPartialStep step, TimeSpan prepared)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        KubeIpvsApplyException? failed = null;
        var writes = 0;
        KubeIpvsDrainResult result;
        try
        {
            result = KubeIpvsDrain.SyncAndDrain(
                () => follower.Plan(step),
                plan =>
                {
                    writes += plan.Operations.Count;
                    WriteVerbose($"{DateTime.Now:HH:mm:ss} {step}: {plan.Operations.Count} write(s)" + (plan.IsEmpty ? "." : ": " + string.Join("; ", plan.Operations)));
                    foreach (var d in plan.Draining) WriteVerbose("Draining (weight 0, removed once its connections end): " + d);
                    return writer.Apply(plan, IptablesBackend, "Sync-KubeIpvs", Cancellation, ex => failed = ex);
                },
                DrainTimeout,
                (draining, left) => WriteProgress(new ProgressRecord(2, "Sync-KubeIpvs", $"Waiting for {draining} draining real server(s)") { SecondsRemaining = (int)left.TotalSeconds }),
                Cancellation);
        }
        catch (IpvsToolsException ex)
        {
            WriteWarning($"The partial sync could not read the node ({ex.Message}): a full sync follows.");
            follower.Forget();
            return false;
        }
        if (failed is not null)
        {
            WriteWarning($"The partial sync's write failed ({failed.Message}): a full sync follows.");
            follower.Forget();
            return false;
        }
        if (result.Outcome == KubeIpvsDrainOutcome.NotApplied)
        {
            follower.Forget(); // declined: the node is not what was planned
            return true;
        }
        follower.PartialSynced(step);
        WriteVerbose(string.Format(System.Globalization.CultureInfo.InvariantCulture, "Partial sync done in {0:F1} ms ({1} write(s); the read by key took {2:F1} ms; deciding what the event touches took {3:F1} ms before).",
            watch.Elapsed.TotalMilliseconds, writes, follower.LastReadTime.TotalMilliseconds, prepared.TotalMilliseconds));
        if (result.Outcome == KubeIpvsDrainOutcome.StillDraining)
            WriteWarning($"{result.Draining} real server(s) still draining after {DrainTimeout}: {string.Join("; ", result.LastPlan.Draining)}. A later sync removes them once their connections end.");
        return true;
    }

    /// <summary>A full sync; the desired state it brought the node to, or null when it was not applied.</summary>
    private KubeDesiredState? SyncOnce(KubeNodeWriter writer, ClusterSnapshot snapshot, KubeProxyOptions options, IpvsTools.Namespaces.NetworkNamespace? ns, KubeNodePrefetch? prefetch = null)
    {
        KubeDesiredState? desired = null;
        var result = KubeIpvsDrain.SyncAndDrain(
            () =>
            {
                var planning = PlanNode(snapshot, options, ns, prefetch);
                desired ??= planning.Desired;
                return planning.Plan;
            },
            plan =>
            {
                if (plan.IsEmpty) WriteVerbose("The node is up to date: nothing to write.");
                return writer.Apply(plan, IptablesBackend, "Sync-KubeIpvs", Cancellation);
            },
            DrainTimeout,
            (draining, left) => WriteProgress(new ProgressRecord(2, "Sync-KubeIpvs", $"Waiting for {draining} draining real server(s)") { SecondsRemaining = (int)left.TotalSeconds }),
            Cancellation);
        if (result.Outcome == KubeIpvsDrainOutcome.StillDraining)
            WriteWarning($"{result.Draining} real server(s) still draining after {DrainTimeout}: {string.Join("; ", result.LastPlan.Draining)}. A later sync removes them once their connections end.");
        return result.Outcome == KubeIpvsDrainOutcome.NotApplied ? null : desired;
    }

    /// <summary>
    /// kube-proxy's --ipvs-tcp-timeout, --ipvs-tcpfin-timeout and --ipvs-udp-timeout (or the -Config file's
    /// ipvs timeouts): set when any is above 0, a 0 leaving that timeout as it is, as kube-proxy does at start.
    /// </summary>
    private void SetIpvsTimeouts(IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        static uint Seconds(TimeSpan? t) => t is { } v ? (uint)v.TotalSeconds : 0u;
        var tcp = Seconds(Given(nameof(IpvsTcpTimeout)) ? IpvsTcpTimeout : ConfigFile?.TcpTimeout);
        var fin = Seconds(Given(nameof(IpvsTcpFinTimeout)) ? IpvsTcpFinTimeout : ConfigFile?.TcpFinTimeout);
        var udp = Seconds(Given(nameof(IpvsUdpTimeout)) ? IpvsUdpTimeout : ConfigFile?.UdpTimeout);
        if (tcp == 0 && fin == 0 && udp == 0) return;
        var timeouts = new IpvsTimeouts(tcp, fin, udp);
        if (!ShouldProcess($"IPVS timeouts tcp {tcp} tcpfin {fin} udp {udp} (0: unchanged)", "Set kube-proxy's IPVS timeouts")) return;
        try
        {
            using var ipvs = IpvsClient.Open(ns);
            ipvs.SetTimeouts(timeouts);
            WriteVerbose("Set the IPVS timeouts: " + ipvs.GetTimeouts());
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
        }
    }
}
