using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Conntrack;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The conntrack clean-up against the host kernel: a UDP flow to a virtual address that was DNATed to an
/// endpoint (the shape IPVS with net.ipv4.vs.conntrack=1 gives its entries: original destination the
/// virtual server, reply source the endpoint) is deleted, and only that one; a second call finds none.
/// </summary>
[Trait("Tier", "Host")]
public class ConntrackToolHostTests
{
    [Fact]
    public void TheRemovedEndpointsFlowsToTheVirtualServerAreDeleted()
    {
        TestNamespace.RequireRoot();
        using var test = new TestNamespace();
        test.Exec("ip", "addr", "add", "10.244.1.5/32", "dev", "lo");
        test.Exec("ip", "addr", "add", "10.244.1.6/32", "dev", "lo");
        test.Exec("ip", "route", "add", "10.96.0.30/32", "dev", "lo");
        test.Exec("ip", "route", "add", "10.96.0.31/32", "dev", "lo");
        test.Exec("iptables", "-w", "-t", "nat", "-A", "OUTPUT", "-d", "10.96.0.30", "-p", "udp", "--dport", "53", "-j", "DNAT", "--to-destination", "10.244.1.5:5353");
        test.Exec("iptables", "-w", "-t", "nat", "-A", "OUTPUT", "-d", "10.96.0.31", "-p", "udp", "--dport", "53", "-j", "DNAT", "--to-destination", "10.244.1.6:5353");
        test.Exec("bash", "-c", "echo x > /dev/udp/10.96.0.30/53; echo x > /dev/udp/10.96.0.31/53");
        Assert.Contains("dst=10.96.0.30", test.Exec("conntrack", "-L", "-p", "udp"));

        var ns = NetworkNamespace.Resolve(test.Name);
        Assert.Equal(1, ConntrackTool.DeleteFlows(ns, IpvsProtocol.Udp, IP("10.96.0.30"), 53, IP("10.244.1.5")));
        var left = test.Exec("conntrack", "-L", "-p", "udp");
        Assert.DoesNotContain("dst=10.96.0.30", left);
        Assert.Contains("dst=10.96.0.31", left); // another service's flow stays
        Assert.Equal(0, ConntrackTool.DeleteFlows(ns, IpvsProtocol.Udp, IP("10.96.0.30"), 53, IP("10.244.1.5")));
        // Another endpoint of the same virtual server: nothing of 10.244.1.6 is deleted through 10.96.0.30.
        Assert.Equal(0, ConntrackTool.DeleteFlows(ns, IpvsProtocol.Udp, IP("10.96.0.31"), 53, IP("10.244.1.5")));
        Assert.Contains("dst=10.96.0.31", test.Exec("conntrack", "-L", "-p", "udp"));
    }
}
