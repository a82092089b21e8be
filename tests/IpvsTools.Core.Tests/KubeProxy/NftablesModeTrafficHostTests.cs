using System.Net;
using System.Net.Sockets;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.NftablesMode;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.KubeProxy.KubeProxyFixtures;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>
/// Real traffic through kube-proxy's nftables rules on the host kernel: kube-proxy's TestOverallNFTablesRules
/// ruleset in a node namespace, its endpoints as veth "pods" serving TCP, and connections from the node reaching
/// exactly the endpoints the reader names (and refused where it names none).
/// </summary>
[Trait("Tier", "Host")]
public sealed class NftablesModeTrafficHostTests : IDisposable
{
    private readonly TestNamespace _node = new();
    private readonly LabPods _pods;

    public NftablesModeTrafficHostTests()
    {
        _pods = new LabPods(_node);
        LoadNftables(_node, "nftables-overall.nft");
        foreach (var (name, address) in new[] { ("svc1-pod", "10.180.0.1"), ("svc3-pod", "10.180.0.3"), ("svc4-pod-a", "10.180.0.4"), ("svc4-pod-b", "10.180.0.5") })
            _pods.Add(name, address).ServeTcp(80);
        // A route for the ClusterIP range (a node has a default route); the rules' DNAT sends the packets on to the pods.
        _node.Exec("ip", "route", "add", "172.30.0.0/16", "dev", _pods.Pods[0].NodeLink);
        // The node address kube-proxy's test accepts node ports on (nodeport-ips).
        _node.Exec("ip", "addr", "add", "192.168.0.2/32", "dev", "lo");
    }

    public void Dispose()
    {
        _pods.Dispose();
        _node.Dispose();
    }

    private KubeProxyService FrontEnd(string frontEnd)
        => NftablesModeReader.Read(NetworkNamespace.Resolve(_node.Name)).Single(s => s.FrontEnd == frontEnd);

    private string PodAt(KubeProxyEndpoint endpoint) => _pods.Pods.Single(p => p.Address.Equals(endpoint.Address)).Name;

    [Fact]
    public void AClusterIpReachesTheEndpointTheReaderNames()
    {
        var service = FrontEnd("TCP 172.30.0.41:80");
        var endpoint = Assert.Single(service.Endpoints);
        Assert.Equal(PodAt(endpoint), _pods.AskTcp(IPAddress.Parse("172.30.0.41"), 80));
    }

    [Fact]
    public void AClusterIpWithTwoEndpointsReachesBothAndNothingElse()
    {
        var service = FrontEnd("TCP 172.30.0.44:80");
        Assert.Equal(2, service.Endpoints.Count);
        var expected = service.Endpoints.Select(PodAt).Order(StringComparer.Ordinal).ToList();
        // numgen random mod 2: 24 connections all land on one endpoint with probability 2 * 0.5^24.
        var answered = Enumerable.Range(0, 24).Select(_ => _pods.AskTcp(IPAddress.Parse("172.30.0.44"), 80)).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, answered);
    }

    [Fact]
    public void ANodePortOnTheNodeAddressReachesTheEndpointTheReaderNames()
    {
        var service = FrontEnd("TCP 0.0.0.0:3003");
        Assert.Equal(KubeProxyServiceKind.NodePort, service.Kind);
        var endpoint = Assert.Single(service.Endpoints);
        Assert.Equal(PodAt(endpoint), _pods.AskTcp(IPAddress.Parse("192.168.0.2"), 3003));
    }

    [Fact]
    public void AFrontEndWithoutEndpointsIsRefused()
    {
        Assert.True(FrontEnd("TCP 172.30.0.46:80").IsRejected);
        var refused = Assert.ThrowsAny<SocketException>(() => _pods.AskTcp(IPAddress.Parse("172.30.0.46"), 80, TimeSpan.FromSeconds(5)));
        Assert.Equal(SocketError.ConnectionRefused, refused.SocketErrorCode);
    }
}
