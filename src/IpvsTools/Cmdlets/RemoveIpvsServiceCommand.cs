using System.Management.Automation;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Remove-IpvsService: deletes a virtual service and its real servers (ipvsadm -D).</summary>
[Cmdlet(VerbsCommon.Remove, "IpvsService", DefaultParameterSetName = AddressSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsService))]
public sealed class RemoveIpvsServiceCommand : IpvsServiceTargetCommand
{
    /// <summary>Writes each removed service as it was just before removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var key = TargetKey();
        if (key is null) return;
        var target = key.DisplayName;
        var client = ClientFor(ns);
        var current = ReadService(client, key, ns, includeDestinations: true);
        if (current is null) return;
        var count = current.Destinations.Count;
        if (!ShouldProcess(target, $"Remove IPVS service with its {count} real server{(count == 1 ? "" : "s")}{Where(ns)}")) return;
        try
        {
            client.RemoveService(key);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return;
        }
        WarnIfKubeProxyOwns(key, ns, "will create it again at its next sync",
            "Delete the Kubernetes Service instead, or stop kube-proxy first.");
        if (PassThru) WriteObject(current);
    }
}
