using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.KubeProxy;
using IpvsTools.Links;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// kube-proxy's NodePort addresses (KubeNodePortAddresses, the rule KubeProxyState uses) on a node's links
/// and addresses, given as KubeNodeReader.WithNodeAddresses reads them: NodeAddresses every address but
/// kube-ipvs0's, InterfaceAddresses every address.
/// </summary>
public class KubeNodePortAddressesTests
{
    private static readonly NetworkLink[] Links =
    [
        new(1, "lo", null, 0x49, LinkOperationalState.Unknown, 65536, "00:00:00:00:00:00", null),
        new(2, "eth0", null, 0x1003, LinkOperationalState.Up, 1500, "52:54:00:12:34:56", null),
        new(3, "docker0", "bridge", 0x1003, LinkOperationalState.Down, 1500, "02:42:ac:11:00:01", null),
        new(4, "kube-ipvs0", "dummy", 0x82, LinkOperationalState.Down, 1500, "6e:0b:1a:2c:3d:4e", null),
    ];

    private static readonly InterfaceAddress[] Addresses =
    [
        A(1, "127.0.0.1", 8), A(1, "::1", 128),
        A(2, "192.168.1.10", 24), A(2, "169.254.7.7", 16), A(2, "fe80::5054:ff:fe12:3456", 64), A(2, "2001:db8::10", 64),
        // An external IP that is also on a real interface: kube-proxy keeps it as a node address.
        A(2, "203.0.113.5", 32),
        A(3, "172.17.0.1", 16),
        A(4, "10.96.0.10", 32), A(4, "10.96.0.1", 32), A(4, "203.0.113.5", 32), A(4, "fd00:10:96::a", 128),
    ];

    private static InterfaceAddress A(int index, string address, byte prefix) => new(index, null, IPAddress.Parse(address), prefix, 0, 0, null);

    private static string[] Select(AddressFamily family, params string[] cidrs)
    {
        var kubeIpvs0 = Links.Single(l => l.Name == "kube-ipvs0").Index;
        var options = new KubeProxyOptions
        {
            NodeAddresses = Addresses.Where(a => a.InterfaceIndex != kubeIpvs0).Select(a => a.Address).Distinct().ToList(),
            InterfaceAddresses = Addresses.Select(a => a.Address).Distinct().ToList(),
            NodePortAddresses = cidrs.Select(IpNetwork.Parse).ToList(),
        };
        return KubeNodePortAddresses.NodeIPs(options, family, node: null).Select(a => a.ToString()).ToArray();
    }

    [Fact]
    public void WithoutCidrsEveryAddressButKubeIpvs0LoopbackAndIPv6LinkLocal()
    {
        Assert.Equal(["169.254.7.7", "172.17.0.1", "192.168.1.10", "203.0.113.5"], Select(AddressFamily.InterNetwork));
        Assert.Equal(["2001:db8::10"], Select(AddressFamily.InterNetworkV6));
    }

    [Fact]
    public void AZeroCidrOrOnlyCidrsOfTheOtherFamilyMeanEveryAddress()
    {
        Assert.Equal(Select(AddressFamily.InterNetwork), Select(AddressFamily.InterNetwork, "0.0.0.0/0"));
        Assert.Equal(Select(AddressFamily.InterNetwork), Select(AddressFamily.InterNetwork, "192.168.1.0/24", "0.0.0.0/0"));
        Assert.Equal(Select(AddressFamily.InterNetwork), Select(AddressFamily.InterNetwork, "2001:db8::/32"));
        Assert.Equal(Select(AddressFamily.InterNetworkV6), Select(AddressFamily.InterNetworkV6, "::/0"));
    }

    [Fact]
    public void CidrsSelectAddressesOfEveryInterfaceButNeverLoopback()
    {
        Assert.Equal(["192.168.1.10"], Select(AddressFamily.InterNetwork, "192.168.1.0/24"));
        // Host bits are ignored, as kube-proxy's sloppy parser ignores them (IpNetwork masks them).
        Assert.Equal(["192.168.1.10"], Select(AddressFamily.InterNetwork, "192.168.1.99/24"));
        // kube-ipvs0's own addresses are not excluded once CIDRs are given (kube-proxy does the same).
        Assert.Equal(["10.96.0.1", "10.96.0.10"], Select(AddressFamily.InterNetwork, "10.96.0.0/12"));
        Assert.Empty(Select(AddressFamily.InterNetwork, "127.0.0.0/8"));
        Assert.Equal(["203.0.113.5"], Select(AddressFamily.InterNetwork, "203.0.113.5/32", "203.0.113.0/24"));
        // Link-local IPv6 only when a CIDR asks for it.
        Assert.Equal(["fe80::5054:ff:fe12:3456"], Select(AddressFamily.InterNetworkV6, "fe80::/10"));
        Assert.Equal(["2001:db8::10", "fd00:10:96::a"], Select(AddressFamily.InterNetworkV6, "2001:db8::/32", "fd00::/8", "10.0.0.0/8"));
    }

    [Fact]
    public void OnlyInternetFamiliesAreAccepted()
    {
        Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<IpvsToolsException>(() => Select(AddressFamily.Unix)).Kind);
    }
}
