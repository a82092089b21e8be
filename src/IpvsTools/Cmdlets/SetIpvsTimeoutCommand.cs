using System.Collections.Generic;
using System.Management.Automation;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Set-IpvsTimeout: sets the tcp, tcpfin and udp connection timeouts (ipvsadm --set); those not given stay.</summary>
[Cmdlet(VerbsCommon.Set, "IpvsTimeout", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsTimeouts))]
public sealed class SetIpvsTimeoutCommand : IpvsCommandBase
{
    /// <summary>Seconds an established TCP connection may stay idle (1 to 2678400).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1u, IpvsadmRestoreText.MaxTimeout)]
    public uint Tcp { get; set; }

    /// <summary>Seconds a TCP connection is kept after its FIN (1 to 2678400).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1u, IpvsadmRestoreText.MaxTimeout)]
    public uint TcpFin { get; set; }

    /// <summary>Seconds a UDP connection may stay idle (1 to 2678400).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1u, IpvsadmRestoreText.MaxTimeout)]
    public uint Udp { get; set; }

    /// <summary>Writes the timeouts after the change.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var changes = new List<string>();
        if (Tcp != 0) changes.Add($"tcp {Tcp} s");
        if (TcpFin != 0) changes.Add($"tcpfin {TcpFin} s");
        if (Udp != 0) changes.Add($"udp {Udp} s");
        if (changes.Count == 0)
        {
            Refuse("Give at least one of -Tcp, -TcpFin and -Udp.", "NothingToChange", "IPVS timeouts");
            return;
        }
        var client = ClientFor(ns);
        if (!ShouldProcess("IPVS timeouts", "Set " + string.Join(", ", changes) + Where(ns))) return;
        try
        {
            client.SetTimeouts(new IpvsTimeouts(Tcp, TcpFin, Udp));
            if (PassThru) WriteObject(client.GetTimeouts());
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, "IPVS timeouts");
        }
    }
}
