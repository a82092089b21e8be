using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Links;

/// <summary>The dummy link kube-ipvs0 over rtnetlink, in the lab kernel (the host's has no dummy links), cross-checked with `ip`.</summary>
[Trait("Tier", "Lab")]
public class LinkClientLabTests
{
    public LinkClientLabTests() => Lab.RequireIpvs();

    [Fact]
    public void CreatesKubeIpvs0AsKubeProxyDoesAndDeletesIt()
    {
        using var ns = new TestNamespace();
        var space = NetworkNamespace.Resolve(ns.Name);
        using var links = LinkClient.Open(space);
        var link = links.CreateDummy(KubeIpvsInterface.LinkName);
        Assert.Equal("kube-ipvs0", link.Name);
        Assert.Equal("dummy", link.Kind);
        Assert.False(link.IsUp);
        Assert.Equal(LinkOperationalState.Down, link.OperationalState);
        var shown = ns.Exec("ip", "-d", "-o", "link", "show", "kube-ipvs0");
        Assert.Contains("dummy", shown);
        Assert.Contains("state DOWN", shown);
        Assert.StartsWith(link.Index + ": kube-ipvs0:", shown);
        Assert.Equal(FailureKind.AlreadyExists, Assert.Throws<NetlinkException>(() => links.CreateDummy(KubeIpvsInterface.LinkName)).Kind);

        // Service addresses go on it while it stays down; they are local and NodePort selection skips them.
        using (var addresses = AddressClient.Open(space))
        {
            addresses.Add(link.Index, IPAddress.Parse("10.96.0.10"), 32);
            addresses.Add(link.Index, IPAddress.Parse("fd00:10:96::a"), 128);
        }
        Assert.Equal(["10.96.0.10/32", "fd00:10:96::a/128"], ns.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]).Order());
        Assert.Contains("local 10.96.0.10 dev kube-ipvs0", ns.Exec("ip", "route", "show", "table", "local"));
        Assert.Empty(LinkClientHostTests.NodePortAddresses(space, AddressFamily.InterNetwork));
        Assert.Equal(["10.96.0.10"], LinkClientHostTests.NodePortAddresses(space, AddressFamily.InterNetwork, "10.96.0.0/12").Select(a => a.ToString()));

        links.SetUp(link.Index, true);
        Assert.True(links.Find("kube-ipvs0")!.IsUp);
        links.SetUp(link.Index, false);
        Assert.Contains("state DOWN", ns.Exec("ip", "-o", "link", "show", "kube-ipvs0"));

        links.Delete(link.Index);
        Assert.Null(links.Find("kube-ipvs0"));
        Assert.Equal(1, ns.TryExec("ip", "link", "show", "kube-ipvs0").ExitCode);
    }
}
