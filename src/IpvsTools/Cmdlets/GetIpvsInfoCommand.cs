using System.Management.Automation;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Get-IpvsInfo: the IPVS version, connection table size, and the IPVS sysctls kube-proxy sets, in the target namespace.</summary>
[Cmdlet(VerbsCommon.Get, "IpvsInfo")]
[OutputType(typeof(IpvsInfo))]
public sealed class GetIpvsInfoCommand : IpvsCommandBase
{
    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        var client = ClientFor(ns);
        try
        {
            WriteObject(client.GetInfo().WithSysctls(IpvsSysctls.Read(ns), ns?.DisplayName));
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
        }
    }
}
