using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Test-ServiceReachability through real traffic in kube-proxy's nftables and iptables modes on the host kernel:
/// kube-proxy's own expected rulesets (tests/Shared/Fixtures/KubeProxy, from its proxier tests) loaded into a throwaway
/// node namespace, the endpoints as veth "pods" with listeners. A healthy ClusterIP answers through the rules; then the
/// node is broken the ways users meet (the endpoint's listener down, a Service without endpoints, the hooks that bring
/// packets to the rules gone) and the reported cause must be the one the probes saw.
/// </summary>
[Trait("Tier", "Host")]
public sealed class TestServiceReachabilityModesHostTests(PowerShellSession session) : IDisposable
{
    private readonly TestNamespace _node = new();
    private LabPods? _pods;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeProxy", name);

    private Hashtable Vars() => new() { ["ns"] = _node.Name };

    /// <summary>Pods for the fixtures' endpoints ns1/svc1 (10.180.0.1) and ns3/svc3 (10.180.0.3), a route for the
    /// Service range and the node address 192.168.0.2 (the fixtures' node IP, in nftables' nodeport-ips).</summary>
    private LabPods Pods()
    {
        _pods = new LabPods(_node);
        _pods.Add("svc1-pod", "10.180.0.1").ServeTcp(80);
        _pods.Add("svc3-pod", "10.180.0.3").ServeTcp(80);
        _node.Exec("ip", "route", "add", "172.30.0.0/16", "dev", _pods.Pods[0].NodeLink);
        _node.Exec("ip", "addr", "add", "192.168.0.2/32", "dev", "lo");
        return _pods;
    }

    private PSObject Test(string arguments)
        => Assert.Single(session.Ok("Test-ServiceReachability " + arguments + " -NetworkNamespace $ns -TimeoutSeconds 2", Vars()));

    private static bool? Check(PSObject result, string name)
        => ((IEnumerable)result.Properties["Checks"].Value).Cast<object>().Select(PSObject.AsPSObject)
            .Where(c => (string)c.Properties["Name"].Value == name).Select(c => (bool?)c.Properties["Result"].Value).Single();

    private static string Detail(PSObject result, string name)
        => ((IEnumerable)result.Properties["Checks"].Value).Cast<object>().Select(PSObject.AsPSObject)
            .Where(c => (string)c.Properties["Name"].Value == name).Select(c => (string)c.Properties["Detail"].Value).Single();

    private static string Reason(PSObject r) => (string)r.Properties["Reason"].Value;

    // nftables mode

    [Fact]
    public void NftablesAClusterIpAnswersThroughTheRulesAndAutoSaysTheMode()
    {
        _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        var pods = Pods();
        var r = Test("172.30.0.41 80");
        Assert.Equal("Nftables", r.Properties["Mode"].Value.ToString());
        Assert.True((bool)r.Properties["Reachable"].Value, Reason(r));
        Assert.StartsWith("TCP 172.30.0.41:80 answered through kube-proxy's nftables-mode rules (connected in", Reason(r));
        Assert.True(Check(r, "Front end in kube-proxy's rules"));
        Assert.Equal("TCP 172.30.0.41:80 ClusterIP ns1/svc1:p80", Detail(r, "Front end in kube-proxy's rules"));
        Assert.True(Check(r, "Endpoints"));
        Assert.True(Check(r, "Hooks into kube-proxy's rules"));
        Assert.True(Check(r, "Probe through the VIP"));
        Assert.True(Check(r, "Probe of each real server"));
        Assert.Equal("10.180.0.1:80 answers", string.Join(",", ((IEnumerable)r.Properties["RealServers"].Value).Cast<object>().Select(o => o.ToString()!.Split(' ').Take(2).Aggregate((a, b) => a + " " + b))));
        // One connection through the ClusterIP (DNAT to the pod), one straight to the pod.
        Assert.Equal(2, pods["svc1-pod"].TcpAccepted);
    }

    [Fact]
    public void NftablesTheEndpointsListenerDownIsTheCause()
    {
        _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        Pods()["svc1-pod"].Stop(System.Net.Sockets.ProtocolType.Tcp, 80);
        var r = Test("172.30.0.41 80 -Mode Nftables");
        Assert.False((bool)r.Properties["Reachable"].Value);
        Assert.False(Check(r, "Probe through the VIP"));
        Assert.Contains("refused", Detail(r, "Probe through the VIP"));
        Assert.True(Check(r, "Front end in kube-proxy's rules"));
        Assert.True(Check(r, "Hooks into kube-proxy's rules"));
        Assert.StartsWith("Endpoint 10.180.0.1:80 refuses: its pod is there but nothing listens on port 80; the probe through TCP 172.30.0.41:80 saw it: refused", Reason(r));
    }

