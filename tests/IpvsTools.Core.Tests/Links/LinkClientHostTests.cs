using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Links;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Tests.Links;

/// <summary>Links over rtnetlink in throwaway namespaces, cross-checked with `ip`. The host kernel has veth but no dummy links.</summary>
[Trait("Tier", "Host")]
public class LinkClientHostTests
{
    [Fact]
    public void ListsWhatIpLinkShows()
    {
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        using var client = LinkClient.Open(NetworkNamespace.Resolve(ns.Name));
        var links = client.List();
        var tool = ns.Exec("ip", "-o", "link", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(':')[0] + ": " + l.Split(':')[1].Trim().Split('@')[0]).ToList();
        Assert.Equal(tool, links.Select(l => l.ToString()));
        var v0 = links.Single(l => l.Name == "v0");
        Assert.Equal("veth", v0.Kind);
        Assert.False(v0.IsUp);
        Assert.Equal(LinkOperationalState.Down, v0.OperationalState);
        Assert.Equal(1500u, v0.Mtu);
        Assert.Contains("link/ether " + v0.MacAddress + " ", ns.Exec("ip", "-o", "link", "show", "v0"));
        var lo = links.Single(l => l.Name == "lo");
        Assert.True(lo.IsLoopback);
        Assert.True(lo.IsUp);
        Assert.Equal(ns.Name, lo.NetworkNamespace);
    }

    [Fact]
    public void FindsByNameAndIndexAndMissesAreNull()
    {
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        using var client = LinkClient.Open(NetworkNamespace.Resolve(ns.Name));
        var v1 = client.Find("v1")!;
        Assert.Equal(ns.Exec("cat", "/sys/class/net/v1/ifindex").Trim(), v1.Index.ToString());
        Assert.Equal("v1", client.Find(v1.Index)!.Name);
        Assert.Null(client.Find("kube-ipvs0"));
        Assert.Null(client.Find(9999));
        Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<IpvsToolsException>(() => client.Find("a-name-far-too-long")).Kind);
        Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<IpvsToolsException>(() => client.Find(0)).Kind);
    }

    [Fact]
    public void SetsUpAndDownAndDeletes()
    {
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        using var client = LinkClient.Open(NetworkNamespace.Resolve(ns.Name));
        var v0 = client.Find("v0")!;
        client.SetUp(v0.Index, true);
        Assert.Matches(@"<[^>]*\bUP\b", ns.Exec("ip", "-o", "link", "show", "v0"));
        Assert.True(client.Find("v0")!.IsUp);
        client.SetUp(v0.Index, false);
        Assert.DoesNotMatch(@"<[^>]*\bUP\b", ns.Exec("ip", "-o", "link", "show", "v0"));
        client.Delete(v0.Index);
        Assert.Equal(1, ns.TryExec("ip", "link", "show", "v0").ExitCode);
        Assert.Null(client.Find("v1"));
        Assert.Equal(FailureKind.NotFound, Assert.Throws<NetlinkException>(() => client.Delete(v0.Index)).Kind);
    }

    [Fact]
    public void WithoutDummyLinksCreatingKubeIpvs0SaysWhatToDoAndChangesNothing()
    {
        using var ns = new TestNamespace();
        var before = ns.Exec("ip", "-o", "link", "show");
        using var client = LinkClient.Open(NetworkNamespace.Resolve(ns.Name));
        // The host kernel has no dummy link type (the lab's has): the error must say what to do.
        Assert.NotEqual(0, ns.TryExec("ip", "link", "add", "probe0", "type", "dummy").ExitCode);
        var error = Assert.Throws<NetlinkException>(() => client.CreateDummy(KubeIpvsInterface.LinkName));
        Assert.Equal(FailureKind.ModuleMissing, error.Kind);
        Assert.Contains("modprobe dummy", error.Message);
        Assert.Contains("kube-ipvs0", error.Message);
        Assert.Equal(before, ns.Exec("ip", "-o", "link", "show"));
    }

    /// <summary>
    /// kube-proxy's NodePort addresses of a namespace, as production selects them: the node's addresses read
    /// (KubeNodeReader.WithNodeAddresses), then kube-proxy's rule (KubeNodePortAddresses).
    /// </summary>
    internal static IReadOnlyList<IPAddress> NodePortAddresses(NetworkNamespace? space, AddressFamily family, params string[] cidrs)
        => KubeNodePortAddresses.NodeIPs(KubeNodeReader.WithNodeAddresses(new KubeProxyOptions { NodePortAddresses = cidrs.Select(IpNetwork.Parse).ToList() }, space),
            family, node: null);

    [Fact]
    public void NodeAddressesAreTheLocalAddressesKubeProxyUses()
    {
        using var ns = new TestNamespace();
        // A veth named kube-ipvs0 stands in for the dummy link the host kernel cannot make.
        ns.Exec("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "kube-ipvs0");
        ns.Exec("ip", "addr", "add", "192.168.50.10/24", "dev", "eth0");
        ns.Exec("ip", "addr", "add", "2001:db8:50::10/64", "dev", "eth0", "nodad");
        ns.Exec("ip", "addr", "add", "fe80::1234/64", "dev", "eth0", "nodad");
        ns.Exec("ip", "addr", "add", "10.96.0.10/32", "dev", "kube-ipvs0");
        ns.Exec("ip", "addr", "add", "fd00:10:96::a/128", "dev", "kube-ipvs0", "nodad");
        ns.Exec("ip", "addr", "add", "127.0.0.2/8", "dev", "lo");
        var space = NetworkNamespace.Resolve(ns.Name);
        string[] Read(AddressFamily f, params string[] cidrs) => NodePortAddresses(space, f, cidrs).Select(a => a.ToString()).ToArray();
        Assert.Equal(["192.168.50.10"], Read(AddressFamily.InterNetwork));
        Assert.Equal(["2001:db8:50::10"], Read(AddressFamily.InterNetworkV6));
        Assert.Equal(["10.96.0.10"], Read(AddressFamily.InterNetwork, "10.96.0.0/12"));
        Assert.Equal(["fe80::1234"], Read(AddressFamily.InterNetworkV6, "fe80::/64"));
        // Cross-check: every address kept is one `ip` lists, and the loopback one it lists was left out.
        var listed = ns.Exec("ip", "-o", "addr", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Split('/')[0]).ToHashSet();
        Assert.Subset(listed, Read(AddressFamily.InterNetwork).Concat(Read(AddressFamily.InterNetworkV6)).ToHashSet());
        Assert.Contains("127.0.0.2", listed);
    }
}
