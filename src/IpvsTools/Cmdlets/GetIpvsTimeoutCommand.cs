using System.Management.Automation;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Get-IpvsTimeout: the tcp, tcpfin and udp connection timeouts (ipvsadm -L --timeout).</summary>
[Cmdlet(VerbsCommon.Get, "IpvsTimeout")]
[OutputType(typeof(IpvsTimeouts))]
public sealed class GetIpvsTimeoutCommand : IpvsCommandBase
{
    protected override void ProcessRecord()
    {
        var client = ClientFor(CurrentNamespace);
        try
        {
            WriteObject(client.GetTimeouts());
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, NetworkNamespace);
        }
    }
}
