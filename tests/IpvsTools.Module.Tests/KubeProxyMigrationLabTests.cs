using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Moving a node off IPVS mode, on the lab kernel: a node synced by Sync-KubeIpvs (scheduler wlc) with foreign
/// virtual servers (a keepalived-style persistent wlc service with a direct-routing real server, a firewall-mark
/// service, a UDP service on the node address outside the NodePort range). Test-KubeProxyMigration's findings before
/// the switch; Export-IpvsConfig -Foreign, byte-compared with the same kernel's `ipvsadm -Sn`; kube-proxy's flush
/// (`ipvsadm -C`, what its cleanup's ipvs.Flush() does) and the restore with `ipvsadm -R` and with Import-IpvsConfig;
/// then nftables mode's rules (kube-proxy's own fixture) in the namespace: the leftovers found, cleared by
/// Remove-KubeIpvs, found no more, the foreign services untouched.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class KubeProxyMigrationLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-migration-").FullName;
    private readonly TestNamespace _node;

    public KubeProxyMigrationLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
        _node = GetKubeIpvsPlanLabTests.Node(); // eth0 172.18.0.3/24
    }

    public void Dispose()
    {
        _node.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeProxy", name);

    /// <summary>shop/web ClusterIP; shop/lb LoadBalancer with node port 30080 and ClientIP affinity.</summary>
    private const string Cluster = """
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Service
          metadata: {name: web, namespace: shop}
          spec:
            type: ClusterIP
            clusterIP: 10.96.0.20
            ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080}]
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: web-1, namespace: shop, labels: {kubernetes.io/service-name: web}}
          addressType: IPv4
          endpoints: [{addresses: [10.244.1.10], nodeName: node-b}, {addresses: [10.244.1.11], nodeName: node-b}]
          ports: [{name: http, port: 8080, protocol: TCP}]
        - apiVersion: v1
          kind: Service
          metadata: {name: lb, namespace: shop}
          spec:
            type: LoadBalancer
            clusterIP: 10.96.0.30
            ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080, nodePort: 30080}]
            sessionAffinity: ClientIP
            sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}
          status:
            loadBalancer: {ingress: [{ip: 1.2.3.4}]}
        - apiVersion: discovery.k8s.io/v1
          kind: EndpointSlice
          metadata: {name: lb-1, namespace: shop, labels: {kubernetes.io/service-name: lb}}
          addressType: IPv4
          endpoints: [{addresses: [10.244.1.10], nodeName: node-b}]
          ports: [{name: http, port: 8080, protocol: TCP}]
        """;

    private static readonly string[] ForeignRules =
    [
        "-A -t 192.168.77.10:80 -s wlc -p 300",
        "-a -t 192.168.77.10:80 -r 172.18.0.50:80 -g -w 3",
        "-A -u 172.18.0.3:5353 -s wlc",
        "-a -u 172.18.0.3:5353 -r 172.18.0.52:53 -m -w 2",
        "-A -f 42 -s rr",
        "-a -f 42 -r 172.18.0.51:0 -g -w 1",
    ];

    /// <summary>The lines of `ipvsadm -Sn` that belong to the foreign services (each -A line and the -a lines after it).</summary>
    private string ForeignSave()
    {
        var keep = false;
        var lines = new List<string>();
        foreach (var line in _node.Exec("ipvsadm", "-Sn").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("-A ", StringComparison.Ordinal))
                keep = line.Contains("192.168.77.10:80", StringComparison.Ordinal) || line.Contains("172.18.0.3:5353", StringComparison.Ordinal) || line.StartsWith("-A -f 42 ", StringComparison.Ordinal);
            if (keep) lines.Add(line);
        }
        return string.Concat(lines.Select(l => l + "\n"));
    }

    private static Dictionary<string, PSObject> ByCheckAndTarget(IEnumerable<PSObject> findings)
        => findings.ToDictionary(f => $"{f.Properties["Check"].Value} {f.Properties["Target"].Value}", f => f);

    private static string Status(PSObject f) => f.Properties["Status"].Value.ToString()!;

    private static string[] Services(PSObject f) => ((IEnumerable)f.Properties["Services"].Value).Cast<object>().Select(o => o.ToString()!).ToArray();

    [Fact]
    public void FindingsBeforeTheSwitchForeignServicesKeptAcrossTheFlushAndLeftoversClearedAfter()
    {
        var path = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(path, Cluster);
        var saved = Path.Combine(_dir, "foreign.rules");
        var vars = new Hashtable { ["path"] = path, ["ns"] = _node.Name, ["saved"] = saved };
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -Scheduler wlc -NetworkNamespace $ns -Confirm:$false", vars);
        _node.Feed(string.Join("\n", ForeignRules) + "\n", "ipvsadm", "-R");
        var foreign = ForeignSave();
        Assert.Equal(6, foreign.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        // Before: the foreign services are blockers, the scheduler and the affinity change, the Services named.
        var before = _session.Ok("Test-KubeProxyMigration -Path $path -NodeName node-a -NetworkNamespace $ns", vars);
        var found = ByCheckAndTarget(before);
        Assert.Equal("Pass", Status(found["Phase Before"]));
        var blockers = before.Where(f => Status(f) == "Blocker" && (string)f.Properties["Check"].Value == "ForeignVirtualServer")
            .Select(f => (string)f.Properties["Target"].Value).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(["FWM 42 rr", "TCP 192.168.77.10:80 wlc persistent 300", "UDP 172.18.0.3:5353 wlc"], blockers);
        Assert.Contains("Export-IpvsConfig -Foreign", (string)found["ForeignVirtualServer UDP 172.18.0.3:5353 wlc"].Properties["Remedy"].Value);
        var scheduler = found["Scheduler wlc"];
        Assert.Equal("Warning", Status(scheduler));
        Assert.Equal(["shop/lb", "shop/web"], Services(scheduler));
        var persistence = before.Single(f => (string)f.Properties["Check"].Value == "Persistence");
        Assert.Equal("Warning", Status(persistence));
        Assert.Equal(["shop/lb"], Services(persistence));
        Assert.Equal([false], _session.Ok("Test-KubeProxyMigration -NetworkNamespace $ns -InformationLevel Quiet", vars).Select(o => (bool)o.BaseObject));

        // Export -Foreign is the foreign part of ipvsadm -Sn, byte for byte.
        _session.Ok("Export-IpvsConfig -Foreign -Path $saved -NetworkNamespace $ns -Confirm:$false", vars);
        Assert.Equal(foreign, File.ReadAllText(saved));

        // kube-proxy's cleanup flushes the table; ipvsadm -R and Import-IpvsConfig put the foreign services back unchanged.
        _node.Exec("ipvsadm", "-C");
        _node.Exec("sh", "-c", $"ipvsadm -R < '{saved}'");
        Assert.Equal(foreign, _node.Exec("ipvsadm", "-Sn"));
        _node.Exec("ipvsadm", "-C");
        _session.Ok("Import-IpvsConfig -Path $saved -NetworkNamespace $ns -Confirm:$false", vars);
        Assert.Equal(foreign, _node.Exec("ipvsadm", "-Sn"));

        // After: nftables mode's rules are there; what IPVS mode left is found, Remove-KubeIpvs clears it, the foreign services stay.
        _node.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        var after = _session.Ok("Test-KubeProxyMigration -NetworkNamespace $ns", vars);
        var leftovers = after.Where(f => (string)f.Properties["Check"].Value == "Leftover").ToList();
        Assert.Equal("Pass", Status(ByCheckAndTarget(after)["Phase After"]));
        Assert.All(leftovers, f => Assert.Equal("Warning", Status(f)));
        var targets = leftovers.Select(f => (string)f.Properties["Target"].Value).ToList();
        Assert.Contains("kube-ipvs0", targets);
        Assert.Contains("KUBE-CLUSTER-IP", targets);
        Assert.Contains("filter/KUBE-IPVS-FILTER (iptables)", targets);
        Assert.DoesNotContain(targets, t => t.Contains("192.168.77.10", StringComparison.Ordinal) || t.Contains("5353", StringComparison.Ordinal));
        Assert.All(after.Where(f => (string)f.Properties["Check"].Value == "ForeignVirtualServer"), f => Assert.Equal("Warning", Status(f)));

        _session.Ok("Remove-KubeIpvs -Force -NetworkNamespace $ns -Confirm:$false -WarningAction SilentlyContinue", vars);
        var cleared = _session.Ok("Test-KubeProxyMigration -NetworkNamespace $ns", vars);
        var leftover = Assert.Single(cleared, f => (string)f.Properties["Check"].Value == "Leftover");
        Assert.Equal("Pass", Status(leftover));
        Assert.NotEqual(0, _node.TryExec("ip", "link", "show", "kube-ipvs0").ExitCode);
        Assert.DoesNotContain("KUBE-", _node.Exec("ipset", "list", "-n"));
        Assert.Equal(foreign, _node.Exec("ipvsadm", "-Sn"));
    }
}
