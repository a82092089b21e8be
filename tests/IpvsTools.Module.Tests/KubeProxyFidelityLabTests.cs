using System.Collections;
using System.Management.Automation;
using System.Net;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Sync-KubeIpvs and Get-KubeIpvsPlan against the lab kernel for issue 18, each in a fresh node namespace with
/// a real pod, cross-checked with ipvsadm, ipset, iptables-save and sysctl: --nodeport-addresses matched against
/// kube-ipvs0's addresses from the second sync on, the NodePort range deciding ownership, the node reaching its
/// own load balancer through loadBalancerSourceRanges without a Node object, kube-proxy's settings from the
/// kube-proxy ConfigMap (with kube-proxy's TestCleanLegacyService data for ipvs.excludeCIDRs), and the warning
/// for an EndpointSlice port without a name.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class KubeProxyFidelityLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-fidelity-").FullName;
    private readonly TestNamespace _node;
    private readonly LabPods _pods;

    public KubeProxyFidelityLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
        _node = GetKubeIpvsPlanLabTests.Node(); // eth0 172.18.0.3/24
        _pods = new LabPods(_node);
        try
        {
            _node.Exec("sysctl", "-q", "-w", "net.ipv4.vs.conntrack=1");
            _pods.Add("pod-0", "10.244.1.10").ServeTcp(8080);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>shop/lb: LoadBalancer 10.96.0.30, ingress 1.2.3.4, port 80 -> 8080, NodePort 30080, source ranges as given; no Node object.</summary>
    private static string Snapshot(string ranges = "[172.18.0.0/16]", string slicePortName = "name: http, ") => $$$"""
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: lb, namespace: shop}
          spec:
            type: LoadBalancer
            clusterIP: 10.96.0.30
            ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080, nodePort: 30080}]
            loadBalancerSourceRanges: {{{ranges}}}
          status:
            loadBalancer: {ingress: [{ip: 1.2.3.4}]}
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: lb-1, namespace: shop, labels: {kubernetes.io/service-name: lb}}
          addressType: IPv4
          endpoints: [{addresses: [10.244.1.10], nodeName: node-b}]
          ports: [{{{{slicePortName}}}port: 8080, protocol: TCP}]
        """;

    private Hashtable Vars(string snapshot)
    {
        var path = Path.Combine(_dir, $"cluster-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, snapshot);
        return new Hashtable { ["path"] = path, ["ns"] = _node.Name, ["dir"] = _dir };
    }

    private IReadOnlyList<PSObject> Sync(string snapshot, string more = "")
        => _session.Ok($"Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false {more}", Vars(snapshot));

    private string Ipvsadm() => _node.Exec("ipvsadm", "-Ln");

    [Fact]
    public void NodePortAddressCidrsTakeTheLoadBalancerIPOnKubeIpvs0FromTheSecondSyncOn()
    {
        const string Cidrs = "-NodePortAddress 1.2.3.0/24, 172.18.0.0/16";
        Sync(Snapshot(), Cidrs);
        var first = Ipvsadm();
        Assert.Contains("TCP  172.18.0.3:30080 rr", first);
        Assert.DoesNotContain("1.2.3.4:30080", first);
        Assert.Contains("1.2.3.4", _node.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0"));

        // As kube-proxy's next sync: GetNodeIPs now lists 1.2.3.4 (on kube-ipvs0, inside 1.2.3.0/24).
        var second = Sync(Snapshot(), Cidrs);
        Assert.Contains(second, c => c.ToString()!.Contains("1.2.3.4:30080", StringComparison.Ordinal));
        Assert.Contains("TCP  1.2.3.4:30080 rr\n  -> 10.244.1.10:8080             Masq    1", Ipvsadm());
        Assert.Contains("30080", _node.Exec("ipset", "list", "KUBE-NODE-PORT-TCP"));
        Assert.Empty(Sync(Snapshot(), Cidrs)); // converged
        Assert.Equal("pod-0", _pods.AskTcp(IPAddress.Parse("1.2.3.4"), 30080));

        // Without CIDRs (all addresses) kube-ipvs0's addresses never carry NodePorts: the stale one goes.
        Sync(Snapshot());
        Assert.DoesNotContain("1.2.3.4:30080", Ipvsadm());
        Assert.Contains("TCP  172.18.0.3:30080 rr", Ipvsadm());
    }

    [Fact]
    public void TheNodePortRangeDecidesWhichNodeAddressServersAreStale()
    {
        Sync(Snapshot());
        _node.Exec("ipvsadm", "-A", "-t", "172.18.0.3:20080", "-s", "rr");
        _node.Exec("ipvsadm", "-A", "-t", "172.18.0.3:30090", "-s", "rr");
        Sync(Snapshot()); // 30000-32767: 30090 is a stale NodePort, 20080 someone else's
        Assert.DoesNotContain("172.18.0.3:30090", Ipvsadm());
        Assert.Contains("TCP  172.18.0.3:20080 rr", Ipvsadm());

        _node.Exec("ipvsadm", "-A", "-t", "172.18.0.3:30090", "-s", "rr");
        Sync(Snapshot(), "-NodePortRange 20000-22767");
        var table = Ipvsadm();
        Assert.DoesNotContain("172.18.0.3:20080", table);
        Assert.Contains("TCP  172.18.0.3:30090 rr", table);
        Assert.Contains("TCP  172.18.0.3:30080 rr", table); // the Service's own NodePort stays whatever the range
    }

    [Fact]
    public void WithoutANodeObjectTheNodeReachesItsOwnLoadBalancerThroughItsSourceRanges()
    {
        Sync(Snapshot("[172.18.0.0/16]"));
        Assert.Contains("1.2.3.4,tcp:80,1.2.3.4", _node.Exec("ipset", "list", "KUBE-LOAD-BALANCER-SOURCE-IP"));
        Assert.Contains("1.2.3.4,tcp:80,172.18.0.0/16", _node.Exec("ipset", "list", "KUBE-LOAD-BALANCER-SOURCE-CIDR"));
        Assert.DoesNotContain("-A KUBE-IPVS-OUT-FILTER", _node.Exec("iptables-save", "-t", "filter"));
        Assert.Equal("pod-0", _pods.AskTcp(IPAddress.Parse("1.2.3.4"), 80));

        // Ranges without the node: no entry for it, and kube-proxy's OUT-FILTER drop keeps the node off.
        using var other = GetKubeIpvsPlanLabTests.Node();
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $other -Confirm:$false",
            new Hashtable { ["path"] = Vars(Snapshot("[203.0.113.0/24]"))["path"], ["other"] = other.Name });
        Assert.DoesNotContain("1.2.3.4,tcp:80,1.2.3.4", other.Exec("ipset", "list", "KUBE-LOAD-BALANCER-SOURCE-IP"));
        var drop = other.Exec("iptables-save", "-t", "filter").Split('\n').Single(l => l.StartsWith("-A KUBE-IPVS-OUT-FILTER", StringComparison.Ordinal));
        foreach (var part in new[] { "-s 1.2.3.4/32", "-m ipvs", "--vaddr 1.2.3.4", "--vport 80", "-j DROP" }) Assert.Contains(part, drop);
    }

    /// <summary>The kube-proxy ConfigMap as kubeadm writes it (trimmed), with TestCleanLegacyService's excludeCIDRs.</summary>
    private const string ConfigMap = """
        apiVersion: v1
        data:
          config.conf: |-
            apiVersion: kubeproxy.config.k8s.io/v1alpha1
            bindAddress: 0.0.0.0
            clusterCIDR: 10.244.0.0/16
            detectLocalMode: ""
            iptables:
              masqueradeAll: false
              masqueradeBit: 12
            ipvs:
              excludeCIDRs:
              - 3.3.3.0/24
              - 4.4.4.0/24
              scheduler: wrr
              strictARP: true
              tcpFinTimeout: 30s
              tcpTimeout: 15m0s
              udpTimeout: 1m30s
            kind: KubeProxyConfiguration
            mode: ipvs
            nodePortAddresses: null
          kubeconfig.conf: |-
            apiVersion: v1
            kind: Config
        kind: ConfigMap
        metadata:
          name: kube-proxy
          namespace: kube-system
        """;

    /// <summary>TestCleanLegacyService (kubernetes pkg/proxy/ipvs/proxier_test.go): kube-proxy's services 1.1.1.1:53 and 2.2.2.2:54.</summary>
    private const string LegacySnapshot = """
        apiVersion: v1
        kind: List
        items:
        - {apiVersion: v1, kind: Service, metadata: {name: ipvs0, namespace: t}, spec: {clusterIP: 1.1.1.1, ports: [{port: 53, protocol: UDP}]}}
        - {apiVersion: v1, kind: Service, metadata: {name: ipvs1, namespace: t}, spec: {clusterIP: 2.2.2.2, ports: [{port: 54, protocol: UDP}]}}
        """;

    [Fact]
    public void TheKubeProxyConfigMapGivesTheSettingsKubeProxySets()
    {
        var config = Path.Combine(_dir, "kube-proxy-cm.yaml");
        File.WriteAllText(config, ConfigMap);
        // TestCleanLegacyService's table: 3.3.3.3 and 4.4.4.4 (in excludeCIDRs) by an external party, 5.5.5.5 too,
        // 6.6.6.6 stale; all of them bound to kube-ipvs0.
        _node.Exec("ip", "link", "add", "kube-ipvs0", "type", "dummy");
        foreach (var (ip, port) in new[] { ("3.3.3.3", 55), ("4.4.4.4", 56), ("5.5.5.5", 57), ("6.6.6.6", 58) })
        {
            _node.Exec("ipvsadm", "-A", "-u", $"{ip}:{port}", "-s", "rr");
            _node.Exec("ip", "addr", "add", ip + "/32", "dev", "kube-ipvs0");
        }
        var connReuse = _node.Exec("sysctl", "-n", "net.ipv4.vs.conn_reuse_mode").Trim();
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();

        var vars = Vars(LegacySnapshot);
        vars["config"] = config;
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Config $config -Confirm:$false", vars);

        // ipvs.excludeCIDRs, as TestCleanLegacyService asserts: four services remain, 57 and 58 are gone.
        var table = Ipvsadm();
        Assert.Equal(["1.1.1.1:53", "2.2.2.2:54", "3.3.3.3:55", "4.4.4.4:56"],
            table.Split('\n').Where(l => l.StartsWith("UDP", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]).Order());
        // ipvs.scheduler wrr on kube-proxy's own services (the excluded ones keep theirs).
        Assert.Contains("UDP  1.1.1.1:53 wrr", table);
        Assert.Contains("UDP  3.3.3.3:55 rr", table);
        // The addresses of removed services are unbound; the excluded ones stay, as in TestCleanLegacyService.
        var bound = _node.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0");
        Assert.DoesNotContain("5.5.5.5", bound);
        Assert.DoesNotContain("6.6.6.6", bound);
        Assert.Contains("3.3.3.3", bound);
        // ipvs timeouts (ipvsadm --set 900 30 90), strictARP, kube-proxy's sysctls; conn_reuse_mode only on 4.1-5.8.
        Assert.Equal("Timeout (tcp tcpfin udp): 900 30 90", _node.Exec("ipvsadm", "-L", "--timeout").Trim());
        Assert.Equal("1", _node.Exec("sysctl", "-n", "net.ipv4.conf.all.arp_ignore").Trim());
        Assert.Equal("2", _node.Exec("sysctl", "-n", "net.ipv4.conf.all.arp_announce").Trim());
        foreach (var key in new[] { "net.ipv4.vs.conntrack", "net.ipv4.vs.expire_nodest_conn", "net.ipv4.vs.expire_quiescent_template", "net.ipv4.ip_forward" })
            Assert.Equal("1", _node.Exec("sysctl", "-n", key).Trim());
        var reuse = _node.Exec("sysctl", "-n", "net.ipv4.vs.conn_reuse_mode").Trim();
        if (KubeProxyConnReuseModeApplies(kernel)) Assert.Equal("0", reuse);
        else Assert.Equal(connReuse, reuse); // the lab's 6.1: left as it was (kube-proxy leaves it from 5.9 on)
        // masqueradeBit 12 and clusterCIDR in the rules kube-proxy writes.
        var nat = _node.Exec("iptables-save", "-t", "nat");
        Assert.Contains("-A KUBE-MARK-MASQ -j MARK --or-mark 0x1000", nat.Replace("--set-xmark 0x1000/0x1000", "--or-mark 0x1000"));
        Assert.Contains("-A KUBE-POSTROUTING -m mark ! --mark 0x1000/0x1000 -j RETURN", nat);
        Assert.Contains("! -s 10.244.0.0/16", ClusterIPMasqueradeRule(nat));
        Assert.DoesNotContain("0x4000", nat + _node.Exec("iptables-save", "-t", "filter"));
        Assert.Empty(_session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Config $config -Confirm:$false", vars)); // converged

        // Explicit parameters win over the file: rr, and pods told by interface name.
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Config $config -Scheduler rr -DetectLocalMode InterfaceNamePrefix -PodInterfaceNamePrefix vp -Confirm:$false", vars);
        Assert.Contains("UDP  1.1.1.1:53 rr", Ipvsadm());
        Assert.Contains("! -i vp+", ClusterIPMasqueradeRule(_node.Exec("iptables-save", "-t", "nat")));
    }

    /// <summary>The KUBE-SERVICES rule that marks ClusterIP traffic for masquerading, as iptables-save prints it (its match order is the backend's).</summary>
    private static string ClusterIPMasqueradeRule(string nat)
        => nat.Split('\n').Single(l => l.StartsWith("-A KUBE-SERVICES", StringComparison.Ordinal) && l.Contains("--match-set KUBE-CLUSTER-IP dst,dst", StringComparison.Ordinal)
            && l.EndsWith("-j KUBE-MARK-MASQ", StringComparison.Ordinal));

    /// <summary>kube-proxy's kernel condition for conn_reuse_mode=0 (4.1 to 5.8), computed here independently of the module.</summary>
    private static bool KubeProxyConnReuseModeApplies(string release)
    {
        var parts = release.Split('.');
        var version = new Version(int.Parse(parts[0]), int.Parse(new string(parts[1].TakeWhile(char.IsAsciiDigit).ToArray())));
        return version >= new Version(4, 1) && version < new Version(5, 9);
    }

    [Fact]
    public void AConfigurationInAnotherModeIsRefusedAndTheNodeIsUntouched()
    {
        var config = Path.Combine(_dir, "nft.yaml");
        File.WriteAllText(config, ConfigMap.Replace("mode: ipvs", "mode: nftables"));
        var before = Ipvsadm() + _node.Exec("iptables-save") + _node.Exec("ipset", "list", "-n");
        var vars = Vars(Snapshot());
        vars["config"] = config;
        var result = _session.Run("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Config $config -Confirm:$false", vars);
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("SyncKubeIpvsConfigModeNotIpvs,IpvsTools.Commands.SyncKubeIpvsCommand", error.FullyQualifiedErrorId);
        Assert.Contains("has mode 'nftables', not ipvs", error.Exception.Message);
        Assert.Equal(before, Ipvsadm() + _node.Exec("iptables-save") + _node.Exec("ipset", "list", "-n"));
        Assert.DoesNotContain("kube-ipvs0", _node.Exec("ip", "-o", "link"));
    }

    [Fact]
    public void AnEndpointSlicePortWithoutANameIsWarnedAboutAndIgnored()
    {
        var vars = Vars(Snapshot(slicePortName: ""));
        var warnings = _session.Ok("Get-KubeIpvsPlan -Path $path -NodeName node-a -NetworkNamespace $ns 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object Message", vars);
        Assert.Equal(["EndpointSlice shop/lb-1 of Service shop/lb: port 8080/TCP has no name, so kube-proxy ignores it (\"Ignoring port with nil name\") and none of its endpoints serve the Service."],
            warnings.Select(w => w.ToString()));
        // The plan has the virtual servers without real servers, as kube-proxy leaves them.
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false -WarningAction SilentlyContinue", vars);
        var table = Ipvsadm();
        Assert.Contains("TCP  10.96.0.30:80 rr", table);
        Assert.DoesNotContain("10.244.1.10:8080", table);
    }

    public void Dispose()
    {
        _pods.Dispose();
        _node.Dispose();
        Directory.Delete(_dir, true);
    }
}
