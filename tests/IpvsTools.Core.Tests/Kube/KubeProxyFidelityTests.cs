using System.Net;
using System.Net.Sockets;
using IpvsTools.Kube;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Sync;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The deviations from kube-proxy's IPVS mode that issue 18 names, on fixture clusters: --nodeport-addresses
/// matched against every interface address (kubernetes pkg/proxy/util/nodeport_addresses.go GetNodeIPs and
/// pkg/proxy/ipvs/proxier.go syncProxyRules), the NodePort range for ownership, the node IP for
/// loadBalancerSourceRanges without a Node object, --detect-local-mode (pkg/proxy/util/localdetector.go),
/// conn_reuse_mode by kernel (proxier.go NewProxier), kube-proxy's configuration file, and unnamed ports
/// (pkg/proxy/endpointslicecache.go "Ignoring port with nil name").
/// </summary>
public class KubeProxyFidelityTests
{
    private static KubeService Lb(string[]? ranges = null) => new()
    {
        Namespace = "ns",
        Name = "lb",
        Type = KubeServiceType.LoadBalancer,
        ClusterIPs = [IP("10.96.0.30")],
        Ports = [Port("http", IpvsProtocol.Tcp, 80, 30080)],
        LoadBalancerIngress = [new KubeLoadBalancerIngress(IP("1.2.3.4"))],
        LoadBalancerSourceRanges = (ranges ?? []).Select(IpNetwork.Parse).ToList(),
    };

    private static KubeEndpointSlice LbSlice() => Slice("lb", "lb-1", KubeAddressType.IPv4, [EPort("http", IpvsProtocol.Tcp, 8080)], Endpoint("10.244.1.5", "node-b"));

    private static string[] NodePortServers(KubeDesiredState state)
        => state.VirtualServers.Where(v => v.Role == KubeAddressRole.NodePort).Select(v => v.Key.DisplayName).ToArray();

    [Fact]
    public void NodePortAddressCidrsMatchKubeIpvs0AddressesFromTheSecondSyncOn()
    {
        var cidr = new[] { IpNetwork.Parse("1.2.3.0/24"), IpNetwork.Parse("172.18.0.0/16") };
        // First sync: kube-ipvs0 does not hold the load-balancer IP yet, so only the node address matches.
        var first = Build(Options("172.18.0.3") with { NodePortAddresses = cidr, InterfaceAddresses = [IP("172.18.0.3"), IP("127.0.0.1")] }, [Lb()], [LbSlice()]);
        Assert.Equal(["TCP 172.18.0.3:30080"], NodePortServers(first));
        Assert.Contains(IP("1.2.3.4"), first.DummyAddresses);
        // Second sync: kube-ipvs0 holds 10.96.0.30 and 1.2.3.4; 1.2.3.4 is inside 1.2.3.0/24 and carries the NodePort too.
        var second = Build(Options("172.18.0.3") with { NodePortAddresses = cidr, InterfaceAddresses = [IP("172.18.0.3"), IP("127.0.0.1"), IP("10.96.0.30"), IP("1.2.3.4")] }, [Lb()], [LbSlice()]);
        Assert.Equal(["TCP 1.2.3.4:30080", "TCP 172.18.0.3:30080"], NodePortServers(second).Order());
        Assert.Equal(["10.244.1.5:8080"], second.VirtualServers.Single(v => v.Key.DisplayName == "TCP 1.2.3.4:30080").Destinations.Select(d => d.ToString()));
        // Without CIDRs (match all) kube-ipvs0's addresses never carry NodePorts.
        var all = Build(Options("172.18.0.3") with { InterfaceAddresses = [IP("172.18.0.3"), IP("10.96.0.30"), IP("1.2.3.4")] }, [Lb()], [LbSlice()]);
        Assert.Equal(["TCP 172.18.0.3:30080"], NodePortServers(all));
        // Loopback is dropped even when a CIDR covers it; the other family's CIDRs do not narrow IPv4.
        var loop = Build(Options("172.18.0.3") with { NodePortAddresses = [IpNetwork.Parse("127.0.0.0/8"), IpNetwork.Parse("fd00::/8")], InterfaceAddresses = [IP("127.0.0.1"), IP("172.18.0.3")] }, [Lb()], [LbSlice()]);
        Assert.Empty(NodePortServers(loop));
        var otherFamily = Build(Options("172.18.0.3") with { NodePortAddresses = [IpNetwork.Parse("fd00::/8")] }, [Lb()], [LbSlice()]);
        Assert.Equal(["TCP 172.18.0.3:30080"], NodePortServers(otherFamily));
    }

