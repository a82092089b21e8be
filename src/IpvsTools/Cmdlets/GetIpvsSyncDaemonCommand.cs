using System.Management.Automation;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Get-IpvsSyncDaemon: the running connection synchronisation daemons (ipvsadm -L --daemon).</summary>
[Cmdlet(VerbsCommon.Get, "IpvsSyncDaemon")]
[OutputType(typeof(IpvsSyncDaemon))]
public sealed class GetIpvsSyncDaemonCommand : IpvsCommandBase
{
    /// <summary>Only the Master or the Backup daemon.</summary>
    [Parameter(Position = 0)]
    public IpvsSyncState? State { get; set; }

    protected override void ProcessRecord()
    {
        var client = ClientFor(CurrentNamespace);
        try
        {
            foreach (var daemon in client.GetSyncDaemons())
            {
                if (State is null || daemon.State == State) WriteObject(daemon);
            }
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
        }
    }
}
