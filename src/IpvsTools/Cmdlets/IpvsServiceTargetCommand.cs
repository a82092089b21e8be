using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// Cmdlets that act on existing virtual services, named three ways: -Protocol/-Address/-Port (set
/// "Address"), -FirewallMark [-IPv6] (set "FirewallMark"), or -Service, which takes a service object, a
/// key, a name such as 'TCP 10.96.0.10:53', or what remoting made of any of them, and binds from the
/// Key property of piped services and the Service property of piped destinations (set "Service").
/// Only -Service binds from the pipeline, so a piped object never lands in two sets at once.
/// </summary>
public abstract class IpvsServiceTargetCommand : IpvsCommandBase
{
    protected const string AddressSet = "Address";
    protected const string FirewallMarkSet = "FirewallMark";
    protected const string ServiceSet = "Service";

    /// <summary>The service's protocol: Tcp, Udp or Sctp.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true)]
    [ValidateSet("Tcp", "Udp", "Sctp", IgnoreCase = true)]
    public IpvsProtocol Protocol { get; set; }

    /// <summary>The service's virtual address.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true, Position = 0)]
    [IPAddressTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(IpvsServiceAddressCompleter))]
    public IPAddress? Address { get; set; }

    /// <summary>The service's virtual port.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true)]
    [ArgumentCompleter(typeof(IpvsServicePortCompleter))]
    public ushort Port { get; set; }

    /// <summary>The firewall mark of a fwmark service.</summary>
    [Parameter(ParameterSetName = FirewallMarkSet, Mandatory = true)]
    [ValidateRange(1, uint.MaxValue)]
    public uint FirewallMark { get; set; }

    /// <summary>The fwmark service is the IPv6 one (ipvsadm -f N -6).</summary>
    [Parameter(ParameterSetName = FirewallMarkSet)]
    public SwitchParameter IPv6 { get; set; }

    /// <summary>The service: a service or destination object, a key, or a name like 'TCP 10.96.0.10:53'.</summary>
    [Parameter(ParameterSetName = ServiceSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Key")]
    [IpvsServiceKeyTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(IpvsServiceNameCompleter))]
    public IpvsServiceKey? Service { get; set; }

    /// <summary>The service the parameters name, or null (with an error written) when they name none.</summary>
    protected IpvsServiceKey? TargetKey()
    {
        try
        {
            return ParameterSetName switch
            {
                AddressSet => IpvsServiceKey.ForAddress(Protocol, Address!, Port),
                FirewallMarkSet => IpvsServiceKey.ForFirewallMark(FirewallMark, IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork),
                _ => Service,
            };
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidService", Address?.ToString() ?? FirewallMark.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return null;
        }
    }

    /// <summary>The service as the kernel has it now, with destinations; null (with an error) when it has none such.</summary>
    protected IpvsService? ReadService(IpvsClient client, IpvsServiceKey key, IpvsTools.Namespaces.NetworkNamespace? ns, bool includeDestinations = false)
    {
        IpvsService? service;
        try
        {
            service = client.GetService(key, includeDestinations);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, key.DisplayName);
            return null;
        }
        if (service is null)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"There is no IPVS service {key.DisplayName}{Where(ns)}. List the services with Get-IpvsService."),
                ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, key.DisplayName));
        }
        return service;
    }
}