    [Fact]
    public void NodePortAddressesPrimaryIsTheNodeIP()
    {
        var options = Options("172.18.0.3", "192.168.5.3") with { NodePortAddressesPrimary = true, InterfaceAddresses = [IP("172.18.0.3"), IP("192.168.5.3")] };
        Assert.Equal(["TCP 172.18.0.3:30080"], NodePortServers(Build(options, [Lb()], [LbSlice()], NodeObject())));
        Assert.Equal(["TCP 192.168.5.3:30080"], NodePortServers(Build(options with { NodeIPs = [IP("192.168.5.3")] }, [Lb()], [LbSlice()], NodeObject())));
    }

    [Fact]
    public void NodePortRangeDecidesWhichNodeAddressServersAreTheClusters()
    {
        var desired = Build(Options("172.18.0.3"), [], []);
        IpvsService OnNode(ushort port) => KubeIpvsPlannerTests.Vs(IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("172.18.0.3"), port), "rr", 0, 0, "255.255.255.255");
        var actual = KubeIpvsPlannerTests.Applied(desired, OnNode(20080), OnNode(30080));
        // Default range 30000-32767: 30080 is a stale NodePort, 20080 someone else's.
        var plan = KubeIpvsPlanner.Plan(desired, actual, Options("172.18.0.3"));
        Assert.Equal(["remove virtual server TCP 172.18.0.3:30080"], plan.Operations.Select(o => o.ToString()).Where(o => o.StartsWith("remove virtual", StringComparison.Ordinal)));
        Assert.Equal([OnNode(20080).Key], plan.Foreign);
        // --service-node-port-range 20000-22767: the other way round.
        plan = KubeIpvsPlanner.Plan(desired, actual, Options("172.18.0.3") with { NodePortRangeFirst = 20000, NodePortRangeLast = 22767 });
        Assert.Equal(["remove virtual server TCP 172.18.0.3:20080"], plan.Operations.Select(o => o.ToString()).Where(o => o.StartsWith("remove virtual", StringComparison.Ordinal)));
        Assert.Equal([OnNode(30080).Key], plan.Foreign);
    }

    [Fact]
    public void SourceRangesWithoutANodeObjectUseTheNodesAddresses()
    {
        // kube-proxy takes its node IP from the Node object; a snapshot without one (kubectl get svc,endpointslices)
        // stands in with the node's addresses, so a range holding the node lets the node reach the load balancer.
        var state = Build(Options("172.18.0.3"), [Lb(["172.18.0.0/16"])], [LbSlice()]);
        Assert.Equal(["1.2.3.4,tcp:80,1.2.3.4"], Members(state, "KUBE-LOAD-BALANCER-SOURCE-IP"));
        Assert.DoesNotContain(state.Iptables[0].Rules, r => r.Chain == "KUBE-IPVS-OUT-FILTER");
        // A range without the node: no entry, and the node is kept off it in KUBE-IPVS-OUT-FILTER, as kube-proxy does.
        var outside = Build(Options("172.18.0.3"), [Lb(["203.0.113.0/24"])], [LbSlice()]);
        Assert.Empty(Members(outside, "KUBE-LOAD-BALANCER-SOURCE-IP"));
        Assert.Contains(outside.Iptables[0].Rules, r => r.Chain == "KUBE-IPVS-OUT-FILTER" && r.SavedForm(AddressFamily.InterNetwork).Contains("--vaddr 1.2.3.4", StringComparison.Ordinal));
        // The Node object, when there is one, wins (its InternalIP is outside the range here).
        var withNode = Build(Options("172.18.0.3"), [Lb(["172.18.0.0/16"])], [LbSlice()], NodeObject(ip: "192.168.9.9"));
        Assert.Empty(Members(withNode, "KUBE-LOAD-BALANCER-SOURCE-IP"));
    }

    private static string MasqueradeRule(KubeProxyOptions options, params KubeNode[] nodes)
    {
        var state = Build(options, [Service("web", "10.96.0.20", Port("http", IpvsProtocol.Tcp, 80))], [], nodes);
        return state.Iptables[0].Rules.Single(r => r.Chain == "KUBE-SERVICES" && r.SavedForm(AddressFamily.InterNetwork).Contains("KUBE-MARK-MASQ", StringComparison.Ordinal))
            .SavedForm(AddressFamily.InterNetwork);
    }

    [Fact]
    public void DetectLocalModeShapesTheClusterIPMasqueradeRule()
    {
        const string Head = "-A KUBE-SERVICES -m comment --comment \"Kubernetes service cluster ip + port for masquerade purpose\" -m set --match-set KUBE-CLUSTER-IP ";
        var options = Options("172.18.0.3");
        Assert.Equal(Head + "src,dst -j KUBE-MARK-MASQ", MasqueradeRule(options));
        Assert.Equal(Head + "dst,dst ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ", MasqueradeRule(options with { ClusterCidrs = [IpNetwork.Parse("10.244.0.0/16")] }));
        var node = NodeObject();
        node = new KubeNode { Name = node.Name, Labels = node.Labels, Addresses = node.Addresses, PodCidrs = [IpNetwork.Parse("10.244.3.0/24")] };
        Assert.Equal(Head + "dst,dst ! -s 10.244.3.0/24 -j KUBE-MARK-MASQ", MasqueradeRule(options with { DetectLocalMode = KubeLocalMode.NodeCIDR }, node));
        Assert.Equal(Head + "src,dst -j KUBE-MARK-MASQ", MasqueradeRule(options with { DetectLocalMode = KubeLocalMode.NodeCIDR }));
        Assert.Equal(Head + "dst,dst ! -i cbr0 -j KUBE-MARK-MASQ", MasqueradeRule(options with { DetectLocalMode = KubeLocalMode.BridgeInterface, BridgeInterface = "cbr0" }));
        Assert.Equal(Head + "dst,dst ! -i veth+ -j KUBE-MARK-MASQ", MasqueradeRule(options with { DetectLocalMode = KubeLocalMode.InterfaceNamePrefix, InterfaceNamePrefix = "veth" }));
        Assert.Equal(Head + "dst,dst -j KUBE-MARK-MASQ", MasqueradeRule(options with { MasqueradeAll = true, ClusterCidrs = [IpNetwork.Parse("10.244.0.0/16")] }));
        // --masquerade-bit 12: mark 0x1000 everywhere kube-proxy writes it.
        var saved = Build(options with { MasqueradeBit = 12 }, [], []).Iptables[0].Rules.Select(r => r.SavedForm(AddressFamily.InterNetwork)).ToList();
        // (SavedForm spells MARK targets as iptables-save does: --or-mark 0x1000 is --set-xmark 0x1000/0x1000, --xor-mark 0x1000 is --set-xmark 0x1000/0x0.)
        Assert.Contains("-A KUBE-MARK-MASQ -j MARK --set-xmark 0x1000/0x1000", saved);
        Assert.Contains("-A KUBE-POSTROUTING -m mark ! --mark 0x1000/0x1000 -j RETURN", saved);
        Assert.Contains("-A KUBE-POSTROUTING -j MARK --set-xmark 0x1000/0x0", saved);
        Assert.DoesNotContain(saved, l => l.Contains("0x4000", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("4.0.9", false)]
    [InlineData("4.1.0", true)]
    [InlineData("4.19.0-26-amd64", true)]
    [InlineData("5.8.18-100.fc31.x86_64", true)]
    [InlineData("5.9", false)]
    [InlineData("6.1.0-28-amd64", false)]
    [InlineData("6.18.2", false)]
    public void ConnReuseModeIsSetOnKernels41To58Only(string release, bool applies)
    {
        Assert.Equal(applies, KubeProxyConnReuseMode.Applies(release));
        Assert.Equal(applies, KubeProxySysctls.Describe(false, release).Contains("net.ipv4.vs.conn_reuse_mode=0"));
        Assert.Equal(["net.ipv4.vs.conntrack=1", "net.ipv4.vs.expire_nodest_conn=1", "net.ipv4.vs.expire_quiescent_template=1", "net.ipv4.ip_forward=1"],
            KubeProxySysctls.Describe(false, release).Where(s => !s.Contains("conn_reuse", StringComparison.Ordinal)));
    }

    [Fact]
    public void AMalformedKernelReleaseIsRefused()
        => Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<IpvsToolsException>(() => KubeProxyConnReuseMode.Applies("linux")).Kind);

    /// <summary>The kube-proxy ConfigMap as kubeadm writes it and `kubectl get cm kube-proxy -n kube-system -o yaml` prints it (values changed).</summary>
    internal const string KubeadmConfigMap = """
        apiVersion: v1
        data:
          config.conf: |-
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            bindAddress: 0.0.0.0
            bindAddressHardFail: false
            clientConnection:
              acceptContentTypes: ""
              burst: 0
              contentType: ""
              kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
              qps: 0
            clusterCIDR: 10.244.0.0/16,fd00:10:244::/56
            configSyncPeriod: 0s
            conntrack:
              maxPerCore: null
              min: null
              tcpCloseWaitTimeout: null
              tcpEstablishedTimeout: null
            detectLocal:
              bridgeInterface: ""
              interfaceNamePrefix: ""
            detectLocalMode: ""
            enableProfiling: false
            healthzBindAddress: ""
            hostnameOverride: ""
            iptables:
              localhostNodePorts: null
              masqueradeAll: true
              masqueradeBit: 12
              minSyncPeriod: 0s
              syncPeriod: 0s
            ipvs:
              excludeCIDRs:
              - 192.168.100.0/24
              minSyncPeriod: 0s
              scheduler: wrr
              strictARP: true
              syncPeriod: 0s
              tcpFinTimeout: 30s
              tcpTimeout: 15m0s
              udpTimeout: 1m30s
            kind: KubeProxyConfiguration
            logging:
              flushFrequency: 0
              options:
                json:
                  infoBufferSize: "0"
              verbosity: 0
            metricsBindAddress: ""
            mode: ipvs
            nodePortAddresses:
            - 172.18.0.0/16
            - primary
            oomScoreAdj: null
            portRange: ""
            showHiddenMetricsForVersion: ""
            winkernel:
              enableDSR: false
              forwardHealthCheckVip: false
              networkName: ""
              rootHnsEndpointName: ""
              sourceVip: ""
          kubeconfig.conf: |-
            apiVersion: v1
            kind: Config
            clusters:
            - cluster:
                certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
                server: https://172.18.0.2:6443
              name: default
        kind: ConfigMap
        metadata:
          annotations:
            kubeadm.kubernetes.io/component-config.hash: sha256:0000
          labels:
            app: kube-proxy
          name: kube-proxy
          namespace: kube-system
        """;

    [Fact]
    public void TheKubeadmConfigMapGivesTheIpvsSettings()
    {
        var c = KubeProxyConfigReader.ReadText(KubeadmConfigMap, "cm.yaml");
        Assert.True(c.IsIpvsMode);
        Assert.Equal("wrr", c.Scheduler);
        Assert.Equal(["192.168.100.0/24"], c.ExcludeCidrs!.Select(n => n.ToString()));
        Assert.True(c.StrictArp);
        Assert.Equal((TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(90)), (c.TcpTimeout, c.TcpFinTimeout, c.UdpTimeout));
        Assert.Equal(["10.244.0.0/16", "fd00:10:244::/56"], c.ClusterCidrs!.Select(n => n.ToString()));
        Assert.Equal(["172.18.0.0/16"], c.NodePortAddresses!.Select(n => n.ToString()));
        Assert.True(c.NodePortAddressesPrimary);
        Assert.True(c.MasqueradeAll);
        Assert.Equal(12, c.MasqueradeBit);
        Assert.Null(c.DetectLocalMode); // "" is the default, ClusterCIDR
        Assert.Null(c.BindAddress);     // 0.0.0.0 names no node IP
        Assert.Equal("cm.yaml (data.config.conf)", c.Source);

        var options = c.ApplyTo(Options("172.18.0.3"));
        Assert.Equal(("wrr", true, 12, KubeLocalMode.ClusterCIDR), (options.Scheduler, options.MasqueradeAll, options.MasqueradeBit, options.DetectLocalMode));
        Assert.Equal(Node, options.NodeName);
    }

    [Fact]
    public void AConfigurationFileAloneAndItsRefusals()
    {
        var c = KubeProxyConfigReader.ReadText("""
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            kind: KubeProxyConfiguration
            mode: ipvs
            bindAddress: 172.18.0.3
            hostnameOverride: worker-1
            detectLocalMode: InterfaceNamePrefix
            detectLocal: {interfaceNamePrefix: cali}
            nodePortAddresses: [all]
            """, "kp.yaml");
        Assert.Equal((IP("172.18.0.3"), "worker-1", KubeLocalMode.InterfaceNamePrefix, "cali"), (c.BindAddress, c.HostnameOverride, c.DetectLocalMode, c.InterfaceNamePrefix));
        Assert.Equal(["0.0.0.0/0", "::/0"], c.NodePortAddresses!.Select(n => n.ToString()));
        Assert.Null(c.TcpTimeout);

        // JSON is YAML too; a mode other than ipvs is read as written (the cmdlets refuse it).
        Assert.False(KubeProxyConfigReader.ReadText("""{"kind":"KubeProxyConfiguration","mode":"nftables"}""", "kp.json").IsIpvsMode);
        Assert.False(KubeProxyConfigReader.ReadText("kind: KubeProxyConfiguration\n", "kp.yaml").IsIpvsMode); // no mode: iptables

        var bad = Assert.Throws<ClusterSourceException>(() => KubeProxyConfigReader.ReadText("kind: KubeProxyConfiguration\nmode: ipvs\nipvs:\n  tcpTimeout: soon\n", "kp.yaml"));
        Assert.Equal((4, "kp.yaml"), (bad.Line, bad.SourceName));
        Assert.Contains("ipvs.tcpTimeout: 'soon' is not a duration", bad.Message);
        var cidr = Assert.Throws<ClusterSourceException>(() => KubeProxyConfigReader.ReadText("kind: KubeProxyConfiguration\nclusterCIDR: 10.244.0.0\n", "kp.yaml"));
        Assert.Contains("clusterCIDR: '10.244.0.0' is not a CIDR", cidr.Message);
        Assert.Throws<ClusterSourceException>(() => KubeProxyConfigReader.ReadText("kind: KubeProxyConfiguration\ndetectLocalMode: Pods\n", "kp.yaml"));
        Assert.Throws<ClusterSourceException>(() => KubeProxyConfigReader.ReadText("kind: KubeProxyConfiguration\niptables: {masqueradeBit: 32}\n", "kp.yaml"));
        var other = Assert.Throws<ClusterSourceException>(() => KubeProxyConfigReader.ReadText("kind: Service\n", "svc.yaml"));
        Assert.Contains("not a KubeProxyConfiguration or the kube-proxy ConfigMap", other.Message);
        Assert.Throws<ClusterSourceException>(() => KubeProxyConfigReader.ReadText("kind: ConfigMap\ndata: {a: b}\n", "cm.yaml"));
    }

    [Fact]
    public void UnnamedPortsAreWarnedAbout()
    {
        var svc = Service("web", "10.96.0.20", Port("http", IpvsProtocol.Tcp, 80), Port("", IpvsProtocol.Tcp, 81));
        var state = Build(Options(), [svc],
            [Slice("web", "web-1", KubeAddressType.IPv4, [EPort("http", IpvsProtocol.Tcp, 8080), EPort(null, IpvsProtocol.Tcp, 7777)], Endpoint("10.244.0.1"))]);
        Assert.Equal(
        [
            "Service ns/web: port 81/TCP has no name although the Service has 2 ports (the API server requires a name on each); it takes the endpoints of EndpointSlice ports named \"\".",
            "EndpointSlice ns/web-1 of Service ns/web: port 7777/TCP has no name, so kube-proxy ignores it (\"Ignoring port with nil name\") and none of its endpoints serve the Service.",
        ], state.Warnings);
        // The ignored port's endpoints are not used (as before); a single unnamed port with a "" slice port is fine.
        Assert.DoesNotContain(state.VirtualServers.SelectMany(v => v.Destinations), d => d.Port == 7777);
        var single = Build(Options(), [Service("one", "10.96.0.21", Port("", IpvsProtocol.Tcp, 80))],
            [Slice("one", "one-1", KubeAddressType.IPv4, [EPort("", IpvsProtocol.Tcp, 8080)], Endpoint("10.244.0.1"))]);
        Assert.Empty(single.Warnings);
    }

    [Fact]
    public void NodePodCidrsAreReadFromSnapshots()
    {
        const string Yaml = """
            apiVersion: v1
            kind: Node
            metadata: {name: node-a}
            spec: {podCIDR: 10.244.3.0/24, podCIDRs: [10.244.3.0/24, "fd00:10:244:3::/64"]}
            status: {addresses: [{type: InternalIP, address: 172.18.0.3}]}
            """;
        Assert.Equal(["10.244.3.0/24", "fd00:10:244:3::/64"], SnapshotReader.ReadText(Yaml, "n.yaml").Nodes.Single().PodCidrs.Select(n => n.ToString()));
        var json = """{"apiVersion":"v1","kind":"Node","metadata":{"name":"node-a"},"spec":{"podCIDR":"10.244.3.0/24","podCIDRs":["10.244.3.0/24"]}}""";
        Assert.Equal(["10.244.3.0/24"], SnapshotReader.ReadText(json, "n.json").Nodes.Single().PodCidrs.Select(n => n.ToString()));
    }
}
