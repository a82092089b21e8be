using System.Management.Automation;
using IpvsTools.Sync;

namespace IpvsTools.Commands;

/// <summary>
/// Get-KubeIpvsPlan: what Sync would write. Reads a cluster (snapshot files or the API), builds the
/// node state kube-proxy's IPVS mode would program, reads the node, and writes one object per kernel
/// write, in the order they must be made. Reads only: nothing is changed.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeIpvsPlan", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(KubeIpvsOperation))]
public sealed class GetKubeIpvsPlanCommand : KubeClusterCmdlet
{
    protected override void ProcessRecord()
    {
        // Everything the caller wrote is checked before the cluster or the kernel is read.
        if (CheckInput() is not { } input) return;
        var ns = ResolveNetworkNamespace();
        // The node's kernel tables and iptables-save are read while the cluster is (KubeNodePrefetch).
        using var prefetch = KubeNodePrefetch.Start(ns, IptablesBackend);
        if (ReadCluster(input.Paths) is not { } snapshot) return;
        var planning = PlanNode(snapshot, input.Options, ns, prefetch);
        foreach (var operation in planning.Plan.Operations) WriteObject(operation);
    }
}
