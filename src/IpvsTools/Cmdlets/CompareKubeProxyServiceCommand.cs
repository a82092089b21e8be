using System;
using System.Management.Automation;
using System.Net;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.AnyMode;

namespace IpvsTools.Commands;

/// <summary>
/// Compare-KubeProxyService: how the Service front ends on the node, in any kube-proxy mode, differ from the ones
/// kube-proxy in that mode would program for a cluster snapshot or the live cluster. One object per difference
/// (Missing, Unexpected, Endpoints, Affinity, Kind); an up-to-date node writes nothing. Reads only.
/// </summary>
[Cmdlet(VerbsData.Compare, "KubeProxyService", DefaultParameterSetName = LiveSet)]
[OutputType(typeof(KubeProxyServiceDifference), typeof(bool))]
public sealed class CompareKubeProxyServiceCommand : KubeProxyModeCmdlet
{
    /// <summary>The node's addresses for IPVS mode's NodePort virtual servers. Omitted: every address of the node except kube-ipvs0's, read from the kernel.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? NodeAddress { get; set; }

    /// <summary>kube-proxy's --nodeport-addresses: CIDRs that narrow IPVS mode's NodePort addresses.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? NodePortAddress { get; set; }

    /// <summary>Also write an Equal object for each front end that matches (one object per front end then, for a report or a test per front end).</summary>
    [Parameter]
    public SwitchParameter IncludeEqual { get; set; }

    /// <summary>Detailed (default): the differences. Quiet: only $true when there is none, else $false.</summary>
    [Parameter]
    [ValidateSet("Quiet", "Detailed")]
    public string InformationLevel { get; set; } = "Detailed";

    protected override void ProcessRecord()
    {
        var cidrs = KubeClusterCmdlet.ParseCidrs(this, ErrorIdPrefix, "NodePortAddress", NodePortAddress);
        if (cidrs is null) return;
        var paths = ResolveSnapshotPaths(out var pathError);
        if (pathError is not null)
        {
            WriteError(pathError);
            return;
        }
        var ns = ResolveNetworkNamespace();
        if (ResolveMode(ns) is not { } mode) return;
        if (ReadCluster(paths) is not { } snapshot) return;
        var options = new KubeProxyOptions { NodeName = NodeName, NodeAddresses = NodeAddress ?? Array.Empty<IPAddress>(), NodePortAddresses = cidrs };
        var quiet = InformationLevel == "Quiet";
        var comparison = ReadDataPlane(mode, () => KubeProxyNodeComparison.Run(snapshot, options, mode, ns, Backend, IncludeEqual && !quiet));
        if (comparison is null) return;
        WriteVerbose($"{mode} mode: {comparison.Expected.Count} front ends expected for {snapshot}, {comparison.Actual.Count} on the node.");
        if (quiet)
        {
            WriteObject(comparison.Differences.Count == 0);
            return;
        }
        foreach (var difference in comparison.Differences) WriteObject(difference);
    }
}
