using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;

namespace IpvsTools.Commands;

/// <summary>
/// Get-KubeIpvsPlan: what Sync would write. Reads a cluster (snapshot files or the API), builds the
/// node state kube-proxy's IPVS mode would program, reads the node, and writes one object per kernel
/// write, in the order they must be made. Reads only: nothing is changed.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeIpvsPlan", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(KubeIpvsOperation))]
public sealed class GetKubeIpvsPlanCommand : IpvsToolsCmdlet
{
    private const string LiveSet = "Live";
    private const string PathSet = "Path";

    /// <summary>Schedulers the kernel ships (ip_vs_*.ko).</summary>
    internal static readonly string[] Schedulers = { "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos" };

    private readonly CancellationTokenSource _stop = new();

    /// <summary>Snapshot files: what `kubectl get svc,endpointslices -A -o yaml` (or -o json) prints; wildcards allowed.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FullName")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>The kubeconfig file. Omitted: the in-cluster service account in a pod, else $KUBECONFIG or ~/.kube/config.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context. Omitted: its current context.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    /// <summary>The node's name in the cluster (kube-proxy's --hostname-override): endpoints on it are local. Omitted: the host name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string NodeName { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>The IPVS scheduler (kube-proxy's --ipvs-scheduler). Default rr.</summary>
    [Parameter]
    [ValidateSet("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos")]
    public string Scheduler { get; set; } = "rr";

    /// <summary>The node's addresses for NodePorts. Omitted: every address of the node except kube-ipvs0's, read from the kernel.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? NodeAddress { get; set; }

    /// <summary>kube-proxy's --nodeport-addresses: CIDRs that narrow the NodePort addresses.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? NodePortAddress { get; set; }

    /// <summary>kube-proxy's --ipvs-exclude-cidrs: virtual servers at these addresses are never touched.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludeCidr { get; set; }

    /// <summary>kube-proxy's --cluster-cidr (one per family): traffic from elsewhere to ClusterIPs is masqueraded.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ClusterCidr { get; set; }

    /// <summary>kube-proxy's --masquerade-all: masquerade all traffic to ClusterIPs.</summary>
    [Parameter]
    public SwitchParameter MasqueradeAll { get; set; }

    /// <summary>Plan the removal of virtual servers that are not the cluster's too (kube-proxy removes them).</summary>
    [Parameter]
    public SwitchParameter IncludeForeign { get; set; }

    /// <summary>The iptables backend to read: NfTables or Legacy. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? IptablesBackend { get; set; }

    protected override void ProcessRecord()
    {
        // Everything the caller wrote is checked before the cluster or the kernel is read.
        var options = Options();
        if (options is null) return;
        var paths = ResolvePaths();
        if (ParameterSetName == PathSet && paths is null) return;

        var ns = ResolveNetworkNamespace();
        ClusterSnapshot snapshot;
        try
        {
            snapshot = paths is not null
                ? ClusterSources.ReadSnapshot(paths)
                : ClusterSources.ReadLive(Kubeconfig, Context, NodeName, _stop.Token);
        }
        catch (ClusterSourceException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, (object?)ex.SourceName ?? Kubeconfig, "Cluster" + Condition(ex.Kind)));
            return;
        }
        catch (OperationCanceledException)
        {
            return;
        }

        KubeIpvsPlanning planning;
        try
        {
            planning = KubeIpvsPlanning.Run(snapshot, options, ns, IncludeForeign, IptablesBackend);
        }
        catch (IptablesToolMissingException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, NetworkNamespace));
            return;
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            return;
        }

        if (snapshot.FindNode(NodeName) is null)
            WriteVerbose($"The cluster source has no Node '{NodeName}': no zone for topology hints, and the node IP comes from the node's addresses.");
        foreach (var s in planning.Desired.Skipped) WriteVerbose("Skipped " + s);
        foreach (var key in planning.Plan.Foreign) WriteVerbose("Left alone (not the cluster's): " + key);
        foreach (var d in planning.Plan.Draining) WriteVerbose("Draining (weight 0, removed once its connections end): " + d);
        WriteVerbose($"{planning.Plan.Operations.Count} writes for {planning.Desired.VirtualServers.Count} virtual servers of {snapshot}.");
        foreach (var operation in planning.Plan.Operations) WriteObject(operation);
    }

    protected override void StopProcessing() => _stop.Cancel();

    private KubeProxyOptions? Options()
    {
        var cidrs = new List<IpNetwork>[3];
        var named = new[] { ("NodePortAddress", NodePortAddress), ("ExcludeCidr", ExcludeCidr), ("ClusterCidr", ClusterCidr) };
        for (var i = 0; i < named.Length; i++)
        {
            cidrs[i] = new List<IpNetwork>();
            foreach (var text in named[i].Item2 ?? Array.Empty<string>())
            {
                if (!IpNetwork.TryParse(text, out var net) || !text.Contains('/'))
                {
                    WriteError(ErrorFor($"-{named[i].Item1}: '{text}' is not a CIDR such as 10.96.0.0/12 or fd00::/108.", "InvalidCidr", ErrorCategory.InvalidArgument, text));
                    return null;
                }
                cidrs[i].Add(net!);
            }
        }
        return new KubeProxyOptions
        {
            Scheduler = Scheduler,
            NodeName = NodeName,
            NodeAddresses = NodeAddress ?? Array.Empty<IPAddress>(),
            NodePortAddresses = cidrs[0],
            ExcludeCidrs = cidrs[1],
            ClusterCidrs = cidrs[2],
            MasqueradeAll = MasqueradeAll,
        };
    }

    private List<string>? ResolvePaths()
    {
        if (Path is null) return null;
        var resolved = new List<string>();
        foreach (var p in Path)
        {
            try
            {
                var found = SessionState.Path.GetResolvedProviderPathFromPSPath(p, out var provider);
                if (provider.Name != "FileSystem")
                {
                    WriteError(ErrorFor($"'{p}' is not a file ({provider.Name} provider).", "SnapshotNotFound", ErrorCategory.InvalidArgument, p));
                    return null;
                }
                resolved.AddRange(found);
            }
            catch (ItemNotFoundException)
            {
                WriteError(ErrorFor($"The snapshot file '{p}' does not exist. Write one with: kubectl get svc,endpointslices -A -o yaml > cluster.yaml", "SnapshotNotFound", ErrorCategory.ObjectNotFound, p));
                return null;
            }
        }
        return resolved;
    }
}
