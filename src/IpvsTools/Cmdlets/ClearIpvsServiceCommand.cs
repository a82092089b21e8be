using System.Management.Automation;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Clear-IpvsService: deletes every virtual service of the namespace (ipvsadm -C).</summary>
[Cmdlet(VerbsCommon.Clear, "IpvsService", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(IpvsService))]
public sealed class ClearIpvsServiceCommand : IpvsCommandBase
{
    /// <summary>Writes the services as they were just before the table was cleared.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var client = ClientFor(ns);
        System.Collections.Generic.IReadOnlyList<IpvsService> before;
        try
        {
            before = client.GetServices(includeDestinations: PassThru);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
            return;
        }
        var where = ns is null ? "this network namespace" : $"network namespace '{ns.DisplayName}'";
        if (!ShouldProcess($"every IPVS service in {where} ({before.Count})", "Remove")) return;
        try
        {
            client.Clear();
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
            return;
        }
        if (PassThru) WriteObject(before, enumerateCollection: true);
    }
}
