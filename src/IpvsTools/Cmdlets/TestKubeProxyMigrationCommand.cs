using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.Migration;

namespace IpvsTools.Commands;

/// <summary>
/// Test-KubeProxyMigration: a node's go/no-go for moving kube-proxy off IPVS mode to nftables (or iptables) mode. One
/// finding per check and target (Check, Status Pass/Warning/Blocker, Target, Detail, Remedy with the command), before
/// the switch (kernel and nft, foreign virtual servers the cleanup flushes, IPVS-only behaviour that changes) and after
/// it (what IPVS mode left behind). With a cluster source (-Path, or -Kubeconfig/-Context), the Services each finding
/// affects. -InformationLevel Quiet: $true when no finding is a Blocker.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "KubeProxyMigration", DefaultParameterSetName = NodeSet)]
[OutputType(typeof(MigrationFinding), typeof(bool))]
public sealed class TestKubeProxyMigrationCommand : ClusterSourceCmdlet
{
    private const string NodeSet = "Node";
    private const string PathSet = "Path";
    private const string LiveSet = "Live";

    /// <summary>The mode kube-proxy is to run in after the switch: Nftables (the default) or Iptables.</summary>
    [Parameter(Position = 0)]
    [ValidateSet("Nftables", "Iptables")]
    public string TargetMode { get; set; } = "Nftables";

    /// <summary>Cluster snapshot files (kubectl get svc,endpointslices,nodes -A -o yaml): name the Services each finding affects.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string[]? Path { get; set; }

    /// <summary>The live API's kubeconfig (the default one when only -Context is given).</summary>
    [Parameter(ParameterSetName = LiveSet, Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context of the live API.</summary>
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string? Context { get; set; }

    /// <summary>This node's name in the cluster (its Node object gives the primary addresses). Default: the host name.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiveSet)]
    [ValidateNotNullOrEmpty]
    public string NodeName { get; set; } = Environment.MachineName.ToLowerInvariant();

    /// <summary>The API server's --service-node-port-range ("30000-32767", the default): node-address virtual servers on these ports are kube-proxy's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodePortRange { get; set; }

    /// <summary>kube-proxy's --ipvs-exclude-cidrs: virtual servers at these addresses are never kube-proxy's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludeCidr { get; set; }

    /// <summary>The iptables backend to read: NfTables or Legacy. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? IptablesBackend { get; set; }

    /// <summary>Detailed (default): the findings. Quiet: one $true (no Blocker) or $false.</summary>
    [Parameter]
    [ValidateSet("Quiet", "Detailed")]
    public string InformationLevel { get; set; } = "Detailed";

    private protected override ClusterSourceParameters Source => new(Path, Kubeconfig, Context, NodeName);

    protected override void ProcessRecord()
    {
        var excluded = KubeClusterCmdlet.ParseCidrs(this, ErrorIdPrefix, "ExcludeCidr", ExcludeCidr);
        if (excluded is null) return;
        if (!TryNodePortRange(NodePortRange, out var first, out var last)) return;
        var ns = ResolveNetworkNamespace();

        ClusterSnapshot? cluster = null;
        if (ParameterSetName != NodeSet)
        {
            var paths = ResolveSnapshotPaths(out var pathError);
            if (pathError is not null)
            {
                WriteError(pathError);
                return;
            }
            cluster = ReadCluster(paths);
            if (cluster is null) return;
        }

        var target = Enum.Parse<KubeProxyMode>(TargetMode, ignoreCase: true);
        IReadOnlyList<MigrationFinding> findings;
        try
        {
            var facts = MigrationFactsReader.Read(ns, cluster, cluster is null ? null : NodeName, IptablesBackend);
            findings = MigrationChecks.Evaluate(facts, new MigrationOptions
            {
                TargetMode = target,
                NodePortRangeFirst = first,
                NodePortRangeLast = last,
                ExcludeCidrs = excluded,
                Cluster = cluster,
                NetworkNamespace = NetworkNamespace,
            });
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

        if (InformationLevel == "Quiet")
        {
            WriteObject(findings.All(f => f.Status != MigrationStatus.Blocker));
            return;
        }
        foreach (var finding in findings) WriteObject(finding);
    }
}
