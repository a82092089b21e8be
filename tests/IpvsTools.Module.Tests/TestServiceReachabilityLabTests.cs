using System.Collections;
using System.Management.Automation;
using System.Net.Sockets;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Test-ServiceReachability against the lab kernel: a node programmed as kube-proxy's IPVS mode
/// programs it (Get-KubeIpvsPlan carried out with ip, ipset, ipvsadm and iptables-restore), two real
/// pods behind each Service (LabPods), then each diagnosis made for real with the reference tools and
/// its Reason asserted. The healthy node must be Reachable.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class TestServiceReachabilityLabTests : IDisposable
{
    private const string Web = "10.96.100.20";
    private const string Dns = "10.96.0.10";
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-reach-").FullName;
    private readonly TestNamespace _node;
    private readonly LabPods _pods;
    private readonly string _snapshot;

    public TestServiceReachabilityLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
        _snapshot = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(_snapshot, Snapshot);
        _node = new TestNamespace();
        _pods = new LabPods(_node);
        try
        {
            _node.Exec("ip", "link", "add", "eth0", "type", "dummy");
            _node.Exec("ip", "addr", "add", "172.18.0.3/24", "dev", "eth0");
            _node.Exec("ip", "link", "set", "eth0", "up");
            _node.Exec("sysctl", "-q", "-w", "net.ipv4.vs.conntrack=1");
            foreach (var pod in _pods.AddMany(2)) pod.ServeTcp(8080).ServeDns();
            GetKubeIpvsPlanLabTests.Apply(_node, _session.Ok("Get-KubeIpvsPlan -Path $path -NodeName node-a -NetworkNamespace $ns", Vars()));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>shop/web (TCP 80 -> 8080) and kube-system/kube-dns (UDP and TCP 53) on pod-0 and pod-1 of another node.</summary>
    private const string Snapshot = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec:
            clusterIP: 10.96.100.20
            ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080}]
        - apiVersion: v1
          kind: Service
          metadata: {name: kube-dns, namespace: kube-system}
          spec:
            clusterIP: 10.96.0.10
            ports:
            - {name: dns, port: 53, protocol: UDP, targetPort: 53}
            - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 8080}
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
          addressType: IPv4
          endpoints:
          - {addresses: [10.244.1.10], nodeName: node-b}
          - {addresses: [10.244.1.11], nodeName: node-b}
          ports: [{name: http, port: 8080, protocol: TCP}]
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: kube-dns-1, namespace: kube-system, labels: {kubernetes.io/service-name: kube-dns}}
          addressType: IPv4
          endpoints:
          - {addresses: [10.244.1.10], nodeName: node-b}
          - {addresses: [10.244.1.11], nodeName: node-b}
          ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 8080, protocol: TCP}]
        """;

    private Hashtable Vars(Hashtable? more = null)
    {
        var vars = new Hashtable { ["ns"] = _node.Name, ["path"] = _snapshot };
        foreach (DictionaryEntry e in more ?? []) vars[e.Key] = e.Value;
        return vars;
    }

    private PSObject Test(string arguments)
        => _session.Ok($"Test-ServiceReachability {arguments} -NetworkNamespace $ns -TimeoutSeconds 3", Vars()).Single();

    private static string Reason(PSObject result) => (string)result.Properties["Reason"].Value;
    private static bool Reachable(PSObject result) => (bool)result.Properties["Reachable"].Value;

    private static bool? Check(PSObject result, string name)
    {
        var check = ((IEnumerable)result.Properties["Checks"].Value).Cast<object>().Select(PSObject.AsPSObject).Single(c => (string)c.Properties["Name"].Value == name);
        return (bool?)check.Properties["Result"].Value;
    }

    private static PSObject[] RealServers(PSObject result)
        => ((IEnumerable)result.Properties["RealServers"].Value).Cast<object>().Select(PSObject.AsPSObject).ToArray();

    [Fact]
    public void AHealthyServiceIsReachableWithEveryCheckPassedOrNotApplicable()
    {
        Assert.Contains("-> 10.244.1.11:8080", _node.Exec("ipvsadm", "-Ln", "-t", Web + ":80"));
        var r = Test($"{Web} 80");
        Assert.True(Reachable(r), Reason(r));
        Assert.StartsWith($"TCP {Web}:80 answered through IPVS (connected in", Reason(r));
        foreach (var name in new[] { "VIP on kube-ipvs0", "Virtual server", "Scheduler module", "Real servers with weight", "ipset members", "iptables chains and jumps", "Probe through the VIP", "Probe of each real server" })
            Assert.True(Check(r, name), name);
        Assert.Null(Check(r, "UDP conntrack"));                     // TCP
        Assert.Null(Check(r, "Real servers match EndpointSlices")); // no cluster source
        var servers = RealServers(r);
        Assert.Equal(["10.244.1.10:8080", "10.244.1.11:8080"], servers.Select(s => (string)s.Properties["Destination"].Value).Order());
        Assert.All(servers, s => Assert.True((bool?)s.Properties["Reachable"].Value));
        Assert.All(servers, s => Assert.NotNull(s.Properties["LatencyMilliseconds"].Value));

        // UDP DNS through the VIP and at each pod; nothing stale in conntrack.
        var dns = Test($"{Dns} 53 -Protocol Udp");
        Assert.True(Reachable(dns), Reason(dns));
        Assert.True(Check(dns, "UDP conntrack"));
        Assert.Contains("DNS answer (rcode 0)", Reason(dns));

        // With the cluster source: every virtual server of the Service, real servers = EndpointSlices.
        var all = _session.Ok("Test-ServiceReachability -Service kube-system/kube-dns -Path $path -NodeName node-a -NetworkNamespace $ns", Vars());
        Assert.Equal(["TCP 10.96.0.10:53", "UDP 10.96.0.10:53"], all.Select(o => (string)o.Properties["Target"].Value).Order());
        Assert.All(all, o => Assert.True(Check(o, "Real servers match EndpointSlices")));
        Assert.All(all, o => Assert.True(Reachable(o), Reason(o)));

        // Quiet: a bool per target; piped services bind by property name.
        Assert.Equal([true], _session.Ok("Test-ServiceReachability $vip 80 -NetworkNamespace $ns -InformationLevel Quiet", Vars(new() { ["vip"] = Web })).Select(o => o.BaseObject));
        var piped = _session.Ok("Get-IpvsService -Address $vip -NetworkNamespace $ns | Test-ServiceReachability -InformationLevel Quiet", Vars(new() { ["vip"] = Dns }));
        Assert.Equal([true, true], piped.Select(o => o.BaseObject));
    }

    [Fact]
    public void AllWeightsZero()
    {
        _node.Exec("ipvsadm", "-e", "-t", Web + ":80", "-r", "10.244.1.10:8080", "-m", "-w", "0");
        _node.Exec("ipvsadm", "-e", "-t", Web + ":80", "-r", "10.244.1.11:8080", "-m", "-w", "0");
        Assert.Equal(2, _node.Exec("ipvsadm", "-Ln", "-t", Web + ":80").Split('\n').Count(l => l.Contains("Masq    0")));
        var r = Test($"{Web} 80");
        Assert.False(Reachable(r));
        Assert.Equal($"All real servers of TCP {Web}:80 have weight 0, so IPVS sends new connections nowhere (they are draining).", Reason(r));
        Assert.False(Check(r, "Real servers with weight"));
        Assert.Equal([0, 0], RealServers(r).Select(s => (int)s.Properties["Weight"].Value));
    }

    [Fact]
    public void ADestinationWhosePodIsGone()
    {
        _pods["pod-1"].Remove();
        Assert.DoesNotContain(_pods["pod-1"].NamespaceName, Tool.Run("ip", "netns", "list"));
        var r = Test($"{Web} 80");
        // rr sends the probe through the VIP to either pod: the verdict follows that probe, and names the gone pod either way.
        if (Check(r, "Probe through the VIP") == true)
        {
            Assert.True(Reachable(r), Reason(r));
            Assert.StartsWith($"TCP {Web}:80 answered through IPVS (connected in", Reason(r));
            Assert.Contains("but real server 10.244.1.11:8080 does not answer (", Reason(r));
            Assert.EndsWith("so the connections IPVS sends there fail.", Reason(r));
        }
        else
        {
            Assert.False(Reachable(r));
            Assert.StartsWith("Real server 10.244.1.11:8080 does not answer (", Reason(r));
            Assert.EndsWith("its pod is gone or its network is down.", Reason(r));
        }
        Assert.False(Check(r, "Probe of each real server"));
        Assert.True(Check(r, "Virtual server"));
        var gone = RealServers(r).Single(s => (string)s.Properties["Destination"].Value == "10.244.1.11:8080");
        Assert.False((bool?)gone.Properties["Reachable"].Value);
        Assert.Null(gone.Properties["LatencyMilliseconds"].Value);
    }

    [Fact]
    public void NoListener()
    {
        _pods["pod-0"].Stop(ProtocolType.Tcp, 8080);
        Assert.DoesNotContain(":8080", _pods["pod-0"].Exec("ss", "-Htln"));
        var r = Test($"{Web} 80");
        // rr sends the probe through the VIP to either pod: the verdict follows that probe, and names the silent pod either way.
        if (Check(r, "Probe through the VIP") == true)
        {
            Assert.True(Reachable(r), Reason(r));
            Assert.Contains("but real server 10.244.1.10:8080 refuses (refused: nothing listens on port 8080), so the connections IPVS sends there fail.", Reason(r));
        }
        else
        {
            Assert.False(Reachable(r));
            Assert.Equal("Real server 10.244.1.10:8080 refuses: its pod is there but nothing listens on port 8080.", Reason(r));
        }
        Assert.False(Check(r, "Probe of each real server"));
    }

    [Fact]
    public void VipMissingFromKubeIpvs0()
    {
        _node.Exec("ip", "addr", "del", Web + "/32", "dev", "kube-ipvs0");
        Assert.DoesNotContain(Web, _node.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0"));
        var r = Test($"{Web} 80");
        Assert.False(Reachable(r));
        Assert.Equal($"{Web} is not on kube-ipvs0, so the node does not take packets to it as its own and IPVS never sees them.", Reason(r));
        Assert.False(Check(r, "VIP on kube-ipvs0"));
        Assert.False(Check(r, "Probe through the VIP"));
        Assert.True(Check(r, "Probe of each real server"));
    }

    [Fact]
    public void IpsetMemberMissing()
    {
        _node.Exec("ipset", "del", "KUBE-CLUSTER-IP", Web + ",tcp:80");
        Assert.DoesNotContain(Web + ",tcp:80", _node.Exec("ipset", "list", "KUBE-CLUSTER-IP"));
        // From the node itself it still answers (IPVS takes the node's own packets in OUTPUT, before any filter),
        // so it is reachable, and the missing member is named with what it breaks.
        var r = Test($"{Web} 80");
        Assert.True(Reachable(r), Reason(r));
        Assert.True(Check(r, "Probe through the VIP"));
        Assert.False(Check(r, "ipset members"));
        Assert.StartsWith($"TCP {Web}:80 answered through IPVS (connected in", Reason(r));
        Assert.Contains($"but an ipset member is missing (KUBE-CLUSTER-IP or KUBE-EXTERNAL-IP or KUBE-LOAD-BALANCER lacks {Web},tcp:80), which breaks "
            + "clients off the node, pods included (KUBE-IPVS-FILTER rejects them), masquerade of NodePort, external and off-cluster traffic.", Reason(r));
        // With the cluster source the set is named exactly.
        var named = _session.Ok("Test-ServiceReachability -Service shop/web -Path $path -NodeName node-a -NetworkNamespace $ns", Vars()).Single();
        Assert.Contains($"KUBE-CLUSTER-IP lacks {Web},tcp:80", Reason(named));
        Assert.True(Reachable(named), Reason(named));

        // From a client pod the packet arrives at the node and meets KUBE-IPVS-FILTER: the address is in
        // KUBE-IPVS-IPS, the address:port in no set, so it is rejected. Not reachable, and the rule's counter shows it.
        var client = AddClient();
        var fromPod = Test($"{Web} 80 -SourceNetworkNamespace {client.NamespaceName}");
        Assert.False(Reachable(fromPod));
        Assert.True(Check(fromPod, "Probe through the VIP"));
        Assert.False(Check(fromPod, "Probe from the source namespace"));
        Assert.StartsWith($"TCP {Web}:80 answers from the node (connected in", Reason(fromPod));
        Assert.Contains($"but not from {client.NamespaceName} (refused", Reason(fromPod));
        Assert.Contains("KUBE-IPVS-FILTER rejects them", Reason(fromPod));
        var reject = _node.Exec("iptables-save", "-c", "-t", "filter").Split('\n').Single(l => l.Contains("-A KUBE-IPVS-FILTER") && l.Contains("-j REJECT"));
        Assert.DoesNotMatch(@"^\[0:0\]", reject);

        // The member back: the pod gets through too.
        _node.Exec("ipset", "add", "KUBE-CLUSTER-IP", Web + ",tcp:80");
        var healed = Test($"{Web} 80 -SourceNetworkNamespace {client.NamespaceName}");
        Assert.True(Reachable(healed), Reason(healed));
        Assert.Contains($" and from {client.NamespaceName} (connected in", Reason(healed));
    }

    /// <summary>A client pod (not a real server) at 10.244.1.20, and forwarding on the node as kube-proxy sets it.</summary>
    private LabPod AddClient()
    {
        _node.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        return _pods.Add("client", "10.244.1.20");
    }

    [Fact]
    public void WithoutKubeProxysIptablesRulesTheVipStillAnswersAndTheReasonSaysWhatBreaks()
    {
        // The node of issue 18: kube-ipvs0, the ipsets and IPVS as kube-proxy leaves them, but no KUBE-* chains at all.
        foreach (var table in new[] { "nat", "filter" })
        {
            _node.Exec("iptables", "-t", table, "-F");
            _node.Exec("iptables", "-t", table, "-X");
        }
        Assert.DoesNotContain("KUBE-", _node.Exec("iptables-save"));
        Assert.Contains($"TCP  {Web}:80 rr", _node.Exec("ipvsadm", "-Ln"));
        Assert.Contains(Web, _node.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0"));

        var client = AddClient();
        var r = Test($"{Web} 80 -SourceNetworkNamespace {client.NamespaceName}");
        Assert.True(Reachable(r), Reason(r));
        Assert.False(Check(r, "iptables chains and jumps"));
        Assert.True(Check(r, "Probe through the VIP"));
        Assert.True(Check(r, "Probe from the source namespace"));
        Assert.StartsWith($"TCP {Web}:80 answered through IPVS (connected in", Reason(r));
        Assert.Contains($" and from {client.NamespaceName} (connected in", Reason(r));
        Assert.Contains("but kube-proxy's iptables rules are incomplete (", Reason(r));
        Assert.Contains("which breaks masquerade of NodePort, external and off-cluster traffic", Reason(r));
        Assert.Contains("loadBalancerSourceRanges", Reason(r));
    }

    [Fact]
    public void VirtualServerMissing()
    {
        _node.Exec("ipvsadm", "-D", "-t", Web + ":80");
        Assert.DoesNotContain(Web + ":80", _node.Exec("ipvsadm", "-Ln"));
        var r = Test($"{Web} 80");
        Assert.False(Reachable(r));
        Assert.Equal($"There is no IPVS virtual server TCP {Web}:80: kube-proxy has not programmed it, or it was removed.", Reason(r));
        Assert.True(Check(r, "Scheduler module")); // rr is loaded
        Assert.Null(Check(r, "Real servers with weight"));
    }

    [Fact]
    public void SchedulerModuleMissing()
    {
        // Kernel 6.1 has no ip_vs_twos (added in 6.2): kube-proxy's NEW_SERVICE with it fails, as ipvsadm's does.
        _node.Exec("ipvsadm", "-D", "-t", Web + ":80");
        var refused = _node.TryExec("ipvsadm", "-A", "-t", Web + ":80", "-s", "twos");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.False(Directory.Exists("/sys/module/ip_vs_twos"));
        var r = Test($"{Web} 80 -Scheduler twos");
        Assert.False(Reachable(r));
        Assert.Equal($"There is no virtual server TCP {Web}:80 because its scheduler module is missing: ip_vs_twos is not loaded: a virtual server with scheduler twos cannot be created until it is (modprobe ip_vs_twos).", Reason(r));
        Assert.False(Check(r, "Scheduler module"));
    }

    [Fact]
    public void StaleUdpConntrack()
    {
        // Two DNS queries through the VIP (rr: one to each pod), then pod-1's real server is removed
        // without clearing conntrack: its entries still send the VIP to the old pod.
        var vip = System.Net.IPAddress.Parse(Dns);
        Assert.Equal(["10.244.1.10", "10.244.1.11"], new[] { _pods.AskDns(vip), _pods.AskDns(vip) }.Select(a => a.ToString()).Order());
        _node.Exec("ipvsadm", "-d", "-u", Dns + ":53", "-r", "10.244.1.11:53");
        Assert.Contains("src=10.244.1.11", _node.Exec("cat", "/proc/net/nf_conntrack"));
        // The new query through the VIP is answered (a new flow), so reachable; the stale entries still send
        // the old clients to the gone pod, which the Reason says with the command that clears them.
        var r = Test($"{Dns} 53 -Protocol Udp");
        Assert.True(Reachable(r), Reason(r));
        Assert.Contains("but stale UDP conntrack: ", Reason(r));
        Assert.Contains($"still send UDP {Dns}:53 to 10.244.1.11:53, no longer a real server", Reason(r));
        Assert.EndsWith($"(clear them: conntrack -D -p udp --orig-dst {Dns} --orig-port-dst 53).", Reason(r));
        Assert.False(Check(r, "UDP conntrack"));
        Assert.True(Check(r, "Probe through the VIP"));
    }

    public void Dispose()
    {
        _pods.Dispose();
        _node.Dispose();
        Directory.Delete(_dir, true);
    }
}
