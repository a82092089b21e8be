using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// Cmdlets that act on a real server of a virtual service. -Service takes a service object, a key, a name
/// such as 'TCP 10.96.0.10:53', or what remoting made of them, and binds from the Service property of
/// piped destinations and the Key property of piped services.
/// </summary>
public abstract class IpvsDestinationTargetCommand : IpvsCommandBase
{
    /// <summary>The virtual service the real server belongs to.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Key")]
    [IpvsServiceKeyTransformation]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(IpvsServiceNameCompleter))]
    public IpvsServiceKey? Service { get; set; }

    /// <summary>"TCP 10.96.0.10:53 -> 10.244.1.5:53": how targets and messages name a real server.</summary>
    protected static string Name(IpvsServiceKey service, IPAddress address, ushort? port)
        => service.DisplayName + " -> " + (port is null
            ? (address.AddressFamily == AddressFamily.InterNetworkV6 ? "[" + address + "]" : address.ToString())
            : IpvsadmSaveText.FormatEndpoint(address, port.Value));

    /// <summary>
    /// The real server at <paramref name="address"/> (and <paramref name="port"/>, when given) of the
    /// service, or null with an error: no such service, no such real server, or several ports to choose from.
    /// </summary>
    protected IpvsDestination? FindDestination(IpvsClient client, IpvsServiceKey service, IPAddress address, ushort? port, IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        var target = Name(service, address, port);
        IpvsService? current;
        try
        {
            current = client.GetService(service);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return null;
        }
        if (current is null)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"There is no IPVS service {service.DisplayName}{Where(ns)}. List the services with Get-IpvsService."),
                ErrorIdPrefix + "ServiceNotFound", ErrorCategory.ObjectNotFound, target));
            return null;
        }
        var matches = current.Destinations.Where(d => d.Address.Equals(address) && (port is null || d.Port == port)).ToList();
        if (matches.Count == 1) return matches[0];
        if (matches.Count == 0)
        {
            WriteError(new ErrorRecord(new ItemNotFoundException($"IPVS service {service.DisplayName} has no real server {target.Split(" -> ")[1]}{Where(ns)}. List them with Get-IpvsDestination."),
                ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, target));
            return null;
        }
        Refuse($"IPVS service {service.DisplayName} has real servers at {address} on ports {string.Join(", ", matches.Select(d => d.Port))}; give -Port.",
            "AmbiguousDestination", target);
        return null;
    }
}
