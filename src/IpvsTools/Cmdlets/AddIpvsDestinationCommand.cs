using System.Linq;
using System.Management.Automation;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>Add-IpvsDestination: adds a real server to a virtual service (ipvsadm -a).</summary>
[Cmdlet(VerbsCommon.Add, "IpvsDestination", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsDestination))]
public sealed class AddIpvsDestinationCommand : IpvsDestinationTargetCommand
{
    /// <summary>The real server's address (IPv4 or IPv6).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [IPAddressTransformation]
    [ValidateNotNull]
    public IPAddress? Address { get; set; }

    /// <summary>The real server's port; omitted: the service's port (0 for a fwmark service).</summary>
    [Parameter]
    public ushort? Port { get; set; }

    /// <summary>Masquerade (NAT, the default, as kube-proxy uses), Route (direct routing) or Tunnel.</summary>
    [Parameter]
    [ValidateSet("Masquerade", "Route", "Tunnel", IgnoreCase = true)]
    public IpvsForwardingMethod ForwardingMethod { get; set; } = IpvsForwardingMethod.Masquerade;

    /// <summary>The scheduling weight, 0 or more (default 1).</summary>
    [Parameter]
    [ValidateRange(0, int.MaxValue)]
    public int Weight { get; set; } = 1;

    /// <summary>Connections above which the server takes no new ones (0: no limit).</summary>
    [Parameter]
    [ValidateRange(0u, (uint)int.MaxValue)]
    public uint UpperThreshold { get; set; }

    /// <summary>Connections below which an overloaded server takes new ones again.</summary>
    [Parameter]
    [ValidateRange(0u, (uint)int.MaxValue)]
    public uint LowerThreshold { get; set; }

    /// <summary>Ipip (default), Gue or Gre; implies -ForwardingMethod Tunnel.</summary>
    [Parameter]
    public IpvsTunnelType TunnelType { get; set; } = IpvsTunnelType.Ipip;

    /// <summary>The GUE destination port (1-65535).</summary>
    [Parameter]
    [ValidateRange((ushort)1, ushort.MaxValue)]
    public ushort TunnelPort { get; set; }

    /// <summary>NoChecksum (default), Checksum, or RemoteChecksum (GUE only).</summary>
    [Parameter]
    public IpvsTunnelChecksum TunnelChecksum { get; set; } = IpvsTunnelChecksum.NoChecksum;

    /// <summary>Writes the new real server.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var service = Service!;
        var bound = MyInvocation.BoundParameters;
        var method = ForwardingMethod;
        var tunnelGiven = bound.ContainsKey(nameof(TunnelType)) || bound.ContainsKey(nameof(TunnelPort)) || bound.ContainsKey(nameof(TunnelChecksum));
        if (tunnelGiven && !bound.ContainsKey(nameof(ForwardingMethod))) method = IpvsForwardingMethod.Tunnel;
        var port = Port ?? (service.IsFirewallMark ? (ushort)0 : service.Port);
        var target = Name(service, Address!, port);
        // ipvsadm's rule: direct routing and tunnelling cannot change the port of a non-fwmark service.
        if (!service.IsFirewallMark && method is IpvsForwardingMethod.Route or IpvsForwardingMethod.Tunnel && port != service.Port)
        {
            Refuse($"{target}: with {method} forwarding the real server's port is the service's port ({service.Port}); only Masquerade can change it.", "PortNotAllowed", target);
            return;
        }
        if (Address!.AddressFamily != service.AddressFamily && method != IpvsForwardingMethod.Tunnel)
        {
            Refuse($"{target}: a real server of another address family than its service needs Tunnel forwarding.", "AddressFamilyMismatch", target);
            return;
        }
        IpvsDestinationSettings settings;
        try
        {
            settings = new IpvsDestinationSettings(Address, port, method, Weight, UpperThreshold, LowerThreshold,
                method == IpvsForwardingMethod.Tunnel ? TunnelType : IpvsTunnelType.Ipip, TunnelPort, TunnelChecksum);
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidArgument", target);
            return;
        }
        var client = ClientFor(ns);
        if (!ShouldProcess(target, $"Add real server ({method}, weight {Weight}){Where(ns)}")) return;
        try
        {
            client.AddDestination(service, settings);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return;
        }
        WarnIfKubeProxyOwns(service, ns, "will remove real servers that are not endpoints of the Service at its next sync",
            "Endpoints come from the Service's EndpointSlices.");
        if (PassThru)
        {
            var added = client.GetDestinations(service).FirstOrDefault(d => d.Address.Equals(Address) && d.Port == port);
            if (added is not null) WriteObject(added);
        }
    }
}
