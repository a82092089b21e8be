using System.Net;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.Namespaces;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// kube-proxy owns a virtual service whose address is on kube-ipvs0, read from the host kernel in a throwaway
/// namespace (no dummy links on the host: a veth named kube-ipvs0 stands in), cross-checked with `ip`.
/// </summary>
[Trait("Tier", "Host")]
public class KubeProxyOwnershipHostTests
{
    private static IpvsServiceKey Tcp(string address) => IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse(address), 53);

    [Fact]
    public void AServiceIsOwnedExactlyWhenItsAddressIsOnKubeIpvs0()
    {
        using var ns = new TestNamespace();
        var netns = NetworkNamespace.Resolve(ns.Name);
        Assert.Equal(false, KubeProxyOwnership.OwnsService(Tcp("10.96.0.10"), netns)); // no kube-ipvs0 at all
        ns.Exec("ip", "link", "add", "kube-ipvs0", "type", "veth", "peer", "name", "kp1");
        ns.Exec("ip", "addr", "add", "10.96.0.10/32", "dev", "kube-ipvs0");
        ns.Exec("ip", "addr", "add", "fd00:10:96::a/128", "dev", "kube-ipvs0", "nodad");
        ns.Exec("ip", "addr", "add", "10.96.0.11/32", "dev", "kp1");
        Assert.Contains("10.96.0.10/32", ns.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0"));
        Assert.Equal(true, KubeProxyOwnership.OwnsService(Tcp("10.96.0.10"), netns));
        Assert.Equal(true, KubeProxyOwnership.OwnsService(Tcp("fd00:10:96::a"), netns));
        Assert.Equal(false, KubeProxyOwnership.OwnsService(Tcp("10.96.0.11"), netns)); // on another link
        Assert.Equal(false, KubeProxyOwnership.OwnsService(Tcp("10.96.0.12"), netns));
        Assert.Equal(false, KubeProxyOwnership.OwnsService(IpvsServiceKey.ForFirewallMark(7), netns));
    }
}
