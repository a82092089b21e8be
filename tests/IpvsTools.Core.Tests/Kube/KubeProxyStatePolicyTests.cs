using System.Net.Sockets;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>LoadBalancer, ExternalIP, affinity, traffic policies, terminating endpoints, topology, dual-stack, skipped Services.</summary>
public class KubeProxyStatePolicyTests
{
    private static readonly KubeEndpointPort[] Http = [EPort("http", IpvsProtocol.Tcp, 8080)];

    private static KubeService Lb(KubeTrafficPolicy etp = KubeTrafficPolicy.Cluster, string[]? ranges = null, KubeLoadBalancerIngress[]? ingress = null) => new()
    {
        Namespace = "ns",
        Name = "lb",
        Type = KubeServiceType.LoadBalancer,
        ClusterIPs = [IP("10.96.0.30")],
        Ports = [Port("http", IpvsProtocol.Tcp, 80, 30090)],
        LoadBalancerIngress = ingress ?? [new KubeLoadBalancerIngress(IP("192.0.2.50"))],
        LoadBalancerSourceRanges = (ranges ?? []).Select(IpNetwork.Parse).ToList(),
        ExternalTrafficPolicy = etp,
        HealthCheckNodePort = etp == KubeTrafficPolicy.Local ? 32100 : 0,
    };

    private static KubeEndpointSlice LbSlice(params KubeEndpoint[] endpoints) => Slice("lb", "lb-1", KubeAddressType.IPv4, Http, endpoints);

    [Fact]
    public void LoadBalancerWithSourceRangesFillsTheFirewallSets()
    {
        var state = Build(Options("172.18.0.3"), [Lb(ranges: ["203.0.113.0/24", "172.18.0.0/16", "fd00::/8"])], [LbSlice(Endpoint("10.244.0.5"))], NodeObject());
        Assert.Contains("TCP 192.0.2.50:80 rr -> 10.244.0.5:8080", Table(state));
        Assert.Equal(KubeAddressRole.LoadBalancer, state.VirtualServers.Single(v => v.Key.Address!.Equals(IP("192.0.2.50"))).Role);
        Assert.Equal(["192.0.2.50,tcp:80"], Members(state, "KUBE-LOAD-BALANCER"));
        Assert.Equal(["192.0.2.50,tcp:80"], Members(state, "KUBE-LOAD-BALANCER-FW"));
        // IPv6 ranges belong to the IPv6 proxier only.
        Assert.Equal(["192.0.2.50,tcp:80,172.18.0.0/16", "192.0.2.50,tcp:80,203.0.113.0/24"], Members(state, "KUBE-LOAD-BALANCER-SOURCE-CIDR"));
        // The node's own IP (172.18.0.3, from the Node object) is in a range: the node may reach the LB.
        Assert.Equal(["192.0.2.50,tcp:80,192.0.2.50"], Members(state, "KUBE-LOAD-BALANCER-SOURCE-IP"));
        Assert.Empty(Members(state, "KUBE-LOAD-BALANCER-LOCAL"));
        Assert.Equal([IP("10.96.0.30"), IP("192.0.2.50")], state.DummyAddresses);
        Assert.Equal(["10.96.0.30", "192.0.2.50"], Members(state, "KUBE-IPVS-IPS"));

        var noNode = Build(Options("172.18.0.3"), [Lb(ranges: ["203.0.113.0/24"])], [], NodeObject());
        Assert.Empty(Members(noNode, "KUBE-LOAD-BALANCER-SOURCE-IP"));
    }

    [Fact]
    public void ProxyModeIngressIsNotProgrammedAndAnIngressOnANodeInterfaceIsNotBound()
    {
        var state = Build(Options("172.18.0.3", "192.0.2.51"), [Lb(ingress:
            [new KubeLoadBalancerIngress(IP("192.0.2.50"), null, "Proxy"), new KubeLoadBalancerIngress(IP("192.0.2.51"), null, "VIP"), new KubeLoadBalancerIngress(null, "lb.example")])], []);
        Assert.DoesNotContain(state.VirtualServers, v => v.Key.Address!.Equals(IP("192.0.2.50")));
        Assert.Contains(state.VirtualServers, v => v.Key.Address!.Equals(IP("192.0.2.51")) && v.Key.Port == 80);
        Assert.Equal(["192.0.2.51,tcp:80"], Members(state, "KUBE-LOAD-BALANCER"));
        Assert.DoesNotContain(IP("192.0.2.51"), state.DummyAddresses);
        Assert.DoesNotContain(IP("192.0.2.50"), state.ClusterAddresses);
    }

