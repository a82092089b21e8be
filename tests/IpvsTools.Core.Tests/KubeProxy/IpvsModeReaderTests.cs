using System.Net;
using System.Net.Sockets;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using Xunit;
using static IpvsTools.Tests.KubeProxy.KubeProxyFixtures;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>
/// IPVS mode's front ends from a node's tables as kube-proxy leaves them (the IPVS table, KUBE-* sets, kube-ipvs0),
/// built here as objects: the unit tier has no IPVS. The same Services as TestOverallIPTablesRules' svc1, svc3 and
/// svc5 on a node with addresses 192.168.0.2 and 192.168.1.2.
/// </summary>
public class IpvsModeReaderTests
{
    private static IpvsService Service(string address, ushort port, uint persistence = 0, params (string Address, ushort Port, int Weight)[] destinations)
    {
        var key = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse(address), port);
        var list = destinations.Select(d => new IpvsDestination(key, AddressFamily.InterNetwork, IPAddress.Parse(d.Address), d.Port, IpvsForwardingMethod.Masquerade,
            d.Weight, 0, 0, 0, 0, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero)).ToList();
        return new IpvsService(key, "rr", persistence > 0 ? 1u : 0u, persistence, "255.255.255.255", null, list, IpvsStatistics.Zero, IpvsRates.Zero);
    }

    private static KubeNodeTables Node() => new(
        new[]
        {
            Service("172.30.0.41", 80, 0, ("10.180.0.1", 80, 1)),
            Service("172.30.0.43", 80, 0, ("10.180.0.3", 80, 1)),
            Service("192.168.0.2", 3003, 0, ("10.180.0.3", 80, 1)),
            Service("192.168.1.2", 3003, 0, ("10.180.0.3", 80, 1)),
            Service("172.30.0.45", 80, 10800, ("10.180.0.3", 80, 1), ("10.180.0.9", 80, 0)),
            Service("5.6.7.8", 80, 10800, ("10.180.0.3", 80, 1)),
            Service("172.30.0.46", 80),
            // keepalived's virtual server: no KUBE-* set lists it, its address is not on kube-ipvs0.
            Service("192.168.0.100", 443, 0, ("192.168.0.10", 443, 1)),
        },
        new[]
        {
            new KubeActualIpset("KUBE-CLUSTER-IP", "hash:ip,port", new[] { "172.30.0.41,tcp:80", "172.30.0.43,tcp:80", "172.30.0.45,tcp:80", "172.30.0.46,tcp:80" }),
            new KubeActualIpset("KUBE-LOAD-BALANCER", "hash:ip,port", new[] { "5.6.7.8,tcp:80" }),
            new KubeActualIpset("KUBE-NODE-PORT-TCP", "bitmap:port", new[] { "3003" }),
        },
        true,
        new[] { IPAddress.Parse("172.30.0.41"), IPAddress.Parse("172.30.0.43"), IPAddress.Parse("172.30.0.45"), IPAddress.Parse("172.30.0.46"), IPAddress.Parse("5.6.7.8") });

    [Fact]
    public void VirtualServersAreFrontEndsOfTheKindTheSetsSay()
    {
        var services = IpvsModeReader.Read(Node(), "node");
        Assert.Equal(new[]
        {
            "TCP 172.30.0.41:80 ClusterIP : [10.180.0.1:80 w=1] affinity=none",
            "TCP 172.30.0.43:80 ClusterIP : [10.180.0.3:80 w=1] affinity=none",
            // The draining real server (weight 0) takes no new connections.
            "TCP 172.30.0.45:80 ClusterIP : [10.180.0.3:80 w=1] affinity=10800",
            "TCP 172.30.0.46:80 ClusterIP : [] affinity=none",
            // One node port front end per node address, as IPVS mode programs them.
            "TCP 192.168.0.2:3003 NodePort : [10.180.0.3:80 w=1] affinity=none",
            "TCP 192.168.1.2:3003 NodePort : [10.180.0.3:80 w=1] affinity=none",
            "TCP 5.6.7.8:80 LoadBalancer : [10.180.0.3:80 w=1] affinity=10800",
        }, Describe(services));
        Assert.All(services, s => Assert.Equal(KubeProxyMode.Ipvs, s.Mode));
        Assert.All(services, s => Assert.Null(s.Service));
        Assert.All(services, s => Assert.Equal("node", s.NetworkNamespace));
    }

    [Fact]
    public void IPv6SetsAreReadUnderTheirOwnNames()
    {
        var key = IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse("fd00:10:96::a"), 53);
        var destination = new IpvsDestination(key, AddressFamily.InterNetworkV6, IPAddress.Parse("fd00:10:180::1"), 53, IpvsForwardingMethod.Masquerade,
            1, 0, 0, 0, 0, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero);
        var service = new IpvsService(key, "rr", 0, 0, "128", null, new[] { destination }, IpvsStatistics.Zero, IpvsRates.Zero);
        var tables = new KubeNodeTables(new[] { service },
            new[] { new KubeActualIpset("KUBE-6-CLUSTER-IP", "hash:ip,port", new[] { "fd00:10:96:0:0:0:0:a,udp:53" }) }, true, Array.Empty<IPAddress>());
        Assert.Equal(new[] { "UDP [fd00:10:96::a]:53 ClusterIP : [[fd00:10:180::1]:53 w=1] affinity=none" }, Describe(IpvsModeReader.Read(tables)));
    }
}
