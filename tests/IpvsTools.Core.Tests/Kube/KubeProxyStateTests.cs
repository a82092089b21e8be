using System.Net.Sockets;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>The desired node state against kube-proxy's IPVS rules, on fixture clusters.</summary>
public class KubeProxyStateTests
{
    private static readonly KubeEndpointPort[] DnsPorts = [EPort("dns", IpvsProtocol.Udp, 53), EPort("dns-tcp", IpvsProtocol.Tcp, 53)];

    private static KubeService Dns() => Service("kube-dns", "10.96.0.10", Port("dns", IpvsProtocol.Udp, 53), Port("dns-tcp", IpvsProtocol.Tcp, 53));

    [Fact]
    public void ClusterIPGetsAVirtualServerPerPortTheDummyAddressAndItsSets()
    {
        var state = Build(Options("172.18.0.3"), [Dns()],
            [Slice("kube-dns", "dns-1", KubeAddressType.IPv4, DnsPorts, Endpoint("10.244.1.7", "node-b"), Endpoint("10.244.0.5", Node))]);
        Assert.Equal(["TCP 10.96.0.10:53 rr -> 10.244.0.5:53, 10.244.1.7:53", "UDP 10.96.0.10:53 rr -> 10.244.0.5:53, 10.244.1.7:53"], Table(state));
        Assert.All(state.VirtualServers, v => Assert.Equal("255.255.255.255", v.Netmask));
        Assert.All(state.VirtualServers.SelectMany(v => v.Destinations), d => Assert.Equal((1, IpvsForwardingMethod.Masquerade), (d.Weight, d.ForwardingMethod)));
        Assert.Equal("ns/kube-dns:dns", state.VirtualServers[1].ServicePort);
        Assert.Equal([IP("10.96.0.10")], state.DummyAddresses);
        Assert.Equal(["10.96.0.10,tcp:53", "10.96.0.10,udp:53"], Members(state, "KUBE-CLUSTER-IP"));
        Assert.Equal(["10.96.0.10"], Members(state, "KUBE-IPVS-IPS"));
        // Only the local endpoint loops back.
        Assert.Equal(["10.244.0.5,tcp:53,10.244.0.5", "10.244.0.5,udp:53,10.244.0.5"], Members(state, "KUBE-LOOP-BACK"));
        // Every set exists, IPv4 only.
        Assert.Equal(KubeIpsetDefinition.All.Select(s => s.Name), state.Ipsets.Select(s => s.Name));
        Assert.Equal("hash:ip,port,net", state.Ipset("KUBE-LOAD-BALANCER-SOURCE-CIDR")!.Type);
        Assert.Equal("inet", state.Ipset("KUBE-CLUSTER-IP")!.Family);
        Assert.Null(state.Ipset("KUBE-NODE-PORT-TCP")!.Family);
    }

    [Fact]
    public void EndpointPortsMatchByNameAndProtocolAndDuplicatesAcrossSlicesCountOnce()
    {
        var svc = Service("web", "10.96.0.20", Port("http", IpvsProtocol.Tcp, 80), Port("", IpvsProtocol.Tcp, 81));
        var state = Build(Options(), [svc],
        [
            Slice("web", "web-1", KubeAddressType.IPv4, [EPort("http", IpvsProtocol.Tcp, 8080), EPort("http", IpvsProtocol.Udp, 9999), EPort("", IpvsProtocol.Tcp, 8181)],
                Endpoint("10.244.0.1"), Endpoint("10.244.0.2")),
            Slice("web", "web-2", KubeAddressType.IPv4, [EPort("http", IpvsProtocol.Tcp, 8080), EPort(null, IpvsProtocol.Tcp, 7777)],
                Endpoint("10.244.0.2", Node), Endpoint("10.244.0.3")),
            // Another Service's slice and an FQDN slice are not this port's.
            Slice("other", "other-1", KubeAddressType.IPv4, [EPort("http", IpvsProtocol.Tcp, 8080)], Endpoint("10.244.9.9")),
        ]);
        Assert.Equal(["TCP 10.96.0.20:80 rr -> 10.244.0.1:8080, 10.244.0.2:8080, 10.244.0.3:8080", "TCP 10.96.0.20:81 rr -> 10.244.0.1:8181, 10.244.0.2:8181"], Table(state));
        // The duplicate counts as local because one copy is.
        Assert.Equal(["10.244.0.2,tcp:8080,10.244.0.2"], Members(state, "KUBE-LOOP-BACK"));
    }

    private static KubeService NodePortWeb() => new()
    {
        Namespace = "ns",
        Name = "web",
        Type = KubeServiceType.NodePort,
        ClusterIPs = [IP("10.96.0.20")],
        Ports = [Port("http", IpvsProtocol.Tcp, 80, 30080), Port("q", IpvsProtocol.Udp, 81, 30081), Port("s", IpvsProtocol.Sctp, 82, 30082)],
    };

    [Fact]
    public void NodePortUsesEveryNodeAddressButLoopbackAndLinkLocal()
    {
        var svc = NodePortWeb();
        var state = Build(Options("172.18.0.3", "127.0.0.1", "10.1.0.4", "fe80::1"), [svc], []);
        Assert.Equal(
        [
            "TCP 10.1.0.4:30080 rr -> ", "TCP 10.96.0.20:80 rr -> ", "TCP 172.18.0.3:30080 rr -> ",
            "UDP 10.1.0.4:30081 rr -> ", "UDP 10.96.0.20:81 rr -> ", "UDP 172.18.0.3:30081 rr -> ",
            "SCTP 10.1.0.4:30082 rr -> ", "SCTP 10.96.0.20:82 rr -> ", "SCTP 172.18.0.3:30082 rr -> ",
        ], Table(state).OrderBy(t => t.Split(' ')[0] switch { "TCP" => 0, "UDP" => 1, _ => 2 }).ThenBy(t => t, StringComparer.Ordinal));
        Assert.All(state.VirtualServers.Where(v => v.Key.Port >= 30000), v => Assert.Equal(KubeAddressRole.NodePort, v.Role));
        Assert.Equal(["30080"], Members(state, "KUBE-NODE-PORT-TCP"));
        Assert.Equal(["30081"], Members(state, "KUBE-NODE-PORT-UDP"));
        Assert.Equal(["10.1.0.4,sctp:30082", "172.18.0.3,sctp:30082"], Members(state, "KUBE-NODE-PORT-SCTP-HASH"));
        Assert.Empty(Members(state, "KUBE-NODE-PORT-LOCAL-TCP"));
        // Node addresses are never put on kube-ipvs0.
        Assert.Equal([IP("10.96.0.20")], state.DummyAddresses);
    }

    [Fact]
    public void NodePortAddressesNarrowAndNoNodeAddressLeavesNodePortsOut()
    {
        var only = KubeProxyState.Build(new ClusterSnapshot([NodePortWeb()], []),
            new KubeProxyOptions { NodeName = Node, NodeAddresses = [IP("172.18.0.3"), IP("10.1.0.4")], NodePortAddresses = [IpNetwork.Parse("172.18.0.0/16")] });
        Assert.DoesNotContain(only.VirtualServers, v => v.Key.Address!.Equals(IP("10.1.0.4")));
        Assert.Contains(only.VirtualServers, v => v.Key.Address!.Equals(IP("172.18.0.3")));
        var none = KubeProxyState.Build(new ClusterSnapshot([NodePortWeb()], []), new KubeProxyOptions { NodeName = Node });
        Assert.Equal(3, none.VirtualServers.Count);
        Assert.Empty(Members(none, "KUBE-NODE-PORT-TCP"));
    }
}
