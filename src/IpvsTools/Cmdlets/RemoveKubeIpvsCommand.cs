using System;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy;
using IpvsTools.Namespaces;
using IpvsTools.Sync;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Commands;

/// <summary>
/// Remove-KubeIpvs: what `kube-proxy --cleanup` does in IPVS mode, done safely: the jumps into
/// kube-proxy's chains and the chains, the cluster's IPVS virtual servers (address on kube-ipvs0, or a node
/// address with a NodePort-range port), kube-proxy's KUBE-* sets, and kube-ipvs0. Foreign virtual servers
/// stay unless -IncludeForeign. One change record per kernel write.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "KubeIpvs", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(KubeIpvsChange))]
public sealed class RemoveKubeIpvsCommand : IpvsToolsCmdlet
{
    private readonly CancellationTokenSource _stop = new();

    /// <summary>The node's addresses that carry NodePorts. Omitted: every address of the node except kube-ipvs0's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? NodeAddress { get; set; }

    /// <summary>kube-proxy's --ipvs-exclude-cidrs: virtual servers at these addresses are never removed.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[]? ExcludeCidr { get; set; }

    /// <summary>Remove the virtual servers that are not the cluster's too.</summary>
    [Parameter]
    public SwitchParameter IncludeForeign { get; set; }

    /// <summary>Remove even though kube-proxy runs in the namespace (it re-creates its state within 30 s).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>The iptables backend: NfTables or Legacy. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? IptablesBackend { get; set; }

    /// <summary>The API server's --service-node-port-range ("30000-32767", the default): node-address virtual servers on these ports are the cluster's.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NodePortRange { get; set; }

    protected override void ProcessRecord()
    {
        var excluded = KubeClusterCmdlet.ParseCidrs(this, ErrorIdPrefix, "ExcludeCidr", ExcludeCidr);
        if (excluded is null) return;
        if (!TryNodePortRange(NodePortRange, out var first, out var last)) return;
        var ns = ResolveNetworkNamespace();
        var writer = new KubeNodeWriter(this, ErrorIdPrefix, ns, NetworkNamespace);
        writer.RefuseNextToKubeProxy(Force, "removes");
        using var nodeLock = writer.Lock();

        KubeIpvsPlan plan;
        try
        {
            var options = new KubeProxyOptions
            {
                NodeAddresses = NodeAddress ?? KubeNodeReader.LocalAddresses(ns),
                ExcludeCidrs = excluded,
                NodePortRangeFirst = first,
                NodePortRangeLast = last,
            };
            var actual = KubeNodeReader.Read(ns, [AddressFamily.InterNetwork, AddressFamily.InterNetworkV6], IptablesBackend);
            plan = KubeIpvsCleanup.Plan(actual, options, IncludeForeign);
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
        foreach (var key in plan.Foreign) WriteVerbose("Left alone (not the cluster's): " + key);
        if (plan.IsEmpty) WriteVerbose("Nothing of kube-proxy's is left in the namespace.");
        writer.Apply(plan, IptablesBackend, "Remove-KubeIpvs", _stop.Token);
    }

    protected override void StopProcessing() => _stop.Cancel();
}
