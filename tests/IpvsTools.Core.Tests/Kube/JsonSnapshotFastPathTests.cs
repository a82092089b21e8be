using System.Net;
using System.Text;
using IpvsTools.Kube;
using Xunit;
using static IpvsTools.Tests.Kube.JsonSnapshotPaths;
using IpvsTools.Cluster;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The JSON fast path of the snapshot reader reads what the old path (YamlDotNet) reads, field by field;
/// where it gives up, the reader's errors are the old path's, message, line and column.
/// </summary>
public class JsonSnapshotFastPathTests
{
    private static readonly string SnapshotFolder = Path.Combine(AppContext.BaseDirectory, "Snapshots");

    /// <summary>Every fixture snapshot (new ones included as they come).</summary>
    public static TheoryData<string> Fixtures()
        => new(Directory.GetFiles(SnapshotFolder).Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void FixtureReadsTheSameOnBothPaths(string name)
    {
        var text = File.ReadAllText(Path.Combine(SnapshotFolder, name));
        // A YAML fixture is compared as the JSON kubectl would print for each of its documents, and as YAML.
        var jsons = name.EndsWith(".json", StringComparison.Ordinal) ? [text] : YamlToJson.Convert(text);
        var fast = new List<ClusterSnapshot>();
        foreach (var json in jsons)
        {
            var read = Fast(json);
            Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(read));
            fast.Add(read);
        }
        var merged = new ClusterSnapshot(fast.SelectMany(s => s.Services).ToList(), fast.SelectMany(s => s.EndpointSlices).ToList(), fast.SelectMany(s => s.Nodes).ToList());
        Assert.Equal(ClusterSnapshotText.Of(Yaml(text)), ClusterSnapshotText.Of(merged));
        Assert.NotEmpty(merged.Services);
    }

    [Fact]
    public void FeaturesFixtureCoversWhatTheMapperReads()
    {
        // What FixtureReadsTheSameOnBothPaths compared on features.yaml: each of these is in it.
        var json = Assert.Single(YamlToJson.Convert(File.ReadAllText(Path.Combine(SnapshotFolder, "features.yaml"))));
        var s = Fast(json);
        Assert.Equal(["shop/api", "shop/web", "prod/lb", "prod/v6only", "shop/db", "shop/alias"], s.Services.Select(x => x.ToString()));
        var (api, web, lb, v6, db, alias) = (s.Services[0], s.Services[1], s.Services[2], s.Services[3], s.Services[4], s.Services[5]);
        Assert.Equal(["http 80/TCP", "dns 53/UDP", "sctp 9000/SCTP"], api.Ports.Select(p => p.ToString()));
        Assert.Equal(["8080", "dns", "9000"], api.Ports.Select(p => p.TargetPort));
        Assert.Equal((KubeSessionAffinity.ClientIP, 600, KubeTrafficPolicy.Local, "PreferClose"), (api.SessionAffinity, api.SessionAffinityTimeoutSeconds, api.InternalTrafficPolicy, api.TrafficDistribution));
        Assert.Equal("1", api.Labels["tier"]);
        Assert.Equal((KubeServiceType.NodePort, 30080, true), (web.Type, web.Ports[0].NodePort, web.ExternalPolicyLocal));
        Assert.Equal(["192.0.2.10", "192.0.2.11"], web.ExternalIPs.Select(a => a.ToString()));
        Assert.Equal(KubeServiceType.LoadBalancer, lb.Type);
        Assert.Equal(["10.96.5.5", "fd00:10:96::5"], lb.ClusterIPs.Select(a => a.ToString()));
        Assert.Equal(["203.0.113.0/24", "198.51.100.7/32", "2001:db8::/64"], lb.LoadBalancerSourceRanges.Select(r => r.ToString()));
        Assert.Equal([true, false, true, false], lb.LoadBalancerIngress.Select(i => i.IsVip));
        Assert.Equal(("other", 32000), (lb.ServiceProxyName, lb.HealthCheckNodePort));
        Assert.Equal([IPAddress.Parse("fd00:10:96::7")], v6.ClusterIPs);
        Assert.True(db.IsHeadless);
        Assert.Equal((KubeServiceType.ExternalName, "db.example.com"), (alias.Type, alias.ExternalName));

        Assert.Equal([KubeAddressType.IPv4, KubeAddressType.IPv6, KubeAddressType.FQDN], s.EndpointSlices.Select(e => e.AddressType));
        var slice = s.EndpointSlices[0];
        Assert.Equal("api", slice.ServiceName);
        Assert.Equal([(true, true, false), (false, true, true), (false, false, true), (true, true, false)],
            slice.Endpoints.Select(e => (e.IsReady, e.IsServing, e.IsTerminating)));
        Assert.Null(slice.Endpoints[3].Ready);
        Assert.Equal(("node-a", "zone-a"), (slice.Endpoints[0].NodeName, slice.Endpoints[0].Zone));
        Assert.Equal(["zone-a"], slice.Endpoints[0].ZoneHints);
        Assert.Equal(["node-a"], slice.Endpoints[0].NodeHints);
        Assert.Equal(["zone-b", "zone-c"], slice.Endpoints[1].ZoneHints);
        Assert.Equal(["10.244.2.6", "10.244.2.7"], slice.Endpoints[1].Addresses);
        Assert.Null(slice.Ports[3].Port);

        var node = Assert.Single(s.Nodes);
        Assert.Equal(("node-a", "zone-a"), (node.Name, node.Zone));
        Assert.Equal(["172.18.0.3", "fd00:18::3", "198.51.100.3"], node.HostIPs().Select(a => a.ToString()));
    }