    [Fact]
    public void NftablesAServiceWithoutEndpointsIsRejectedByTheElementNamed()
    {
        _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        Pods();
        var r = Test("172.30.0.46 80");
        Assert.False((bool)r.Properties["Reachable"].Value);
        Assert.False(Check(r, "Endpoints"));
        Assert.Contains("refused", Detail(r, "Probe through the VIP"));
        Assert.Equal("TCP 172.30.0.46:80 has no endpoints, so kube-proxy rejects or drops it: ip kube-proxy map no-endpoint-services element { 172.30.0.46 . tcp . 80 comment \"ns6/svc6:p80\" : goto reject-chain }; the probe saw it: refused: nothing listens on port 80.", Reason(r));
        Assert.Equal("ns6/svc6:p80", r.Properties["Service"].Value);
    }

    [Fact]
    public void NftablesANodePortPipedFromGetKubeProxyServiceIsProbedOnANodeAddressTheRulesAccept()
    {
        _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        var pods = Pods();
        var r = Assert.Single(session.Ok("Get-KubeProxyService -NetworkNamespace $ns | Where-Object FrontEnd -eq 'TCP 0.0.0.0:3003' | Test-ServiceReachability -TimeoutSeconds 2", Vars()));
        Assert.True((bool)r.Properties["Reachable"].Value, Reason(r));
        Assert.Equal("Nftables", r.Properties["Mode"].Value.ToString());
        Assert.Equal("TCP 192.168.0.2:3003", r.Properties["Target"].Value);
        Assert.Equal("TCP 0.0.0.0:3003", r.Properties["FrontEnd"].Value);
        Assert.Equal(_node.Name, r.Properties["NetworkNamespace"].Value);
        Assert.Contains("(node port TCP 0.0.0.0:3003, probed on 192.168.0.2, a node address in nodeport-ips, on lo)", Reason(r));
        Assert.Equal(2, pods["svc3-pod"].TcpAccepted);
    }

    [Fact]
    public void NftablesAMissingHookIsTheCauseOnlyWhenTheProbeFails()
    {
        _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        Pods();
        // Without masquerade the node's own connection still answers: the missing hook is what else it breaks, not a cause.
        _node.Exec("nft", "delete", "chain", "ip", "kube-proxy", "nat-postrouting");
        var r = Test("172.30.0.41 80");
        Assert.True((bool)r.Properties["Reachable"].Value, Reason(r));
        Assert.False(Check(r, "Hooks into kube-proxy's rules"));
        Assert.Contains("; but kube-proxy's hooks are incomplete (missing: chain nat-postrouting (type nat hook postrouting) jump masquerading", Reason(r));

        // Without nat-output the node's packets never meet the rules: the probe fails, and that is the cause.
        _node.Exec("nft", "delete", "chain", "ip", "kube-proxy", "nat-output");
        var cut = Test("172.30.0.41 80");
        Assert.False((bool)cut.Properties["Reachable"].Value);
        Assert.False(Check(cut, "Probe through the VIP"));
        Assert.StartsWith("Packets to TCP 172.30.0.41:80 never reach kube-proxy's nftables-mode rules (missing: chain nat-output (type nat hook output) jump services (traffic from the node itself)", Reason(cut));
    }

