using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Get-KubeIpvsPlan against the lab kernel: the plan for an empty namespace, carried out with the real
/// tools (ip, ipset, ipvsadm, iptables-restore, iptables), must leave nothing to do; changing one
/// endpoint must then plan exactly its real servers and the set members that depend on it.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class GetKubeIpvsPlanLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-plan-").FullName;

    public GetKubeIpvsPlanLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    /// <summary>kube-dns with a local and a remote endpoint, a NodePort web Service, a Local LoadBalancer with source ranges.</summary>
    internal static string Snapshot(string remoteDns = "10.244.1.7", string localDns = "10.244.0.5") => $$$"""
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: kube-dns, namespace: kube-system}
          spec:
            clusterIP: 10.96.0.10
            clusterIPs: [10.96.0.10]
            ports:
            - {name: dns, port: 53, protocol: UDP, targetPort: 53}
            - {name: dns-tcp, port: 53, protocol: TCP, targetPort: 53}
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec:
            type: NodePort
            clusterIP: 10.96.100.20
            ports: [{name: http, port: 80, nodePort: 30080, protocol: TCP, targetPort: 8080}]
        - apiVersion: v1
          kind: Service
          metadata: {name: lb, namespace: shop}
          spec:
            type: LoadBalancer
            clusterIP: 10.96.100.30
            externalTrafficPolicy: Local
            healthCheckNodePort: 32100
            loadBalancerSourceRanges: [203.0.113.0/24, 172.18.0.0/16]
            sessionAffinity: ClientIP
            ports: [{name: https, port: 443, nodePort: 30443, protocol: TCP, targetPort: 8443}]
          status:
            loadBalancer:
              ingress: [{ip: 192.0.2.50}]
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: kube-dns-1, namespace: kube-system, labels: {kubernetes.io/service-name: kube-dns}}
          addressType: IPv4
          endpoints:
          - {addresses: [{{{localDns}}}], conditions: {ready: true}, nodeName: node-a}
          - {addresses: [{{{remoteDns}}}], conditions: {ready: true}, nodeName: node-b}
          ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53, protocol: TCP}]
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
          addressType: IPv4
          endpoints:
          - {addresses: [10.244.1.12], nodeName: node-b}
          ports: [{name: http, port: 8080, protocol: TCP}]
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: lb-1, namespace: shop, labels: {kubernetes.io/service-name: lb}}
          addressType: IPv4
          endpoints:
          - {addresses: [10.244.0.9], nodeName: node-a}
          - {addresses: [10.244.1.9], nodeName: node-b}
          ports: [{name: https, port: 8443, protocol: TCP}]
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-a, labels: {topology.kubernetes.io/zone: z1}}
        status:
          addresses: [{type: InternalIP, address: 172.18.0.3}]
        """;

    private string Write(string text)
    {
        var path = Path.Combine(_dir, $"cluster-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    internal static TestNamespace Node()
    {
        var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "eth0", "type", "dummy");
        ns.Exec("ip", "addr", "add", "172.18.0.3/24", "dev", "eth0");
        ns.Exec("ip", "link", "set", "eth0", "up");
        return ns;
    }

    private IReadOnlyList<PSObject> Plan(TestNamespace ns, string path)
        => _session.Ok("Get-KubeIpvsPlan -Path $path -NodeName node-a -NetworkNamespace $ns", new Hashtable { ["path"] = path, ["ns"] = ns.Name });

    private static string[] Lines(IEnumerable<PSObject> plan) => plan.Select(o => o.ToString()).ToArray();

    [Fact]
    public void ThePlanCarriedOutWithTheRealToolsLeavesNothingToDoAndOneEndpointChangesOnlyItsWrites()
    {
        using var ns = Node();
        var first = Plan(ns, Write(Snapshot()));
        var lines = Lines(first);
        Assert.Equal("create dummy link kube-ipvs0 (down)", lines[0]);
        Assert.Contains("add address 10.96.0.10/32 to kube-ipvs0", lines);
        Assert.Contains("add virtual server TCP 192.0.2.50:443 rr persistent 10800", lines);
        Assert.Contains("add destination TCP 172.18.0.3:30443 -> 10.244.0.9:8443 masq weight 1", lines); // Local: only the local endpoint
        Assert.DoesNotContain("add destination TCP 172.18.0.3:30443 -> 10.244.1.9:8443 masq weight 1", lines);
        Assert.Contains("add 192.0.2.50,tcp:443,192.0.2.50 to ipset KUBE-LOAD-BALANCER-SOURCE-IP", lines); // the node IP is in a source range
        Assert.Contains("add 30080 to ipset KUBE-NODE-PORT-TCP", lines);
        Assert.Contains("add 32100 to ipset KUBE-HEALTH-CHECK-NODE-PORT", lines);
        Assert.Contains(lines, l => l.StartsWith("restore iptables chains nat/KUBE-SERVICES", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("ip6tables") || l.Contains("KUBE-6-"));
        Assert.True(lines.ToList().FindIndex(l => l.StartsWith("add virtual server", StringComparison.Ordinal)) > lines.ToList().FindLastIndex(l => l.Contains(" to ipset ")));

        Apply(ns, first);

        // The kernel as the real tools see it.
        var ipvsadm = ns.Exec("ipvsadm", "-Ln");
        Assert.Contains("TCP  192.0.2.50:443 rr persistent 10800", ipvsadm);
        Assert.Contains("  -> 10.244.0.5:53", ipvsadm);
        Assert.Contains("10.96.0.10,udp:53", ns.Exec("ipset", "list", "KUBE-CLUSTER-IP"));
        Assert.Contains("-A KUBE-SERVICES -m comment --comment \"Kubernetes service lb portal\" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER", ns.Exec("iptables-save"));
        Assert.Contains("kube-ipvs0", ns.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0"));

        // Up to date: nothing to do.
        Assert.Empty(Lines(Plan(ns, Write(Snapshot()))));

        // One remote endpoint changes: its two real servers only (no set depends on a remote endpoint).
        Assert.Equal(
        [
            "add destination TCP 10.96.0.10:53 -> 10.244.1.8:53 masq weight 1",
            "remove destination TCP 10.96.0.10:53 -> 10.244.1.7:53",
            "add destination UDP 10.96.0.10:53 -> 10.244.1.8:53 masq weight 1",
            "remove destination UDP 10.96.0.10:53 -> 10.244.1.7:53",
        ], Lines(Plan(ns, Write(Snapshot(remoteDns: "10.244.1.8")))));

        // One local endpoint changes: its real servers and its KUBE-LOOP-BACK members.
        Assert.Equal(
        [
            "add 10.244.0.6,tcp:53,10.244.0.6 to ipset KUBE-LOOP-BACK",
            "add 10.244.0.6,udp:53,10.244.0.6 to ipset KUBE-LOOP-BACK",
            "add destination TCP 10.96.0.10:53 -> 10.244.0.6:53 masq weight 1",
            "remove destination TCP 10.96.0.10:53 -> 10.244.0.5:53",
            "add destination UDP 10.96.0.10:53 -> 10.244.0.6:53 masq weight 1",
            "remove destination UDP 10.96.0.10:53 -> 10.244.0.5:53",
            "remove 10.244.0.5,tcp:53,10.244.0.5 from ipset KUBE-LOOP-BACK",
            "remove 10.244.0.5,udp:53,10.244.0.5 from ipset KUBE-LOOP-BACK",
        ], Lines(Plan(ns, Write(Snapshot(localDns: "10.244.0.6")))));
    }

    [Fact]
    public void DriftAndForeignServicesAreSeenInTheKernel()
    {
        using var ns = Node();
        Apply(ns, Plan(ns, Write(Snapshot())));
        ns.Exec("ipvsadm", "-E", "-t", "10.96.100.20:80", "-s", "wrr");                // a hand-made scheduler change
        ns.Exec("ipvsadm", "-A", "-t", "198.51.100.1:8080", "-s", "rr");              // someone else's service
        ns.Exec("ipvsadm", "-A", "-t", "10.96.100.99:80", "-s", "rr");                // a stale cluster service...
        ns.Exec("ip", "addr", "add", "10.96.100.99/32", "dev", "kube-ipvs0");         // ...on kube-ipvs0
        var plan = Lines(Plan(ns, Write(Snapshot())));
        Assert.Equal(
        [
            "update virtual server TCP 10.96.100.20:80 rr (scheduler was wrr)",
            "remove virtual server TCP 10.96.100.99:80",
            "remove address 10.96.100.99/32 from kube-ipvs0",
        ], plan);
        var all = _session.Ok("Get-KubeIpvsPlan -Path $path -NodeName node-a -NetworkNamespace $ns -IncludeForeign -Verbose 4>&1",
            new Hashtable { ["path"] = Write(Snapshot()), ["ns"] = ns.Name });
        Assert.Contains("remove virtual server TCP 198.51.100.1:8080 (foreign)", all.Select(o => o.ToString()));
        Assert.Contains(all, o => o.BaseObject is VerboseRecord v && v.Message.Contains("writes for"));
    }

    [Fact]
    public void OutputSurvivesASerializationRoundTrip()
    {
        using var ns = Node();
        var differences = _session.Ok("""
            function Compare-Copy($original, $copy, $path) {
                if ($copy.PSObject.TypeNames[0] -ne "Deserialized.$($original.GetType().FullName)") { "$path type name $($copy.PSObject.TypeNames[0])" }
                if ("$original" -ne "$copy") { "$path printed '$original' became '$copy'" }
                foreach ($p in $original.PSObject.Properties) {
                    $value = $copy.($p.Name)
                    if ($p.Value -is [enum]) { $value = $value -as $p.Value.GetType() }
                    if ("$($p.Value)" -ne "$value") { "$path.$($p.Name): '$($p.Value)' became '$value'" }
                }
            }
            foreach ($o in Get-KubeIpvsPlan -Path $path -NodeName node-a -NetworkNamespace $ns) {
                $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 4))
                Compare-Copy $o $copy "$o"
            }
            """, new Hashtable { ["path"] = Write(Snapshot()), ["ns"] = ns.Name });
        Assert.Empty(differences.Select(o => o.ToString()));
    }

    /// <summary>Carries out a plan with the reference tools, as Sync will with the engine's clients.</summary>
    internal static void Apply(TestNamespace ns, IEnumerable<PSObject> plan)
    {
        foreach (var op in plan)
        {
            // Each layer's operation has its own properties: one another layer lacks reads as null.
            object? P(string name) => op.Properties[name]?.Value;
            string S(string name) => P(name)?.ToString() ?? "";
            string Of(string name, string property) => PSObject.AsPSObject(P(name)!).Properties[property].Value?.ToString() ?? "";
            var kind = S("Kind");
            var service = P("Service") is { } key ? ServiceArguments(PSObject.AsPSObject(key)) : [];
            switch (kind)
            {
                case "CreateDummyLink":
                    ns.Exec("ip", "link", "add", "kube-ipvs0", "type", "dummy");
                    break;
                case "AddAddress":
                    ns.Exec("ip", "addr", "add", S("Address") + (S("Address").Contains(':') ? "/128" : "/32"), "dev", "kube-ipvs0");
                    break;
                case "RemoveAddress":
                    ns.Exec("ip", "addr", "del", S("Address") + (S("Address").Contains(':') ? "/128" : "/32"), "dev", "kube-ipvs0");
                    break;
                case "CreateSet":
                    ns.Exec(Of("Options", "Family") == ""
                        ? ["ipset", "create", S("SetName"), Of("Options", "Type"), "range", Of("Options", "RangeFrom") + "-" + Of("Options", "RangeTo")]
                        : ["ipset", "create", S("SetName"), Of("Options", "Type"), "family", Of("Options", "Family"), "hashsize", Of("Options", "HashSize"), "maxelem", Of("Options", "MaxElements")]);
                    break;
                case "AddSetMember":
                    ns.Exec("ipset", "add", S("SetName"), S("Member"));
                    break;
                case "RemoveSetMember":
                    ns.Exec("ipset", "del", S("SetName"), S("Member"));
                    break;
                case "AddVirtualServer":
                case "UpdateVirtualServer":
                    var flags = Convert.ToUInt32(Of("ServiceSettings", "Flags"));
                    var args = new List<string> { "ipvsadm", kind == "AddVirtualServer" ? "-A" : "-E" };
                    args.AddRange(service);
                    args.AddRange(["-s", Of("ServiceSettings", "Scheduler")]);
                    if ((flags & 1) != 0) args.AddRange(["-p", Of("ServiceSettings", "PersistenceTimeout")]);
                    if ((flags & 0x10) != 0) args.AddRange(["-b", Of("ServiceSettings", "Scheduler") + "-port"]);
                    ns.Exec([.. args]);
                    break;
                case "RemoveVirtualServer":
                    ns.Exec(["ipvsadm", "-D", .. service]);
                    break;
                case "AddDestination":
                case "UpdateDestination":
                    ns.Exec(["ipvsadm", kind == "AddDestination" ? "-a" : "-e", .. service, "-r", S("Destination"), "-m", "-w", Of("Destination", "Weight")]);
                    break;
                case "RemoveDestination":
                    ns.Exec(["ipvsadm", "-d", .. service, "-r", S("Destination")]);
                    break;
                case "RestoreIptables":
                    ns.Feed(S("RestoreInput"), S("IptablesCommand") + "-restore", "-w", "--noflush", "--counters");
                    break;
                case "InsertIptablesJump":
                    var rule = PSObject.AsPSObject(P("IptablesRule")!);
                    var vector = ((IEnumerable)rule.Methods["ArgumentVector"].Invoke()).Cast<object>().Select(o => o.ToString()!);
                    ns.Exec([S("IptablesCommand"), "-w", "-t", rule.Properties["Table"].Value.ToString()!, "-I", rule.Properties["Chain"].Value.ToString()!, .. vector]);
                    break;
                default:
                    throw new InvalidOperationException("The test applier does not know " + kind);
            }
        }
    }

    private static string[] ServiceArguments(PSObject key)
    {
        var protocol = key.Properties["Protocol"].Value.ToString();
        var address = key.Properties["Address"].Value.ToString()!;
        var endpoint = (address.Contains(':') ? "[" + address + "]" : address) + ":" + key.Properties["Port"].Value;
        return [protocol switch { "Tcp" => "-t", "Udp" => "-u", _ => "--sctp-service" }, endpoint];
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
