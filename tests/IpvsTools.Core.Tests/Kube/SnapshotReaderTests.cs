using System.Net;
using IpvsTools.Kube;
using Xunit;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Kube;

/// <summary>The snapshot reader on what kubectl prints (YAML List, JSON List, several documents) and on broken files.</summary>
public class SnapshotReaderTests
{
    internal static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "Snapshots", name);

    [Fact]
    public void ReadsKubectlYamlListAndNodeDocument()
    {
        var s = SnapshotReader.ReadFiles([Sample("kind-cluster.yaml")]);
        AssertKindCluster(s);
    }

    [Fact]
    public void ReadsKubectlJsonList()
    {
        var s = SnapshotReader.ReadFiles([Sample("kind-cluster.json")]);
        AssertKindCluster(s);
    }

    private static void AssertKindCluster(ClusterSnapshot s)
    {
        Assert.Equal(["default/kubernetes", "kube-system/kube-dns", "shop/web"], s.Services.Select(x => x.ToString()));
        var dns = s.Services[1];
        Assert.Equal(KubeServiceType.ClusterIP, dns.Type);
        Assert.Equal([IPAddress.Parse("10.96.0.10")], dns.ClusterIPs);
        Assert.Equal(["dns 53/UDP", "dns-tcp 53/TCP", "metrics 9153/TCP"], dns.Ports.Select(p => p.ToString()));
        Assert.Equal("53", dns.Ports[0].TargetPort);
        var web = s.Services[2];
        Assert.Equal(KubeServiceType.NodePort, web.Type);
        Assert.Equal(30080, web.Ports[0].NodePort);
        Assert.Equal("http", web.Ports[0].TargetPort);

        Assert.Equal(["kube-system/kube-dns-mq8rn", "default/kubernetes", "shop/web-abcde"], s.EndpointSlices.Select(x => x.ToString()));
        var slice = s.EndpointSlices[0];
        Assert.Equal("kube-dns", slice.ServiceName);
        Assert.Equal(KubeAddressType.IPv4, slice.AddressType);
        Assert.Equal(["10.244.0.5", "10.244.1.7"], slice.Endpoints.Select(e => e.ToString()));
        Assert.Equal("kind-worker", slice.Endpoints[1].NodeName);
        var web2 = s.EndpointSlices[2].Endpoints[1];
        Assert.Null(web2.Ready);
        Assert.True(web2.IsReady);

        var node = Assert.Single(s.Nodes);
        Assert.Equal("kind-worker", node.Name);
        Assert.Equal("zone-a", node.Zone);
        Assert.Equal([IPAddress.Parse("172.18.0.3")], node.HostIPs());
    }

    [Fact]
    public void ReadsSeveralDocumentsTypedListsAndSkipsOtherKinds()
    {
        const string text = """
            apiVersion: v1
            kind: ServiceList
            items:
            - metadata: {name: a, namespace: n}
              spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: p}
            ---
            ---
            apiVersion: discovery.k8s.io/v1
            kind: EndpointSlice
            metadata: {name: a-1, namespace: n, labels: {kubernetes.io/service-name: a}}
            addressType: IPv6
            endpoints:
            - addresses: [fd00::5]
              conditions: {ready: false, serving: true, terminating: true}
              hints: {forZones: [{name: z1}], forNodes: [{name: n1}]}
            ports: [{name: "", port: 8080, protocol: TCP}]
            """;
        var s = SnapshotReader.ReadText(text, "inline");
        var svc = Assert.Single(s.Services);
        Assert.Equal("n/a", svc.ToString());
        Assert.Equal(IpvsProtocol.Tcp, svc.Ports[0].Protocol); // the API server's default
        Assert.Equal("", svc.Ports[0].Name);
        var slice = Assert.Single(s.EndpointSlices);
        Assert.Equal(KubeAddressType.IPv6, slice.AddressType);
        var ep = Assert.Single(slice.Endpoints);
        Assert.False(ep.IsReady);
        Assert.True(ep.IsServing);
        Assert.True(ep.IsTerminating);
        Assert.Equal(["z1"], ep.ZoneHints);
        Assert.Equal(["n1"], ep.NodeHints);
        Assert.Equal("", slice.Ports[0].Name);
    }

    [Fact]
    public void ReadsServiceDetails()
    {
        const string text = """
            kind: Service
            apiVersion: v1
            metadata:
              name: lb
              namespace: prod
              labels: {service.kubernetes.io/service-proxy-name: other}
            spec:
              type: LoadBalancer
              clusterIPs: [10.96.5.5, fd00:10:96::5]
              ipFamilies: [IPv4, IPv6]
              externalIPs: [192.0.2.10, not-an-ip]
              loadBalancerSourceRanges: ["203.0.113.0/24", " 198.51.100.7/32 "]
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}
              externalTrafficPolicy: Local
              internalTrafficPolicy: Local
              healthCheckNodePort: 32000
              ports: [{name: h, port: 80, nodePort: 31000, protocol: SCTP, targetPort: 8080}]
            status:
              loadBalancer:
                ingress: [{ip: 192.0.2.100}, {ip: 192.0.2.101, ipMode: Proxy}, {hostname: lb.example}]
            """;
        var svc = Assert.Single(SnapshotReader.ReadText(text, "inline").Services);
        Assert.Equal(KubeServiceType.LoadBalancer, svc.Type);
        Assert.Equal(["10.96.5.5", "fd00:10:96::5"], svc.ClusterIPs.Select(a => a.ToString()));
        Assert.Equal(["192.0.2.10"], svc.ExternalIPs.Select(a => a.ToString()));
        Assert.Equal(["203.0.113.0/24", "198.51.100.7/32"], svc.LoadBalancerSourceRanges.Select(a => a.ToString()));
        Assert.Equal(KubeSessionAffinity.ClientIP, svc.SessionAffinity);
        Assert.Equal(60, svc.SessionAffinityTimeoutSeconds);
        Assert.True(svc.ExternalPolicyLocal);
        Assert.True(svc.InternalPolicyLocal);
        Assert.Equal(32000, svc.HealthCheckNodePort);
        Assert.Equal("other", svc.ServiceProxyName);
        Assert.Equal(IpvsProtocol.Sctp, svc.Ports[0].Protocol);
        Assert.Equal([true, false, false], svc.LoadBalancerIngress.Select(i => i.IsVip));
    }

    [Fact]
    public void HeadlessAndExternalNameHaveNoClusterIPs()
    {
        const string text = """
            {"kind": "List", "items": [
              {"kind": "Service", "metadata": {"name": "h", "namespace": "n"}, "spec": {"clusterIP": "None", "clusterIPs": ["None"], "ports": [{"port": 80}]}},
              {"kind": "Service", "metadata": {"name": "x", "namespace": "n"}, "spec": {"type": "ExternalName", "externalName": "example.com"}}
            ]}
            """;
        var s = SnapshotReader.ReadText(text, "inline");
        Assert.True(s.Services[0].IsHeadless);
        Assert.Empty(s.Services[0].ClusterIPs);
        Assert.Equal(KubeServiceType.ExternalName, s.Services[1].Type);
        Assert.Empty(s.Services[1].ClusterIPs);
    }

    [Theory]
    // YAML syntax: the tab / the unclosed flow sequence, at their line and column.
    [InlineData("kind: List\nitems:\n- kind: Service\n  metadata: {name: a\n", 5, 1)]
    [InlineData("kind: Service\nmetadata:\n  name: a\n spec: x\n", 4, 2)]
    // JSON syntax: JSON's own positions.
    [InlineData("{\n  \"kind\": \"List\",\n  \"items\": [ }\n", 3, 14)]
    // A value of the wrong type, inside the third line of the object.
    [InlineData("kind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n  spec:\n    ports:\n    - port: eighty\n", 7, 13)]
    // A value the API server would refuse: at the field.
    [InlineData("kind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n  spec:\n    clusterIP: 10.96.0.300\n", 6, 16)]
    [InlineData("kind: Service\nmetadata: {name: a}\nspec:\n  ports:\n  - port: 80\n    protocol: ICMP\n", 6, 15)]
    // Not an object at all, and an object without a kind.
    [InlineData("- a\n- b\n", 1, 1)]
    [InlineData("kind: List\nitems:\n- metadata: {name: a}\n", 3, 3)]
    public void MalformedSnapshotNamesFileLineAndColumn(string text, int line, int column)
    {
        var path = Path.Combine(Path.GetTempPath(), $"ipvstools-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        try
        {
            var ex = Assert.Throws<ClusterSourceException>(() => SnapshotReader.ReadFiles([path]));
            Assert.Equal(path, ex.SourceName);
            Assert.Equal((line, column), (ex.Line, ex.Column));
            Assert.StartsWith($"{path}:{line}:{column}: ", ex.Message);
            Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>`Sync-KubeIpvs -Path <(kubectl get ...)` hands over a pipe: its size is unknown, and it is read to its end.</summary>
    [Theory]
    [InlineData("kind-cluster.json")]
    [InlineData("kind-cluster.yaml")]
    public void ReadsASnapshotFromAPipe(string sample)
    {
        var fifo = Path.Combine(Path.GetTempPath(), "ipvstools-snapshot-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(0, MakeFifo(fifo, 0x180));
        try
        {
            var bytes = File.ReadAllBytes(Sample(sample));
            var writer = new Thread(() =>
            {
                using var pipe = new FileStream(fifo, FileMode.Open, FileAccess.Write);
                // In pieces, as kubectl writes: the reader must not stop at the first one.
                for (var at = 0; at < bytes.Length; at += 1000) { pipe.Write(bytes, at, Math.Min(1000, bytes.Length - at)); pipe.Flush(); }
            }) { IsBackground = true };
            writer.Start();
            var s = SnapshotReader.ReadFiles([fifo]);
            Assert.True(writer.Join(TimeSpan.FromSeconds(30)), "the writer did not finish");
            AssertKindCluster(s);
        }
        finally
        {
            File.Delete(fifo);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, uint mode);

    [Fact]
    public void AnEmptyFileIsAnEmptySnapshot()
    {
        var path = Path.GetTempFileName();
        try
        {
            var s = SnapshotReader.ReadFiles([path]);
            Assert.Empty(s.Services);
            Assert.Empty(s.EndpointSlices);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingFileIsNotFound()
    {
        var ex = Assert.Throws<ClusterSourceException>(() => SnapshotReader.ReadFiles(["/nonexistent/cluster.yaml"]));
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Contains("/nonexistent/cluster.yaml", ex.Message);
    }

    [Fact]
    public void DeepNestingIsRefusedNotRecursed()
    {
        var text = "kind: Service\nmetadata: " + new string('[', 100_000) + "\n";
        var ex = Assert.Throws<ClusterSourceException>(() => SnapshotReader.ReadText(text, "deep"));
        Assert.Contains("deeper than", ex.Message);
    }
}
