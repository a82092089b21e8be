using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.KubeProxy;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;
using IpvsTools.KubeProxy.AnyMode;

namespace IpvsTools.Commands;

/// <summary>
/// Get-KubeProxyService: the Service front ends kube-proxy programmed on the node, read from its data plane in any
/// mode (IPVS, iptables, nftables) as the same objects, so that nodes in different modes compare by value.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeProxyService")]
[OutputType(typeof(KubeProxyService))]
public sealed class GetKubeProxyServiceCommand : IpvsToolsCmdlet
{
    /// <summary>Only the front ends of these Services ('namespace/name'); wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Service { get; set; }

    /// <summary>The data plane to read; Auto finds the one on the node (nftables, then IPVS, then iptables).</summary>
    [Parameter]
    [ValidateSet("Auto", "Ipvs", "Iptables", "Nftables")]
    public string Mode { get; set; } = "Auto";

    /// <summary>iptables mode: the backend's tools to read with. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? Backend { get; set; }

    protected override void ProcessRecord()
    {
        var ns = ResolveNetworkNamespace();
        KubeProxyMode mode;
        if (Mode.Equals("Auto", StringComparison.OrdinalIgnoreCase))
        {
            KubeProxyModeDetection detection;
            try
            {
                detection = KubeProxyModeDetector.Detect(ns, Backend);
            }
            catch (IpvsToolsException ex)
            {
                ThrowTerminatingError(ErrorFor(ex, NetworkNamespace ?? ""));
                return;
            }
            foreach (var warning in detection.Warnings) WriteWarning(warning);
            if (detection.Mode is not { } found)
            {
                var where = ns is null ? "" : $" in network namespace '{ns.DisplayName}'";
                WriteError(new ErrorRecord(new ItemNotFoundException(
                        $"No kube-proxy data plane was found{where}: no nftables table kube-proxy, no kube-ipvs0 or KUBE-CLUSTER-IP ipset, no KUBE-SVC-/KUBE-SEP- chains in the nat table. Is kube-proxy running on this node (and is this its network namespace)? Name a mode with -Mode to read it anyway."),
                    ErrorIdPrefix + "ModeNotFound", ErrorCategory.ObjectNotFound, NetworkNamespace ?? ""));
                return;
            }
            if (detection.Modes.Count > 1)
                WriteWarning($"Reading {found} mode; state of {string.Join(" and ", detection.Modes.Skip(1))} mode is on the node too (left over from an earlier mode, or another program's). Read it with -Mode.");
            mode = found;
        }
        else
        {
            mode = Enum.Parse<KubeProxyMode>(Mode, ignoreCase: true);
        }

        IReadOnlyList<KubeProxyService> services;
        try
        {
            services = KubeProxyServiceReader.Read(mode, ns, Backend);
        }
        catch (IptablesToolMissingException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, mode));
            return;
        }
        catch (IpvsToolsException ex)
        {
            var record = ex.Kind == FailureKind.NotFound && ex.Message.Contains("nft tool", StringComparison.Ordinal)
                ? new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, mode)
                : ErrorFor(ex, mode);
            if (IsFatal(ex)) ThrowTerminatingError(record);
            WriteError(record);
            return;
        }

        var patterns = Service?.Select(s => new WildcardPattern(s, WildcardOptions.IgnoreCase)).ToList();
        foreach (var service in services)
        {
            if (patterns is not null && (service.Service is null || !patterns.Any(p => p.IsMatch(service.Service)))) continue;
            WriteObject(service);
        }
    }
}
