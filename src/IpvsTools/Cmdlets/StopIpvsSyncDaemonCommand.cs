using System.Linq;
using System.Management.Automation;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Stop-IpvsSyncDaemon: stops the master or backup connection synchronisation daemon (ipvsadm --stop-daemon).</summary>
[Cmdlet(VerbsLifecycle.Stop, "IpvsSyncDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsSyncDaemon))]
public sealed class StopIpvsSyncDaemonCommand : IpvsCommandBase
{
    /// <summary>Master or Backup.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public IpvsSyncState State { get; set; }

    /// <summary>Writes the daemon as it was just before it stopped.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var target = $"IPVS {StartIpvsSyncDaemonCommand.IpvsStateName(State)} sync daemon";
        var client = ClientFor(ns);
        if (!ShouldProcess(target, "Stop" + Where(ns))) return;
        try
        {
            var running = client.GetSyncDaemons().FirstOrDefault(d => d.State == State);
            client.StopSyncDaemon(State);
            if (PassThru && running is not null) WriteObject(running);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
        }
    }
}
