using System.Management.Automation;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Reset-IpvsStatistics: zeroes the counters of every service or of the named ones (ipvsadm -Z).</summary>
[Cmdlet(VerbsCommon.Reset, "IpvsStatistics", DefaultParameterSetName = AllSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsService))]
public sealed class ResetIpvsStatisticsCommand : IpvsServiceTargetCommand
{
    private const string AllSet = "All";

    /// <summary>Writes the services after their counters were zeroed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var client = ClientFor(ns);
        if (ParameterSetName == AllSet)
        {
            var where = ns is null ? "this network namespace" : $"network namespace '{ns.DisplayName}'";
            if (!ShouldProcess($"every IPVS service in {where}", "Zero the counters")) return;
            try
            {
                client.ResetStatistics();
                if (PassThru) WriteObject(client.GetServices(), enumerateCollection: true);
            }
            catch (IpvsToolsException ex)
            {
                Report(ex, NetworkNamespace);
            }
            return;
        }
        var key = TargetKey();
        if (key is null) return;
        var target = key.DisplayName;
        if (!ShouldProcess(target, "Zero the counters" + Where(ns))) return;
        try
        {
            client.ResetStatistics(key);
            if (PassThru && client.GetService(key) is { } service) WriteObject(service);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
        }
    }
}
