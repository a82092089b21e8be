using System.Linq;
using System.Net;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// Whether kube-proxy in IPVS mode owns a virtual service: it binds the address of every virtual service
/// it programs to kube-ipvs0 and puts its own settings back at each sync (every 30 s by default).
/// </summary>
public static class KubeProxyOwnership
{
    /// <summary>
    /// True when the service's address is on kube-ipvs0 in <paramref name="ns"/>; false when it is not, there
    /// is no kube-ipvs0, or the service is a firewall-mark one (it has no address); null when the links or
    /// addresses could not be read.
    /// </summary>
    public static bool? OwnsService(IpvsServiceKey key, NetworkNamespace? ns)
    {
        if (key.Address is not IPAddress address) return false;
        try
        {
            var (dummy, addresses) = KubeNodeReader.ReadLinks(ns);
            return dummy is not null && addresses.Any(a => a.InterfaceIndex == dummy.Index && a.Address.Equals(address));
        }
        catch (IpvsToolsException)
        {
            return null;
        }
    }
}
