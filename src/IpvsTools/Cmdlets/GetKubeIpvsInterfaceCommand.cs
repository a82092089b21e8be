using System.Linq;
using System.Management.Automation;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Links;

namespace IpvsTools.Commands;

/// <summary>Get-KubeIpvsInterface: kube-proxy's dummy interface kube-ipvs0, its state and its addresses, read over rtnetlink.</summary>
[Cmdlet(VerbsCommon.Get, "KubeIpvsInterface")]
[OutputType(typeof(KubeIpvsInterface))]
public sealed class GetKubeIpvsInterfaceCommand : IpvsToolsCmdlet
{
    /// <summary>The interface's name; kube-proxy always uses kube-ipvs0.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = KubeIpvsInterface.LinkName;

    protected override void ProcessRecord()
    {
        try
        {
            LinkClient.CheckName(Name);
        }
        catch (IpvsToolsException ex)
        {
            WriteError(ErrorFor(ex, Name));
            return;
        }
        var ns = ResolveNetworkNamespace();
        try
        {
            NetworkLink? link;
            using (var links = LinkClient.Open(ns)) link = links.Find(Name);
            if (link is null)
            {
                var hint = Name == KubeIpvsInterface.LinkName
                    ? " kube-proxy in IPVS mode creates it at its first sync (kube-proxy --cleanup deletes it); in iptables or nftables mode there is none."
                    : "";
                WriteError(new ErrorRecord(new ItemNotFoundException($"There is no interface '{Name}'{Where(ns)}.{hint}"),
                    ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, Name));
                return;
            }
            using var addresses = AddressClient.Open(ns);
            var own = addresses.List().Where(a => a.InterfaceIndex == link.Index).ToList();
            WriteObject(new KubeIpvsInterface(link, own));
        }
        catch (IpvsToolsException ex)
        {
            if (IsFatal(ex)) ThrowTerminatingError(ErrorFor(ex, Name));
            WriteError(ErrorFor(ex, Name));
        }
    }
}
