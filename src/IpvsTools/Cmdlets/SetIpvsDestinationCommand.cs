using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Set-IpvsDestination: changes a real server's weight, thresholds or forwarding (ipvsadm -e), keeping the rest.</summary>
[Cmdlet(VerbsCommon.Set, "IpvsDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsDestination))]
public sealed class SetIpvsDestinationCommand : IpvsDestinationTargetCommand
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

    /// <summary>The new weight; 0 drains the server (no new connections).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Weight { get; set; }

    /// <summary>The new upper connection threshold (0: no limit).</summary>
    [Parameter]
    [ValidateRange(0u, (uint)int.MaxValue)]
    public uint UpperThreshold { get; set; }

    /// <summary>The new lower connection threshold.</summary>
    [Parameter]
    [ValidateRange(0u, (uint)int.MaxValue)]
    public uint LowerThreshold { get; set; }

    /// <summary>The new forwarding method: Masquerade, Route or Tunnel.</summary>
    [Parameter]
    [ValidateSet("Masquerade", "Route", "Tunnel", IgnoreCase = true)]
    public IpvsForwardingMethod ForwardingMethod { get; set; }

    /// <summary>The new tunnel type: Ipip, Gue or Gre (the server must tunnel).</summary>
    [Parameter]
    public IpvsTunnelType TunnelType { get; set; }

    /// <summary>The new GUE port.</summary>
    [Parameter]
    [ValidateRange((ushort)1, ushort.MaxValue)]
    public ushort TunnelPort { get; set; }

    /// <summary>The new tunnel checksum setting.</summary>
    [Parameter]
    public IpvsTunnelChecksum TunnelChecksum { get; set; }

    /// <summary>Writes the changed real server.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private static readonly string[] Settable = [nameof(Weight), nameof(UpperThreshold), nameof(LowerThreshold), nameof(ForwardingMethod), nameof(TunnelType), nameof(TunnelPort), nameof(TunnelChecksum)];

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var service = Service!;
        var bound = MyInvocation.BoundParameters;
        var target = Name(service, Address!, Port);
        if (!Settable.Any(bound.ContainsKey))
        {
            Refuse("Give at least one setting to change: " + string.Join(", ", Settable.Select(n => "-" + n)) + ".", "NothingToChange", target);
            return;
        }
        var client = ClientFor(ns);
        var current = FindDestination(client, service, Address!, Port, ns);
        if (current is null) return;
        target = Name(service, current.Address, current.Port);

        var now = IpvsDestinationSettings.From(current);
        var method = bound.ContainsKey(nameof(ForwardingMethod)) ? ForwardingMethod : now.ForwardingMethod;
        var tunnel = method == IpvsForwardingMethod.Tunnel;
        if (!tunnel && (bound.ContainsKey(nameof(TunnelType)) || bound.ContainsKey(nameof(TunnelPort)) || bound.ContainsKey(nameof(TunnelChecksum))))
        {
            Refuse($"{target}: tunnel settings need Tunnel forwarding; this real server uses {method}.", "InvalidArgument", target);
            return;
        }
        var type = tunnel ? (bound.ContainsKey(nameof(TunnelType)) ? TunnelType : now.TunnelType) : IpvsTunnelType.Ipip;
        var tunnelPort = tunnel && type == IpvsTunnelType.Gue ? (bound.ContainsKey(nameof(TunnelPort)) ? TunnelPort : now.TunnelPort) : (ushort)0;
        if (bound.ContainsKey(nameof(TunnelPort)) && type != IpvsTunnelType.Gue)
        {
            Refuse($"{target}: only a GUE tunnel has a port.", "InvalidArgument", target);
            return;
        }
        var checksum = tunnel && type != IpvsTunnelType.Ipip ? (bound.ContainsKey(nameof(TunnelChecksum)) ? TunnelChecksum : now.TunnelChecksum) : IpvsTunnelChecksum.NoChecksum;
        if (bound.ContainsKey(nameof(TunnelChecksum)) && type == IpvsTunnelType.Ipip && TunnelChecksum != IpvsTunnelChecksum.NoChecksum)
        {
            Refuse($"{target}: an IPIP tunnel has no checksum option.", "InvalidArgument", target);
            return;
        }
        if (type == IpvsTunnelType.Gre && checksum == IpvsTunnelChecksum.RemoteChecksum) checksum = IpvsTunnelChecksum.NoChecksum;
        if (!service.IsFirewallMark && method is IpvsForwardingMethod.Route or IpvsForwardingMethod.Tunnel && current.Port != service.Port)
        {
            Refuse($"{target}: with {method} forwarding the real server's port must be the service's port ({service.Port}).", "PortNotAllowed", target);
            return;
        }

        IpvsDestinationSettings settings;
        try
        {
            settings = new IpvsDestinationSettings(current.Address, current.Port, method,
                bound.ContainsKey(nameof(Weight)) ? Weight : now.Weight,
                bound.ContainsKey(nameof(UpperThreshold)) ? UpperThreshold : now.UpperThreshold,
                bound.ContainsKey(nameof(LowerThreshold)) ? LowerThreshold : now.LowerThreshold,
                type, tunnelPort, checksum);
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidArgument", target);
            return;
        }
        var changes = new List<string>();
        foreach (var name in Settable.Where(bound.ContainsKey)) changes.Add(name + " " + bound[name]);
        if (!ShouldProcess(target, "Set " + string.Join(", ", changes) + Where(ns))) return;
        try
        {
            client.UpdateDestination(service, settings);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return;
        }
        if (PassThru)
        {
            var changed = client.GetDestinations(service).FirstOrDefault(d => d.Address.Equals(current.Address) && d.Port == current.Port);
            if (changed is not null) WriteObject(changed);
        }
    }
}
