using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Get-KubeProxyService in IPVS mode on the lab kernel: a node programmed by Sync-KubeIpvs (kube-proxy's IPVS rules:
/// virtual servers, KUBE-* sets, kube-ipvs0) is read back as front ends, cross-checked against `ipvsadm -Sn` and
/// `ipset list` of the same kernel.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class GetKubeProxyServiceLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-kpservice-").FullName;
    private readonly TestNamespace _node;

    public GetKubeProxyServiceLabTests(PowerShellSession session)
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

    /// <summary>shop/web ClusterIP with two endpoints; shop/lb LoadBalancer with a node port and ClientIP affinity;
    /// shop/empty without endpoints.</summary>
    internal const string Cluster = """
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
        - apiVersion: v1
          kind: Service
          metadata: {name: empty, namespace: shop}
          spec:
            type: ClusterIP
            clusterIP: 10.96.0.40
            ports: [{name: http, port: 80, protocol: TCP, targetPort: 8080}]
        """;

    [Fact]
    public void ANodeSyncedInIpvsModeReadsBackAsItsFrontEnds()
    {
        var path = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(path, Cluster);
        var vars = new Hashtable { ["path"] = path, ["ns"] = _node.Name };
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false", vars);

        var result = _session.Run("Get-KubeProxyService -NetworkNamespace $ns", vars);
        Assert.Empty(result.AllErrors);
        Assert.All(result.Output, o => Assert.Equal("Ipvs", o.Properties["Mode"].Value.ToString()));
        var lines = result.Output.Select(Describe).Order(StringComparer.Ordinal).ToList();

        // Every virtual server ipvsadm lists is a front end, and no other.
        var virtualServers = _node.Exec("ipvsadm", "-Sn").Split('\n').Where(l => l.StartsWith("-A ")).Select(l => l.Split(' ')[2]).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(virtualServers, result.Output.Select(o => $"{o.Properties["Address"].Value}:{o.Properties["Port"].Value}").Order(StringComparer.Ordinal).ToList());

        Assert.Contains("TCP 10.96.0.20:80 ClusterIP [10.244.1.10:8080 w=1, 10.244.1.11:8080 w=1] affinity=none", lines);
        Assert.Contains("TCP 10.96.0.30:80 ClusterIP [10.244.1.10:8080 w=1] affinity=600", lines);
        Assert.Contains("TCP 1.2.3.4:80 LoadBalancer [10.244.1.10:8080 w=1] affinity=600", lines);
        Assert.Contains("TCP 172.18.0.3:30080 NodePort [10.244.1.10:8080 w=1] affinity=600", lines);
        Assert.Contains("TCP 10.96.0.40:80 ClusterIP [] affinity=none", lines);
        // Each node port front end is a node address: one ipvsadm virtual server per address, none on kube-ipvs0.
        var ipvs0 = _node.Exec("ip", "-o", "-4", "addr", "show", "dev", "kube-ipvs0");
        Assert.All(result.Output.Where(o => o.Properties["Kind"].Value.ToString() == "NodePort"),
            o => Assert.DoesNotContain(" " + o.Properties["Address"].Value + "/", ipvs0));
        Assert.All(result.Output, o => Assert.Null(o.Properties["Service"].Value));
    }

    private static string Describe(PSObject o)
    {
        // Real servers in address order: IPVS lists them in the order they were added.
        var endpoints = string.Join(", ", ((IEnumerable)o.Properties["Endpoints"].Value).Cast<object>().Select(e =>
        {
            var p = PSObject.AsPSObject(e);
            return $"{e} w={p.Properties["Weight"].Value}";
        }).Order(StringComparer.Ordinal));
        var affinity = o.Properties["Affinity"].Value is TimeSpan a ? a.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
        return $"{o.Properties["FrontEnd"].Value} {o.Properties["Kind"].Value} [{endpoints}] affinity={affinity}";
    }
}
