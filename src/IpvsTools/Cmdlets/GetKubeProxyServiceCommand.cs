using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.AnyMode;

namespace IpvsTools.Commands;

/// <summary>
/// Get-KubeProxyService: the Service front ends kube-proxy programmed on the node, read from its data plane in any
/// mode (IPVS, iptables, nftables) as the same objects, so that nodes in different modes compare by value. With a
/// cluster source (-Path, or -Kubeconfig/-Context), IPVS mode's front ends are named after the cluster's Services.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeProxyService", DefaultParameterSetName = NodeSet)]
[OutputType(typeof(KubeProxyService))]
public sealed class GetKubeProxyServiceCommand : KubeProxyModeCmdlet
{
    private const string NodeSet = "Node";

    /// <summary>Only the front ends of these Services ('namespace/name'); wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    protected override void ProcessRecord()
    {
        var paths = ResolveSnapshotPaths(out var pathError);
        if (pathError is not null)
        {
            WriteError(pathError);
            return;
        }
        var ns = ResolveNetworkNamespace();
        if (ResolveMode(ns) is not { } mode) return;
        var services = ReadDataPlane(mode, () => KubeProxyServiceReader.Read(mode, ns, Backend));
        if (services is null) return;
        if (HasClusterSource)
        {
            if (ReadCluster(paths) is not { } snapshot) return;
            services = KubeProxyServiceNames.Apply(services, snapshot);
        }

        var patterns = Service?.Select(s => new WildcardPattern(s, WildcardOptions.IgnoreCase)).ToList();
        foreach (var service in services)
        {
            if (patterns is not null && (service.Service is null || !patterns.Any(p => p.IsMatch(service.Service)))) continue;
            WriteObject(service);
        }
    }
}