    [Fact]
    public void ExternalIPsGetVirtualServersAndTheirSetByPolicy()
    {
        var svc = new KubeService { Namespace = "ns", Name = "ext", ClusterIPs = [IP("10.96.0.40")], ExternalIPs = [IP("198.51.100.7"), IP("2001:db8::7")], Ports = [Port("http", IpvsProtocol.Tcp, 80)] };
        var state = Build(Options("172.18.0.3"), [svc], [Slice("ext", "e1", KubeAddressType.IPv4, Http, Endpoint("10.244.0.9"))]);
        // ipvsadm's order: its address comparison wraps, so 198.51.x sorts before 10.96.x.
        Assert.Equal(["TCP 198.51.100.7:80 rr -> 10.244.0.9:8080", "TCP 10.96.0.40:80 rr -> 10.244.0.9:8080"], Table(state));
        Assert.Equal(["198.51.100.7,tcp:80"], Members(state, "KUBE-EXTERNAL-IP"));
        Assert.Equal([IP("10.96.0.40"), IP("198.51.100.7")], state.DummyAddresses);

        var local = new KubeService { Namespace = "ns", Name = "ext", ClusterIPs = [IP("10.96.0.40")], ExternalIPs = [IP("198.51.100.7")], Ports = [Port("http", IpvsProtocol.Tcp, 80)], ExternalTrafficPolicy = KubeTrafficPolicy.Local };
        var localState = Build(Options("172.18.0.3"), [local], []);
        Assert.Empty(Members(localState, "KUBE-EXTERNAL-IP"));
        Assert.Equal(["198.51.100.7,tcp:80"], Members(localState, "KUBE-EXTERNAL-IP-LOCAL"));
    }

    [Fact]
    public void ClientIPAffinityIsPersistenceAndMhGetsTheMhPortFlag()
    {
        var svc = new KubeService { Namespace = "ns", Name = "s", ClusterIPs = [IP("10.96.0.50")], Ports = [Port("", IpvsProtocol.Tcp, 80)], SessionAffinity = KubeSessionAffinity.ClientIP, SessionAffinityTimeoutSeconds = 600 };
        var rr = Build(Options(), [svc], []).VirtualServers.Single();
        Assert.Equal((1u, 600u), (rr.Flags, rr.Timeout));
        var mh = KubeProxyState.Build(new ClusterSnapshot([svc], []), new KubeProxyOptions { Scheduler = "mh" }).VirtualServers.Single();
        Assert.Equal(("mh", 0x11u, 600u), (mh.Scheduler, mh.Flags, mh.Timeout));
        var plain = new KubeService { Namespace = "ns", Name = "s", ClusterIPs = [IP("10.96.0.50")], Ports = [Port("", IpvsProtocol.Tcp, 80)] };
        var none = Build(Options(), [plain], []).VirtualServers.Single();
        Assert.Equal((0u, 0u), (none.Flags, none.Timeout));
    }

    [Fact]
    public void ExternalPolicyLocalTakesLocalEndpointsAndFallsBackToAllWithoutThem()
    {
        var withLocal = Build(Options("172.18.0.3"), [Lb(KubeTrafficPolicy.Local)], [LbSlice(Endpoint("10.244.0.5", Node), Endpoint("10.244.1.6", "node-b"))], NodeObject());
        var t = Table(withLocal);
        Assert.Contains("TCP 10.96.0.30:80 rr -> 10.244.0.5:8080, 10.244.1.6:8080", t); // ClusterIP: internal policy Cluster
        Assert.Contains("TCP 172.18.0.3:30090 rr -> 10.244.0.5:8080", t);
        Assert.Contains("TCP 192.0.2.50:80 rr -> 10.244.0.5:8080", t);
        Assert.Equal(["30090"], Members(withLocal, "KUBE-NODE-PORT-LOCAL-TCP"));
        Assert.Equal(["192.0.2.50,tcp:80"], Members(withLocal, "KUBE-LOAD-BALANCER-LOCAL"));
        Assert.Equal(["32100"], Members(withLocal, "KUBE-HEALTH-CHECK-NODE-PORT"));

        // IPVS mode: no local endpoint, so all of them (kube-proxy's fallback, kubernetes#97081).
        var without = Build(Options("172.18.0.3"), [Lb(KubeTrafficPolicy.Local)], [LbSlice(Endpoint("10.244.1.6", "node-b"), Endpoint("10.244.2.7", "node-c"))], NodeObject());
        Assert.Contains("TCP 172.18.0.3:30090 rr -> 10.244.1.6:8080, 10.244.2.7:8080", Table(without));
        Assert.Contains("TCP 192.0.2.50:80 rr -> 10.244.1.6:8080, 10.244.2.7:8080", Table(without));
    }