    [Theory]
    [InlineData("Nftables")]
    [InlineData("Iptables")]
    public void AServiceFromAClusterSnapshotIsTestedInTheNodesMode(string mode)
    {
        if (mode == "Nftables") _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        else LoadIptables("NfTables");
        Pods();
        var dir = Directory.CreateTempSubdirectory("ipvstools-reachmode-").FullName;
        try
        {
            // ns1/svc1 as kube-proxy's proxier test defines it.
            var path = Path.Combine(dir, "cluster.yaml");
            File.WriteAllText(path, """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: svc1, namespace: ns1}
                  spec:
                    clusterIP: 172.30.0.41
                    ports: [{name: p80, port: 80, protocol: TCP, targetPort: 80}]
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata: {name: svc1-1, namespace: ns1, labels: {kubernetes.io/service-name: svc1}}
                  addressType: IPv4
                  endpoints:
                  - {addresses: [10.180.0.1], nodeName: other-node}
                  ports: [{name: p80, port: 80, protocol: TCP}]
                """);
            var vars = Vars();
            vars["path"] = path;
            var r = Assert.Single(session.Ok("Test-ServiceReachability -Service ns1/svc1 -Path $path -NodeName test-node -NetworkNamespace $ns -TimeoutSeconds 2"
                + (mode == "Iptables" ? " -Mode Iptables" : ""), vars));
            Assert.Equal(mode, r.Properties["Mode"].Value.ToString());
            Assert.True((bool)r.Properties["Reachable"].Value, Reason(r));
            Assert.Equal("ns1/svc1:p80", r.Properties["Service"].Value);
            Assert.True(Check(r, "Endpoints match EndpointSlices"));
            Assert.Equal("1 endpoint, as the EndpointSlices say", Detail(r, "Endpoints match EndpointSlices"));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void NftablesANodePortOfAClusterServiceIsTakenOnlyOnNodeportIps()
    {
        _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        Pods();
        // A second node address that is not in nodeport-ips.
        _node.Exec("ip", "addr", "add", "192.168.0.3/32", "dev", "lo");
        var dir = Directory.CreateTempSubdirectory("ipvstools-reachmode-").FullName;
        try
        {
            // ns3/svc3 as kube-proxy's proxier test defines it: NodePort 3003.
            var path = Path.Combine(dir, "cluster.yaml");
            File.WriteAllText(path, """
                apiVersion: v1
                kind: List
                items:
                - apiVersion: v1
                  kind: Service
                  metadata: {name: svc3, namespace: ns3}
                  spec:
                    type: NodePort
                    clusterIP: 172.30.0.43
                    ports: [{name: p80, port: 80, protocol: TCP, targetPort: 80, nodePort: 3003}]
                - apiVersion: discovery.k8s.io/v1
                  kind: EndpointSlice
                  metadata: {name: svc3-1, namespace: ns3, labels: {kubernetes.io/service-name: svc3}}
                  addressType: IPv4
                  endpoints:
                  - {addresses: [10.180.0.3], nodeName: other-node}
                  ports: [{name: p80, port: 80, protocol: TCP}]
                """);
            var vars = Vars();
            vars["path"] = path;
            var results = session.Ok("Test-ServiceReachability -Service ns3/svc3 -Path $path -NodeName test-node -NetworkNamespace $ns -TimeoutSeconds 2", vars)
                .ToDictionary(r => (string)r.Properties["Target"].Value);
            var taken = results["TCP 192.168.0.2:3003"];
            Assert.True((bool)taken.Properties["Reachable"].Value, Reason(taken));
            Assert.Equal("TCP 0.0.0.0:3003", taken.Properties["FrontEnd"].Value);
            var other = results["TCP 192.168.0.3:3003"];
            Assert.False((bool)other.Properties["Reachable"].Value);
            Assert.Equal("TCP 192.168.0.3:3003 is not a front end of kube-proxy's nftables-mode rules: TCP 0.0.0.0:3003 NodePort ns3/svc3:p80, but node ports are taken only on the addresses of nodeport-ips (192.168.0.2), not on 192.168.0.3; the probe saw it: refused: nothing listens on port 3003.", Reason(other));
            Assert.True((bool)results["TCP 172.30.0.43:80"].Properties["Reachable"].Value);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    // iptables mode, both backends

    /// <summary>The jumps kube-proxy inserts into the built-in chains (iptables -I), which its proxier test's
    /// iptables-restore input leaves out.</summary>
    private void Hooks(string iptables)
    {
        void Insert(string table, string chain, params string[] rule) => _node.Exec([iptables, "-w", "-t", table, "-I", chain, .. rule]);
        Insert("nat", "PREROUTING", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
        Insert("nat", "OUTPUT", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
        Insert("nat", "POSTROUTING", "-m", "comment", "--comment", "kubernetes postrouting rules", "-j", "KUBE-POSTROUTING");
        Insert("filter", "INPUT", "-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes externally-visible service portals", "-j", "KUBE-EXTERNAL-SERVICES");
        Insert("filter", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
        Insert("filter", "FORWARD", "-m", "conntrack", "--ctstate", "NEW", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES");
    }

    private string LoadIptables(string backend, bool hooks = true)
    {
        var tool = backend == "Legacy" ? "iptables-legacy" : "iptables-nft";
        _node.Exec(tool + "-restore", Fixture("iptables-overall.rules"));
        if (hooks) Hooks(tool);
        return $"-Mode Iptables -IptablesBackend {backend}";
    }

    [Theory]
    [InlineData("NfTables")]
    [InlineData("Legacy")]
    public void IptablesAClusterIpAnswersAndTheListenerDownIsTheCause(string backend)
    {
        var mode = LoadIptables(backend);
        var pods = Pods();
        var r = Test("172.30.0.41 80 " + mode);
        Assert.Equal("Iptables", r.Properties["Mode"].Value.ToString());
        Assert.True((bool)r.Properties["Reachable"].Value, Reason(r));
        Assert.StartsWith("TCP 172.30.0.41:80 answered through kube-proxy's iptables-mode rules (connected in", Reason(r));
        Assert.True(Check(r, "Hooks into kube-proxy's rules"));
        Assert.Equal(2, pods["svc1-pod"].TcpAccepted);

        pods["svc1-pod"].Stop(System.Net.Sockets.ProtocolType.Tcp, 80);
        var down = Test("172.30.0.41 80 " + mode);
        Assert.False((bool)down.Properties["Reachable"].Value);
        Assert.Contains("refused", Detail(down, "Probe through the VIP"));
        Assert.StartsWith("Endpoint 10.180.0.1:80 refuses: its pod is there but nothing listens on port 80", Reason(down));
    }

    [Theory]
    [InlineData("NfTables")]
    [InlineData("Legacy")]
    public void IptablesAServiceWithoutEndpointsIsRejectedByTheRuleNamed(string backend)
    {
        var mode = LoadIptables(backend);
        Pods();
        var r = Test("172.30.0.46 80 " + mode);
        Assert.False((bool)r.Properties["Reachable"].Value);
        Assert.Contains("refused", Detail(r, "Probe through the VIP"));
        Assert.StartsWith("TCP 172.30.0.46:80 has no endpoints, so kube-proxy rejects or drops it: filter -A KUBE-SERVICES ", Reason(r));
        Assert.Contains("\"ns6/svc6:p80 has no endpoints\"", Reason(r));
        Assert.Contains("-j REJECT --reject-with icmp-port-unreachable; the probe saw it: refused", Reason(r));
    }

    [Theory]
    [InlineData("NfTables")]
    [InlineData("Legacy")]
    public void IptablesWithoutKubeProxysJumpsThePacketsNeverReachTheRules(string backend)
    {
        var mode = LoadIptables(backend, hooks: false);
        Pods();
        var r = Test("172.30.0.41 80 " + mode);
        Assert.False((bool)r.Properties["Reachable"].Value);
        Assert.False(Check(r, "Probe through the VIP"));
        Assert.False(Check(r, "Hooks into kube-proxy's rules"));
        Assert.StartsWith("Packets to TCP 172.30.0.41:80 never reach kube-proxy's iptables-mode rules (missing: nat PREROUTING -j KUBE-SERVICES (traffic from pods and other hosts); nat OUTPUT -j KUBE-SERVICES (traffic from the node itself)", Reason(r));
    }

    [Theory]
    [InlineData("NfTables")]
    [InlineData("Legacy")]
    public void IptablesANodePortPipedFromGetKubeProxyServiceAnswersOnANodeAddress(string backend)
    {
        LoadIptables(backend);
        var pods = Pods();
        var vars = Vars();
        vars["backend"] = backend;
        var r = Assert.Single(session.Ok("Get-KubeProxyService -Mode Iptables -Backend $backend -NetworkNamespace $ns | Where-Object FrontEnd -eq 'TCP 0.0.0.0:3003' | Test-ServiceReachability -IptablesBackend $backend -TimeoutSeconds 2", vars));
        Assert.True((bool)r.Properties["Reachable"].Value, Reason(r));
        Assert.Equal("Iptables", r.Properties["Mode"].Value.ToString());
        Assert.Equal("TCP 192.168.0.2:3003", r.Properties["Target"].Value);
        Assert.Contains("probed on 192.168.0.2, a node address, on lo (the rules take node ports on every local address)", Reason(r));
        Assert.Equal(2, pods["svc3-pod"].TcpAccepted);
    }

    public void Dispose()
    {
        _pods?.Dispose();
        _node.Dispose();
    }
}
