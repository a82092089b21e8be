using System.Management.Automation;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Commands;

/// <summary>
/// Compare-KubeIpvs: how the node differs from what kube-proxy's IPVS mode would program for a cluster
/// snapshot or the live cluster: one object per differing item (Layer, Kind, Key, Expected, Actual, Action),
/// foreign virtual servers as their own kind; an up-to-date node writes nothing. Reads only.
/// </summary>
[Cmdlet(VerbsData.Compare, "KubeIpvs", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(KubeIpvsDifference))]
public sealed class CompareKubeIpvsCommand : KubeClusterCmdlet
{
    protected override void ProcessRecord()
    {
        if (CheckInput() is not { } input) return;
        var ns = ResolveNetworkNamespace();
        // The node's kernel tables and iptables-save are read while the cluster is (KubeNodePrefetch).
        using var prefetch = KubeNodePrefetch.Start(ns, IptablesBackend);
        if (ReadCluster(input.Paths) is not { } snapshot) return;
        var planning = PlanNode(snapshot, input.Options, ns, prefetch);
        foreach (var difference in KubeIpvsComparison.Compare(planning.Desired, planning.Actual, planning.Plan, NetworkNamespace))
            WriteObject(difference);
    }
}
