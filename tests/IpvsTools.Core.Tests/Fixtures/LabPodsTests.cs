using System.Net;
using System.Net.Sockets;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.Tests.Fixtures;

/// <summary>The pod fixture itself: pods answer directly on the host kernel (veth) and through IPVS in the lab.</summary>
public class LabPodsTests
{
    [Fact]
    [Trait("Tier", "Host")]
    public void PodsAnswerDirectlyAndGoAwayCompletely()
    {
        using var node = new TestNamespace();
        node.Exec("ip", "-6", "addr", "add", "fd00::1/128", "dev", "lo"); // the node's own global IPv6 address
        string[] namespaces;
        using (var pods = new LabPods(node))
        {
            var (a, b) = (pods.Add("web-a", "10.244.1.5", "fd00:244::5"), pods.Add("web-b", "10.244.1.6"));
            a.ServeTcp(8080).ServeUdp(9000).ServeDns();
            b.ServeTcp(8080).ServeDns(5353);
            namespaces = [a.NamespaceName, b.NamespaceName];

            Assert.Equal("web-a", pods.AskTcp(a.Address, 8080));
            Assert.Equal("web-a", pods.AskTcp(a.Address6!, 8080));
            Assert.Equal("web-b", pods.AskTcp(b.Address, 8080));
            Assert.Equal("web-a", pods.AskUdp(a.Address, 9000));
            Assert.Equal(a.Address, pods.AskDns(a.Address));
            Assert.Equal(a.Address6, pods.AskDns(a.Address6!));
            Assert.Equal(b.Address, pods.AskDns(b.Address, 5353));
            Assert.Equal((2, 3), (a.TcpAccepted, a.UdpAnswered));
            // The pods' sockets are in the pods' namespaces: ss there shows them, the node has none.
            Assert.Contains(":8080", a.Exec("ss", "-Htln"));
            Assert.DoesNotContain(":8080", node.Exec("ss", "-Htln"));

            // No listener: TCP is refused at once.
            b.Stop(ProtocolType.Tcp, 8080);
            Assert.Equal(SocketError.ConnectionRefused, Assert.Throws<SocketException>(() => pods.AskTcp(b.Address, 8080)).SocketErrorCode);

            // A pod that is gone takes its namespace, veth and route with it.
            b.Remove();
            Assert.False(b.Exists);
            Assert.DoesNotContain(b.NamespaceName, Tool.Run("ip", "netns", "list"));
            Assert.DoesNotContain("10.244.1.6", node.Exec("ip", "route", "show"));
            Assert.Equal(1, node.TryExec("ip", "link", "show", b.NodeLink).ExitCode);
            Assert.Equal("web-a", pods.AskTcp(a.Address, 8080));
        }
        var left = Tool.Run("ip", "netns", "list");
        Assert.All(namespaces, n => Assert.DoesNotContain(n, left));
    }

    [Fact]
    [Trait("Tier", "Lab")]
    public void PodsAnswerThroughIpvsRoundRobin()
    {
        Lab.RequireIpvs();
        using var node = new TestNamespace();
        using var pods = new LabPods(node);
        foreach (var pod in pods.AddMany(2, ipv6: true)) pod.ServeTcp(8080).ServeDns();
        node.Exec("ip", "link", "add", "kube-ipvs0", "type", "dummy");
        node.Exec("ip", "addr", "add", "10.96.0.10/32", "dev", "kube-ipvs0");
        node.Exec("ip", "-6", "addr", "add", "fd00:96::a/128", "dev", "kube-ipvs0", "nodad");
        Lab.IpvsadmRestore(node, """
            -A -t 10.96.0.10:80 -s rr
            -a -t 10.96.0.10:80 -r 10.244.1.10:8080 -m
            -a -t 10.96.0.10:80 -r 10.244.1.11:8080 -m
            -A -u 10.96.0.10:53 -s rr
            -a -u 10.96.0.10:53 -r 10.244.1.10:53 -m
            -a -u 10.96.0.10:53 -r 10.244.1.11:53 -m
            -A -t [fd00:96::a]:80 -s rr
            -a -t [fd00:96::a]:80 -r [fd00:244::a]:8080 -m
            -a -t [fd00:96::a]:80 -r [fd00:244::b]:8080 -m

            """);
        var vip = IPAddress.Parse("10.96.0.10");
        Assert.Equal(["pod-0", "pod-1"], new[] { pods.AskTcp(vip, 80), pods.AskTcp(vip, 80) }.Order());
        Assert.Equal(["pod-0", "pod-1"], new[] { pods.AskTcp(IPAddress.Parse("fd00:96::a"), 80), pods.AskTcp(IPAddress.Parse("fd00:96::a"), 80) }.Order());
        // Each DNS query comes from a new source port: rr sends the two to different pods.
        Assert.Equal(["10.244.1.10", "10.244.1.11"], new[] { pods.AskDns(vip), pods.AskDns(vip) }.Select(a => a.ToString()).Order());
        Assert.Contains("10.244.1.10:8080", node.Exec("ipvsadm", "-Lnc"));
    }
}
