using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Get-IpvsDestination: the real servers of piped or named virtual services, or of all of them.</summary>
[Cmdlet(VerbsCommon.Get, "IpvsDestination")]
[OutputType(typeof(IpvsDestination))]
public sealed class GetIpvsDestinationCommand : IpvsCommandBase
{
    /// <summary>The services whose real servers to get; omitted: every service.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Key")]
    [IpvsServiceKeyTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IpvsServiceNameCompleter))]
    public IpvsServiceKey[]? Service { get; set; }

    /// <summary>Real server addresses to match.</summary>
    [Parameter]
    [IPAddressTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IpvsDestinationAddressCompleter))]
    public IPAddress[]? Address { get; set; }

    /// <summary>The real server port to match.</summary>
    [Parameter]
    public ushort? Port { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var client = ClientFor(ns);
        var services = new List<IpvsService>();
        try
        {
            if (Service is null)
            {
                services.AddRange(IpvsadmText.SortServices(client.GetServices()));
            }
            else
            {
                foreach (var key in Service)
                {
                    var service = client.GetService(key);
                    if (service is null)
                    {
                        WriteError(new ErrorRecord(new ItemNotFoundException($"There is no IPVS service {key.DisplayName}{Where(ns)}. List the services with Get-IpvsService."),
                            ErrorIdPrefix + "ServiceNotFound", ErrorCategory.ObjectNotFound, key.DisplayName));
                        continue;
                    }
                    services.Add(service);
                }
            }
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
            return;
        }
        var found = 0;
        foreach (var service in services)
        {
            foreach (var destination in IpvsadmText.SortDestinations(service.Destinations))
            {
                if (Address is not null && !Address.Any(a => a.Equals(destination.Address))) continue;
                if (Port is not null && destination.Port != Port) continue;
                found++;
                WriteObject(destination);
            }
        }
        if (found == 0 && (Address is not null || Port is not null) && services.Count > 0)
        {
            var what = string.Join(", ", (Address ?? []).Select(a => a.ToString())) + (Port is null ? "" : " port " + Port);
            WriteError(new ErrorRecord(new ItemNotFoundException($"No real server matches {what.Trim()}{Where(ns)}."),
                ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, what.Trim()));
        }
    }
}
