using System.Management.Automation;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Start-IpvsSyncDaemon: starts a master or backup connection synchronisation daemon (ipvsadm --start-daemon).</summary>
[Cmdlet(VerbsLifecycle.Start, "IpvsSyncDaemon", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsSyncDaemon))]
public sealed class StartIpvsSyncDaemonCommand : IpvsCommandBase
{
    /// <summary>Master (sends this director's connections) or Backup (receives a master's).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public IpvsSyncState State { get; set; }

    /// <summary>The interface to send or listen on (it must exist in the namespace).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Interface { get; set; } = "";

    /// <summary>The sync id, 0-255; a backup with id 0 takes every master's messages.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(0u, 255u)]
    public uint SyncId { get; set; }

    /// <summary>The largest sync message payload in bytes; omitted: the kernel's default from the MTU.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange((ushort)1, (ushort)65507)]
    public ushort MaxLength { get; set; }

    /// <summary>The multicast group (IPv4 or IPv6); omitted: 224.0.0.81.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [IPAddressTransformation]
    public IPAddress? MulticastGroup { get; set; }

    /// <summary>The group's UDP port; omitted: 8848.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange((ushort)1, ushort.MaxValue)]
    public ushort MulticastPort { get; set; }

    /// <summary>The multicast TTL, 1-255; omitted: 1.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange((byte)1, byte.MaxValue)]
    public byte MulticastTtl { get; set; }

    /// <summary>Writes the daemon as the kernel runs it.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var target = $"IPVS {IpvsStateName(State)} sync daemon";
        IpvsSyncDaemonSettings settings;
        try
        {
            settings = new IpvsSyncDaemonSettings(State, Interface, SyncId, MaxLength, MulticastGroup, MulticastPort, MulticastTtl);
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidArgument", target);
            return;
        }
        var client = ClientFor(ns);
        if (!ShouldProcess(target, $"Start on {Interface} with sync id {SyncId}{Where(ns)}")) return;
        try
        {
            client.StartSyncDaemon(settings);
            if (!PassThru) return;
            foreach (var daemon in client.GetSyncDaemons())
            {
                if (daemon.State == State) WriteObject(daemon);
            }
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
        }
    }

    internal static string IpvsStateName(IpvsSyncState state) => state == IpvsSyncState.Master ? "master" : state == IpvsSyncState.Backup ? "backup" : state.ToString();
}
