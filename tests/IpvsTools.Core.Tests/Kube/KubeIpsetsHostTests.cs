using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;
using IpvsTools.Sync;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The desired sets created with the ipset tool as kube-proxy creates them, read back over netlink as
/// the planner reads them: no set write is planned (host sizes like /32 and /128 are spelt differently
/// by ipset and kube-proxy and must still compare equal), and ipset save shows kube-proxy's members.
/// </summary>
[Trait("Tier", "Host")]
public class KubeIpsetsHostTests
{
    [Fact]
    public void SetsReadBackFromTheKernelNeedNoWrite()
    {
        TestNamespace.RequireRoot();
        var lb = new KubeService
        {
            Namespace = "ns", Name = "lb", Type = KubeServiceType.LoadBalancer, ClusterIPs = [IP("10.96.0.30"), IP("fd00:10:96::30")],
            Ports = [Port("http", IpvsProtocol.Tcp, 80, 30090), Port("s", IpvsProtocol.Sctp, 81, 30091), Port("u", IpvsProtocol.Udp, 82, 30092)],
            LoadBalancerIngress = [new KubeLoadBalancerIngress(IP("192.0.2.50")), new KubeLoadBalancerIngress(IP("2001:db8::50"))],
            LoadBalancerSourceRanges = [IpNetwork.Parse("198.51.100.7/32"), IpNetwork.Parse("203.0.113.0/24"), IpNetwork.Parse("2001:db8:1::1/128"), IpNetwork.Parse("2001:db8:2::/48")],
            ExternalTrafficPolicy = KubeTrafficPolicy.Local, HealthCheckNodePort = 32100,
        };
        var desired = Build(Options("172.18.0.3", "fd00:18::3"), [lb],
        [
            Slice("lb", "l4", KubeAddressType.IPv4, [EPort("http", IpvsProtocol.Tcp, 8080)], Endpoint("10.244.0.9", Node)),
            Slice("lb", "l6", KubeAddressType.IPv6, [EPort("http", IpvsProtocol.Tcp, 8080)], Endpoint("fd00:244::9", Node)),
        ]);
        Assert.Contains("192.0.2.50,tcp:80,198.51.100.7/32", desired.Ipset("KUBE-LOAD-BALANCER-SOURCE-CIDR")!.Members);

        using var ns = new TestNamespace();
        ns.Feed(string.Concat(desired.Ipsets.Select(s => s.RestoreText())), "ipset", "restore");
        IReadOnlyList<IpvsTools.Ipsets.Ipset> read;
        using (var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name))) read = client.List();
        var actual = new KubeNodeActualState(null, read.Select(s => KubeActualIpset.From(s)).ToList(), true, desired.DummyAddresses, null);

        var plan = KubeIpvsPlanner.Plan(desired, actual, Options("172.18.0.3", "fd00:18::3"));
        Assert.DoesNotContain(plan.Operations, o => o.Layer == KubeIpvsLayer.Ipset);
        Assert.Equal(34, read.Count);
        // What the kernel holds, as the ipset tool prints it.
        var save = ns.Exec("ipset", "save");
        Assert.Contains("add KUBE-LOAD-BALANCER-SOURCE-CIDR 192.0.2.50,tcp:80,198.51.100.7\n", save);
        Assert.Contains("add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8::50,tcp:80,2001:db8:1::1\n", save);
        Assert.Contains("add KUBE-NODE-PORT-LOCAL-SCTP-HASH 172.18.0.3,sctp:30091\n", save);
        Assert.Contains("add KUBE-6-LOOP-BACK fd00:244::9,tcp:8080,fd00:244::9\n", save);
        Assert.Contains("create KUBE-NODE-PORT-UDP bitmap:port range 0-65535", save);
    }
}