    [Fact]
    public void InternalPolicyLocalMayEndEmpty()
    {
        KubeService Svc() => new() { Namespace = "ns", Name = "itp", ClusterIPs = [IP("10.96.0.60")], Ports = [Port("http", IpvsProtocol.Tcp, 80)], InternalTrafficPolicy = KubeTrafficPolicy.Local };
        var remoteOnly = Build(Options(), [Svc()], [Slice("itp", "i1", KubeAddressType.IPv4, Http, Endpoint("10.244.1.6", "node-b"))]);
        Assert.Equal(["TCP 10.96.0.60:80 rr -> "], Table(remoteOnly));
        var withLocal = Build(Options(), [Svc()], [Slice("itp", "i1", KubeAddressType.IPv4, Http, Endpoint("10.244.1.6", "node-b"), Endpoint("10.244.0.2", Node))]);
        Assert.Equal(["TCP 10.96.0.60:80 rr -> 10.244.0.2:8080"], Table(withLocal));
    }

    [Fact]
    public void TerminatingEndpointsServeOnlyWhenNothingIsReady()
    {
        KubeService Svc() => new() { Namespace = "ns", Name = "t", ClusterIPs = [IP("10.96.0.70")], Ports = [Port("http", IpvsProtocol.Tcp, 80)] };
        var mixed = Build(Options(), [Svc()], [Slice("t", "t1", KubeAddressType.IPv4, Http,
            Endpoint("10.244.0.1", ready: true),
            Endpoint("10.244.0.2", ready: false, serving: true, terminating: true),
            Endpoint("10.244.0.3", ready: false, serving: false, terminating: false))]);
        Assert.Equal(["TCP 10.96.0.70:80 rr -> 10.244.0.1:8080"], Table(mixed));
        var draining = Build(Options(), [Svc()], [Slice("t", "t1", KubeAddressType.IPv4, Http,
            Endpoint("10.244.0.2", ready: false, serving: true, terminating: true),
            Endpoint("10.244.0.4", ready: false, serving: false, terminating: true),
            Endpoint("10.244.0.3", ready: false, serving: false, terminating: false))]);
        var vs = draining.VirtualServers.Single();
        Assert.Equal(["10.244.0.2:8080"], vs.Destinations.Select(d => d.ToString()));
        Assert.True(vs.Destinations[0].IsTerminating);
    }

    [Fact]
    public void ZoneHintsNarrowToTheNodesZoneWhenEveryReadyEndpointHasThem()
    {
        KubeService Svc() => new() { Namespace = "ns", Name = "z", ClusterIPs = [IP("10.96.0.80")], Ports = [Port("http", IpvsProtocol.Tcp, 80)] };
        var hinted = Build(Options(), [Svc()], [Slice("z", "z1", KubeAddressType.IPv4, Http,
            Endpoint("10.244.0.1", zoneHints: ["z1"]), Endpoint("10.244.1.1", zoneHints: ["z2"]), Endpoint("10.244.2.1", ready: false, zoneHints: []))], NodeObject("z1"));
        Assert.Equal(["TCP 10.96.0.80:80 rr -> 10.244.0.1:8080"], Table(hinted));
        // One ready endpoint without hints: hints are ignored.
        var partial = Build(Options(), [Svc()], [Slice("z", "z1", KubeAddressType.IPv4, Http,
            Endpoint("10.244.0.1", zoneHints: ["z1"]), Endpoint("10.244.1.1"))], NodeObject("z1"));
        Assert.Equal(["TCP 10.96.0.80:80 rr -> 10.244.0.1:8080, 10.244.1.1:8080"], Table(partial));
        // No hint for this zone: all.
        var otherZone = Build(Options(), [Svc()], [Slice("z", "z1", KubeAddressType.IPv4, Http,
            Endpoint("10.244.0.1", zoneHints: ["z2"]), Endpoint("10.244.1.1", zoneHints: ["z3"]))], NodeObject("z1"));
        Assert.Equal(["TCP 10.96.0.80:80 rr -> 10.244.0.1:8080, 10.244.1.1:8080"], Table(otherZone));
        // Node hints (PreferSameNode) win over zone hints.
        var nodeHinted = Build(Options(), [Svc()], [Slice("z", "z1", KubeAddressType.IPv4, Http,
            Endpoint("10.244.0.1", zoneHints: ["z1"], nodeHints: ["node-b"]), Endpoint("10.244.1.1", zoneHints: ["z1"], nodeHints: [Node]))], NodeObject("z1"));
        Assert.Equal(["TCP 10.96.0.80:80 rr -> 10.244.1.1:8080"], Table(nodeHinted));
    }

