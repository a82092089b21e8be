using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Get-IpvsService: the kernel's IPVS virtual services with their real servers, read over generic netlink.</summary>
[Cmdlet(VerbsCommon.Get, "IpvsService", DefaultParameterSetName = AddressSet)]
[OutputType(typeof(IpvsService))]
public sealed class GetIpvsServiceCommand : IpvsCommandBase
{
    private const string AddressSet = "Address";
    private const string FirewallMarkSet = "FirewallMark";

    /// <summary>Virtual addresses to match (IPv4 or IPv6).</summary>
    [Parameter(ParameterSetName = AddressSet, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IpvsServiceAddressCompleter))]
    public IPAddress[]? Address { get; set; }

    /// <summary>The virtual port to match.</summary>
    [Parameter(ParameterSetName = AddressSet, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IpvsServicePortCompleter))]
    public ushort? Port { get; set; }

    /// <summary>The protocol to match: Tcp, Udp or Sctp.</summary>
    [Parameter(ParameterSetName = AddressSet, ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Tcp", "Udp", "Sctp", IgnoreCase = true)]
    public IpvsProtocol? Protocol { get; set; }

    /// <summary>Firewall marks of fwmark services to match.</summary>
    [Parameter(ParameterSetName = FirewallMarkSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, uint.MaxValue)]
    public uint[]? FirewallMark { get; set; }

    protected override void ProcessRecord()
    {
        var ns = ResolveNetworkNamespace();
        IReadOnlyList<IpvsService> services;
        try
        {
            var client = ClientFor(ns);
            // An exact key (address, port and protocol; or firewall marks) asks the kernel for those services
            // only, as `ipvsadm -Ln -t A:P` does; any other filter reads the table once and filters it.
            var byKey = ExactKeys();
            var read = byKey is null ? client.GetServices() : ReadByKey(client, byKey);
            // ipvsadm -Ln's order (fwmark, family, protocol, address with its wrapping subtraction, port),
            // the order Export-IpvsConfig writes: the two read side by side.
            services = IpvsadmText.SortServices(read);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
            return;
        }

        var filtered = Address is not null || Port is not null || Protocol is not null || FirewallMark is not null;
        var found = 0;
        foreach (var service in services)
        {
            if (!Matches(service)) continue;
            found++;
            WriteObject(service);
        }
        if (filtered && found == 0)
        {
            var what = Describe();
            WriteError(new ErrorRecord(new ItemNotFoundException($"No IPVS service matches {what}{Where(ns)}. List them all with Get-IpvsService."),
                ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, what));
        }
    }

    /// <summary>The keys named exactly by the parameters, or null when a filter leaves a part open.</summary>
    private List<IpvsServiceKey>? ExactKeys()
    {
        if (FirewallMark is not null)
        {
            // A firewall-mark service is keyed by its family too: ask for both.
            return [.. FirewallMark.Distinct().SelectMany(mark => new[]
            {
                IpvsServiceKey.ForFirewallMark(mark, System.Net.Sockets.AddressFamily.InterNetwork),
                IpvsServiceKey.ForFirewallMark(mark, System.Net.Sockets.AddressFamily.InterNetworkV6),
            })];
        }
        if (Address is null || Port is null || Protocol is null) return null;
        return [.. Address.Distinct().Select(a => IpvsServiceKey.ForAddress(Protocol.Value, a, Port.Value))];
    }

    private static List<IpvsService> ReadByKey(IpvsClient client, List<IpvsServiceKey> keys)
    {
        var found = new List<IpvsService>(keys.Count);
        foreach (var key in keys)
        {
            if (client.GetService(key) is { } service) found.Add(service);
        }
        return found;
    }

    private bool Matches(IpvsService service)
    {
        if (FirewallMark is not null) return service.FirewallMark != 0 && FirewallMark.Contains(service.FirewallMark);
        if (Address is not null && (service.Address is null || !Address.Any(a => a.Equals(service.Address)))) return false;
        if (Port is not null && (service.FirewallMark != 0 || service.Port != Port)) return false;
        if (Protocol is not null && service.Protocol != Protocol) return false;
        return true;
    }

    private string Describe()
    {
        if (FirewallMark is not null) return "firewall mark " + string.Join(", ", FirewallMark);
        var parts = new List<string>();
        if (Protocol is not null) parts.Add(Protocol.ToString()!.ToUpperInvariant());
        if (Address is not null) parts.Add(string.Join(", ", Address.Select(a => a.ToString())));
        if (Port is not null) parts.Add("port " + Port);
        return string.Join(" ", parts);
    }
}
