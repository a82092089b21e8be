using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.AnyMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// What the cmdlets that read kube-proxy's data plane in any mode share (Get-KubeProxyService,
/// Compare-KubeProxyService): -Mode with its detection, -Backend, the cluster source's parameters (-Path, or
/// -Kubeconfig and -Context, and -NodeName), and the errors of reading a mode's data plane.
/// </summary>
public abstract class KubeProxyModeCmdlet : ClusterSourceCmdlet
{
    /// <summary>The parameter set of the live API.</summary>
    protected const string LiveSet = "Live";

    /// <summary>The parameter set of snapshot files.</summary>
    protected const string PathSet = "Path";

    /// <summary>The data plane to read; Auto finds the one on the node (nftables, then IPVS, then iptables).</summary>
    [Parameter]
    [ValidateSet("Auto", "Ipvs", "Iptables", "Nftables")]
    public string Mode { get; set; } = "Auto";

    /// <summary>iptables mode: the backend's tools to read with. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? Backend { get; set; }

    /// <summary>Cluster snapshot files: what `kubectl get svc,endpointslices -A -o yaml` (or -o json) prints; wildcards allowed.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>The kubeconfig file of the live API. Omitted (with -Context): the in-cluster service account, else $KUBECONFIG or ~/.kube/config.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context. Omitted: its current context.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    /// <summary>The node's name in the cluster (kube-proxy's --hostname-override): endpoints on it are local. Omitted: the host name.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string NodeName { get; set; } = Environment.MachineName.ToLowerInvariant();

    private protected override ClusterSourceParameters Source => new(Path, Kubeconfig, Context, NodeName);

    /// <summary>Whether a cluster source was given (-Path, -Kubeconfig or -Context).</summary>
    protected bool HasClusterSource => ParameterSetName is PathSet or LiveSet;

    /// <summary>The mode -Mode names, or the one found on the node for Auto (with its warnings); null after writing the error.</summary>
    protected KubeProxyMode? ResolveMode(NetworkNamespace? ns)
    {
        if (!Mode.Equals("Auto", StringComparison.OrdinalIgnoreCase)) return Enum.Parse<KubeProxyMode>(Mode, ignoreCase: true);
        KubeProxyModeDetection detection;
        try
        {
            detection = KubeProxyModeDetector.Detect(ns, Backend);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace ?? ""));
            return null;
        }
        foreach (var warning in detection.Warnings) WriteWarning(warning);
        if (detection.Mode is not { } found)
        {
            var where = ns is null ? "" : $" in network namespace '{ns.DisplayName}'";
            WriteError(new ErrorRecord(new ItemNotFoundException(
                    $"No kube-proxy data plane was found{where}: no nftables table kube-proxy, no kube-ipvs0 or KUBE-CLUSTER-IP ipset, no KUBE-SVC-/KUBE-SEP- chains in the nat table. Is kube-proxy running on this node (and is this its network namespace)? Name a mode with -Mode to read it anyway."),
                ErrorIdPrefix + "ModeNotFound", ErrorCategory.ObjectNotFound, NetworkNamespace ?? ""));
            return null;
        }
        if (detection.Modes.Count > 1)
            WriteWarning($"Reading {found} mode; state of {string.Join(" and ", detection.Modes.Skip(1))} mode is on the node too (left over from an earlier mode, or another program's). Read it with -Mode.");
        return found;
    }

    /// <summary>Runs a read of the data plane in <paramref name="mode"/>; a missing tool or a fatal failure is terminating, another failure an error (null).</summary>
    protected T? ReadDataPlane<T>(KubeProxyMode mode, Func<T> read) where T : class
    {
        try
        {
            return read();
        }
        catch (IptablesToolMissingException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, mode));
            return null;
        }
        catch (IpvsToolsException ex)
        {
            var record = ex.Kind == FailureKind.NotFound && ex.Message.Contains("nft tool", StringComparison.Ordinal)
                ? new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, mode)
                : ErrorFor(ex, mode);
            if (IsFatal(ex)) ThrowTerminatingError(record);
            WriteError(record);
            return null;
        }
    }
}