    [Fact]
    public void DualStackProgramsBothFamiliesWithKube6Sets()
    {
        var svc = new KubeService
        {
            Namespace = "ns", Name = "dual", Type = KubeServiceType.LoadBalancer,
            ClusterIPs = [IP("10.96.0.90"), IP("fd00:10:96::90")],
            Ports = [Port("http", IpvsProtocol.Tcp, 80, 30100), Port("s", IpvsProtocol.Sctp, 81, 30101)],
            LoadBalancerIngress = [new KubeLoadBalancerIngress(IP("192.0.2.90")), new KubeLoadBalancerIngress(IP("2001:db8::90"))],
            LoadBalancerSourceRanges = [IpNetwork.Parse("2001:db8:1::/48")],
            ExternalTrafficPolicy = KubeTrafficPolicy.Local,
        };
        var state = Build(Options("172.18.0.3", "fd00:18::3", "fe80::3"), [svc],
        [
            Slice("dual", "d4", KubeAddressType.IPv4, Http, Endpoint("10.244.0.1", Node)),
            Slice("dual", "d6", KubeAddressType.IPv6, Http, Endpoint("fd00:244::1", Node), Endpoint("10.244.0.99")),
        ]);
        Assert.Equal([AddressFamily.InterNetwork, AddressFamily.InterNetworkV6], state.Families);
        var t = Table(state);
        Assert.Contains("TCP 10.96.0.90:80 rr -> 10.244.0.1:8080", t);
        Assert.Contains("TCP [fd00:10:96::90]:80 rr -> [fd00:244::1]:8080", t);
        Assert.Contains("TCP [fd00:18::3]:30100 rr -> [fd00:244::1]:8080", t);
        Assert.Contains("TCP [2001:db8::90]:80 rr -> [fd00:244::1]:8080", t);
        Assert.DoesNotContain(t, x => x.Contains("fe80"));
        Assert.Equal("128", state.VirtualServers.First(v => v.Key.AddressFamily == AddressFamily.InterNetworkV6).Netmask);
        Assert.Equal(34, state.Ipsets.Count);
        Assert.Equal(["fd00:10:96::90,sctp:81", "fd00:10:96::90,tcp:80"], Members(state, "KUBE-6-CLUSTER-IP"));
        Assert.Equal("inet6", state.Ipset("KUBE-6-CLUSTER-IP")!.Family);
        Assert.Equal(["fd00:244::1,tcp:8080,fd00:244::1"], Members(state, "KUBE-6-LOOP-BACK"));
        // Names cut at 31 characters, as kube-proxy cuts them.
        Assert.Equal(["2001:db8::90,sctp:81,2001:db8:1::/48", "2001:db8::90,tcp:80,2001:db8:1::/48"], Members(state, "KUBE-6-LOAD-BALANCER-SOURCE-CID"));
        Assert.Equal(["fd00:18::3,sctp:30101"], Members(state, "KUBE-6-NODE-PORT-LOCAL-SCTP-HAS"));
        Assert.Empty(Members(state, "KUBE-LOAD-BALANCER-SOURCE-CIDR"));
        Assert.Equal(["30100"], Members(state, "KUBE-6-NODE-PORT-LOCAL-TCP"));
        Assert.Equal([IP("10.96.0.90"), IP("192.0.2.90"), IP("2001:db8::90"), IP("fd00:10:96::90")], state.DummyAddresses);
        Assert.Equal(["2001:db8::90", "fd00:10:96::90"], Members(state, "KUBE-6-IPVS-IPS"));
    }

    [Fact]
    public void HeadlessExternalNameAndOtherProxiesServicesAreSkipped()
    {
        var headless = new KubeService { Namespace = "ns", Name = "h", IsHeadless = true, Ports = [Port("http", IpvsProtocol.Tcp, 80)] };
        var alias = new KubeService { Namespace = "ns", Name = "x", Type = KubeServiceType.ExternalName, ExternalName = "example.com" };
        var other = new KubeService
        {
            Namespace = "ns", Name = "o", ClusterIPs = [IP("10.96.0.100")], Ports = [Port("http", IpvsProtocol.Tcp, 80)],
            Labels = new Dictionary<string, string> { [KubeService.ServiceProxyNameLabel] = "cilium" },
        };
        var state = Build(Options(), [headless, alias, other], [Slice("h", "h1", KubeAddressType.IPv4, Http, Endpoint("10.244.0.1", Node))]);
        Assert.Empty(state.VirtualServers);
        Assert.Empty(state.DummyAddresses);
        Assert.All(state.Ipsets, s => Assert.Empty(s.Members));
        Assert.Equal(["ns/h", "ns/o", "ns/x"], state.Skipped.Select(s => s.Service.ToString()));
        Assert.Contains("headless", state.Skipped[0].Reason);
        Assert.Contains("cilium", state.Skipped[1].Reason);
        Assert.Contains("ExternalName", state.Skipped[2].Reason);
        Assert.DoesNotContain(IP("10.96.0.100"), state.ClusterAddresses);
    }
}
