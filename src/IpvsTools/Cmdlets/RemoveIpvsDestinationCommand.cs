using System.Management.Automation;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Remove-IpvsDestination: removes a real server from a virtual service (ipvsadm -d).</summary>
[Cmdlet(VerbsCommon.Remove, "IpvsDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsDestination))]
public sealed class RemoveIpvsDestinationCommand : IpvsDestinationTargetCommand
{
    /// <summary>The real server's address.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [IPAddressTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(IpvsDestinationAddressCompleter))]
    public IPAddress? Address { get; set; }

    /// <summary>The real server's port; omitted: the one real server at that address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public ushort? Port { get; set; }

    /// <summary>Writes each removed real server as it was just before removal.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var service = Service!;
        var client = ClientFor(ns);
        var current = FindDestination(client, service, Address!, Port, ns);
        if (current is null) return;
        var target = Name(service, current.Address, current.Port);
        var connections = current.ActiveConnections + current.InactiveConnections;
        if (!ShouldProcess(target, $"Remove real server ({connections} connection{(connections == 1 ? "" : "s")}){Where(ns)}")) return;
        try
        {
            client.RemoveDestination(service, current.Address, current.Port);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return;
        }
        WarnIfKubeProxyOwns(service, ns, "will add the real server again at its next sync if it is still an endpoint",
            "To drain an endpoint, set its weight to 0 with Set-IpvsDestination -Weight 0, or scale the workload down.");
        if (PassThru) WriteObject(current);
    }
}