    [Fact]
    public void BenchmarkShapedSnapshotReadsTheSameOnBothPaths()
    {
        // The shape tests/bench/kube-snapshot.py generates (python's json.dump, indent 4), small.
        var json = BenchmarkSnapshot(services: 40, endpoints: 3);
        var fast = Fast(json);
        Assert.Equal(40, fast.Services.Count);
        Assert.Equal(40, fast.EndpointSlices.Count);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(fast));
    }

    /// <summary>JSON that is valid but that the fast path leaves to the old path: the reader's outcome is the old path's.</summary>
    [Theory]
    // Values the mapper refuses: the old path names the field's line and column.
    [InlineData("""{"kind": "List", "items": [{"kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 70000}]}}]}""")]
    [InlineData("""{"kind": "List", "items": [{"kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 0}]}}]}""")]
    [InlineData("{\n  \"kind\": \"Service\",\n  \"metadata\": {\"name\": \"a\"},\n  \"spec\": {\n    \"clusterIP\": \"10.96.0.300\"\n  }\n}")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80, "protocol": "ICMP"}]}}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": {"sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 0}}}}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": {"loadBalancerSourceRanges": ["10.0.0.0/33"]}}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": {"type": "Balanced"}}""")]
    [InlineData("""{"kind": "EndpointSlice", "metadata": {"name": "a"}, "addressType": "IPv7"}""")]
    [InlineData("""{"kind": "EndpointSlice", "metadata": {"name": "a"}, "addressType": "IPv4", "ports": [{"port": -1}]}""")]
    // Values of another JSON type than the model's: YamlDotNet converts some ("80"), refuses others.
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": "eighty"}]}}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": "80"}]}}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": 5}, "spec": {"ports": [{"port": 80.0}]}}""")]
    [InlineData("""{"kind": "EndpointSlice", "metadata": {"name": "a"}, "addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"], "conditions": {"ready": "yes"}}]}""")]
    [InlineData("""{"kind": "EndpointSlice", "metadata": {"name": "a"}, "addressType": "IPv4", "endpoints": [{"addresses": "10.0.0.1"}]}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a", "labels": {"n": 1}}, "spec": {"ports": [{"port": 80, "targetPort": null}]}}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80, "targetPort": ""}]}}""")]
    [InlineData("""{"kind": "Service", "metadata": {"name": "a"}, "spec": [1, 2]}""")]
    // Shapes: no kind, a kind that is not a string, items that are not a list of objects.
    [InlineData("""{"kind": "List", "items": [{"metadata": {"name": "a"}}]}""")]
    [InlineData("""{"metadata": {"name": "a"}}""")]
    [InlineData("""{"kind": 5, "items": []}""")]
    [InlineData("""{"kind": "List", "items": [{"kind": true}]}""")]
    [InlineData("""{"kind": "List", "items": 5}""")]
    [InlineData("""{"kind": "List", "items": [null, 5]}""")]
    [InlineData("""{"kind": "List", "items": [null]}""")]
    [InlineData("""{"kind": "List", "items": null}""")]
    [InlineData("""{"kind": "Service", "items": null, "metadata": {"name": "a"}, "spec": {"ports": [{"port": 80}]}}""")]
    [InlineData("""{"kind": "Service", "items": [5], "spec": {"ports": [{"port": 80}]}}""")]
    // Not valid JSON: System.Text.Json's message and position, as before.
    [InlineData("{\n  \"kind\": \"List\",\n  \"items\": [ }\n")]
    [InlineData("""{"kind": "List", "items": []} {"kind": "List"}""")]
    [InlineData("""{"kind": "List", "items": [], }""")]
    public void WhereTheFastPathGivesUpTheOutcomeIsTheOldPaths(string json)
    {
        Assert.False(FastReads(json));
        var expected = Outcome(() => Yaml(json, "inline.json"));
        Assert.Equal(expected, Outcome(() => Reader(json, "inline.json")));
    }

    [Fact]
    public void MalformedFileErrorsNameTheFileLineAndColumnAsBefore()
    {
        // A bad port on the 9th line: through ReadFiles (the bytes path), the old path's error, at the field.
        const string json = "{\n  \"kind\": \"List\",\n  \"items\": [\n    {\n      \"kind\": \"Service\",\n      \"metadata\": {\"name\": \"a\", \"namespace\": \"n\"},\n      \"spec\": {\n        \"ports\": [\n          {\"port\": 70000}\n        ]\n      }\n    }\n  ]\n}\n";
        var path = Path.Combine(Path.GetTempPath(), $"ipvstools-badport-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        try
        {
            var ex = Assert.Throws<ClusterSourceException>(() => SnapshotReader.ReadFiles([path]));
            Assert.Equal(Outcome(() => Yaml(json, path)), Outcome(() => SnapshotReader.ReadFiles([path])));
            Assert.Equal((path, 9, 20), (ex.SourceName, ex.Line, ex.Column));
            Assert.Equal("Service n/a: spec.ports[0].port: 70000 is not a port (1 to 65535).", ex.Reason);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void RepeatedNamesKeepTheLastValueOnBothPaths()
    {
        const string json = """
            {"kind": "List", "kind": "List", "items": [
              {"kind": "Service", "metadata": {"name": "a", "name": "b", "labels": {"x": "1", "x": "2"}},
               "spec": {"ports": [{"port": 80}], "ports": [{"port": 81, "port": 82}], "clusterIP": "10.0.0.1", "clusterIP": "10.0.0.2"}},
              {"kind": "EndpointSlice", "addressType": "IPv6", "addressType": "IPv4", "metadata": {"name": "b-1"},
               "endpoints": [{"addresses": ["10.0.0.9"], "conditions": {"ready": true, "ready": false}}]}
            ]}
            """;
        var fast = Fast(json);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(fast));
        Assert.Equal(("b", "2", 82), (fast.Services[0].Name, fast.Services[0].Labels["x"], fast.Services[0].Ports[0].Port));
        Assert.False(fast.EndpointSlices[0].Endpoints[0].IsReady);
    }

    [Fact]
    public void NullsAndEmptiesReadTheSameOnBothPaths()
    {
        const string json = """
            {"kind": "ServiceList", "items": [
              {"metadata": {"name": "a", "namespace": null, "labels": {"k": null}}, "spec": {"ports": [null, {"port": 80, "name": null, "nodePort": null}],
               "clusterIPs": null, "externalIPs": [null, "192.0.2.1"], "ipFamilies": [null, "IPv4"], "sessionAffinityConfig": null}, "status": null},
              {"metadata": null, "spec": {}, "status": {"loadBalancer": {"ingress": [null, {}]}}}
            ]}
            """;
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(Fast(json)));
    }

    [Fact]
    public void OtherKindsArePassedOverWhereverTheirKindIs()
    {
        // A Pod whose spec would not be a Service's, with its kind after it and before it.
        const string json = """
            {"kind": "List", "items": [
              {"spec": {"containers": [{"ports": [{"containerPort": 80}]}], "ports": "not a list"}, "kind": "Pod"},
              {"kind": "ConfigMap", "data": {"a": "b"}, "spec": 5, "endpoints": true},
              {"kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
            ]}
            """;
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(Reader(json)));
        // The ConfigMap's kind comes first: its fields are skipped, so the fast path reads the file itself.
        var withoutPod = json.Replace("""{"spec": {"containers": [{"ports": [{"containerPort": 80}]}], "ports": "not a list"}, "kind": "Pod"},""", "");
        Assert.Equal(ClusterSnapshotText.Of(Yaml(withoutPod)), ClusterSnapshotText.Of(Fast(withoutPod)));
    }

    [Fact]
    public void AValueOfTheWrongTypeInAFieldTheProxyNeverReadsIsPassedOver()
    {
        // The one difference left on purpose (see JsonSnapshotReader): YamlDotNet deserializes every field of
        // the model and refuses this timestamp; the fast path never reads metadata.creationTimestamp.
        const string json = """{"kind": "Service", "metadata": {"name": "a", "creationTimestamp": "yesterday"}, "spec": {"ports": [{"port": 80}]}}""";
        Assert.Equal("a", Assert.Single(Reader(json).Services).Name);
        var refused = Outcome(() => Yaml(json));
        Assert.StartsWith("refused: snapshot:1:", refused, StringComparison.Ordinal);
        Assert.Contains(": Service a: ", refused, StringComparison.Ordinal);
    }

    [Fact]
    public void FilesAreReadFromTheirBytesAsFileReadAllTextDecodesThem()
    {
        var json = YamlToJson.Convert(File.ReadAllText(Path.Combine(SnapshotFolder, "features.yaml")))[0];
        var files = new (string Name, byte[] Bytes)[]
        {
            ("bom.json", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(json)]),
            ("utf16.json", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(json)]),
            // Not UTF-8 (a lone 0xFF in a name): File.ReadAllText makes it U+FFFD, and so does the reader.
            ("latin.json", [.. Encoding.UTF8.GetBytes(json.Replace("\"name\": \"api\"", "\"name\": \"api\u0001\"")).Select(b => b == 0x01 ? (byte)0xFF : b)]),
            ("plain.json", Encoding.UTF8.GetBytes(json)),
        };
        var folder = Directory.CreateTempSubdirectory("ipvstools-bytes-");
        try
        {
            var paths = new List<string>();
            foreach (var (name, bytes) in files)
            {
                var path = Path.Combine(folder.FullName, name);
                File.WriteAllBytes(path, bytes);
                paths.Add(path);
                Assert.Equal(Outcome(() => Yaml(File.ReadAllText(path), path)), Outcome(() => SnapshotReader.ReadFiles([path])));
            }
            Assert.Contains("api\uFFFD", SnapshotReader.ReadFiles([paths[2]]).Services.Select(s => s.Name));
            // Several files merge in order, whichever path reads each.
            var all = SnapshotReader.ReadFiles(paths);
            Assert.Equal(4 * 6, all.Services.Count);
            var each = paths.Select(p => Yaml(File.ReadAllText(p), p)).ToList();
            var expected = new ClusterSnapshot(each.SelectMany(s => s.Services).ToList(), each.SelectMany(s => s.EndpointSlices).ToList(), each.SelectMany(s => s.Nodes).ToList());
            Assert.Equal(ClusterSnapshotText.Of(expected), ClusterSnapshotText.Of(all));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AFileGivenUpHalfWayLeavesNothingOfItBehind()
    {
        // The second file's last object fails to map after its first was read: the error is the old path's,
        // and a good file after a fallen-back one still reads.
        const string good = """{"kind": "List", "items": [{"kind": "Service", "metadata": {"name": "g"}, "spec": {"ports": [{"port": 80}]}}]}""";
        const string converted = """{"kind": "List", "items": [{"kind": "Service", "metadata": {"name": "c1"}, "spec": {"ports": [{"port": 80}]}}, {"kind": "Service", "metadata": {"name": "c2"}, "spec": {"ports": [{"port": "81"}]}}]}""";
        var folder = Directory.CreateTempSubdirectory("ipvstools-merge-");
        try
        {
            var paths = new[] { Path.Combine(folder.FullName, "1.json"), Path.Combine(folder.FullName, "2.json"), Path.Combine(folder.FullName, "3.json") };
            File.WriteAllText(paths[0], good);
            File.WriteAllText(paths[1], converted);
            File.WriteAllText(paths[2], good);
            Assert.False(FastReads(converted));
            Assert.Equal(["g", "c1", "c2", "g"], SnapshotReader.ReadFiles(paths).Services.Select(s => s.Name));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>What tests/bench/kube-snapshot.py writes: a List of ClusterIP Services and their EndpointSlices.</summary>
    internal static string BenchmarkSnapshot(int services, int endpoints)
    {
        var text = new StringBuilder("{\n    \"apiVersion\": \"v1\",\n    \"items\": [\n");
        for (var i = 0; i < services; i++)
        {
            var ip = $"10.96.{i / 250}.{i % 250 + 1}";
            text.Append($$"""
                        {
                            "apiVersion": "v1",
                            "kind": "Service",
                            "metadata": {"name": "svc-{{i}}", "namespace": "bench", "uid": "00000000-0000-0000-0000-{{i:D12}}"},
                            "spec": {"type": "ClusterIP", "clusterIP": "{{ip}}", "clusterIPs": ["{{ip}}"], "ipFamilies": ["IPv4"],
                                     "ports": [{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080}]}
                        },

                """);
        }
        for (var i = 0; i < services; i++)
        {
            var eps = string.Join(", ", Enumerable.Range(0, endpoints).Select(e =>
                $$"""{"addresses": ["10.{{128 + e}}.{{i / 250}}.{{i % 250 + 1}}"], "conditions": {"ready": true}, "nodeName": "node-{{e}}"}"""));
            text.Append($$$"""
                        {
                            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
                            "metadata": {"name": "svc-{{{i}}}-abcde", "namespace": "bench", "labels": {"kubernetes.io/service-name": "svc-{{{i}}}"}},
                            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
                            "endpoints": [{{{eps}}}]
                        }{{{(i == services - 1 ? "" : ",")}}}

                """);
        }
        text.Append("    ],\n    \"kind\": \"List\",\n    \"metadata\": {\"resourceVersion\": \"\"}\n}\n");
        return text.ToString();
    }
}
