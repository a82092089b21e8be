using IpvsTools.Kube;
using Xunit;
using static IpvsTools.Tests.Kube.JsonSnapshotPaths;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The JSON fast path reads Services, EndpointSlices and their endpoints straight into the cluster types (no
/// KubernetesClient model objects): what it reads is still the old path's, field by field, where a nested
/// object is repeated, null or partly absent, whatever order the fields come in, and whatever the reads
/// before it left in its scratch lists.
/// </summary>
public class JsonSnapshotDirectReadTests
{
    [Fact]
    public void RepeatedAndNullNestedObjectsReadTheSameOnBothPaths()
    {
        // A repeated object replaces the whole earlier one (YamlDotNet keeps the last): conditions, hints,
        // sessionAffinityConfig and its clientIP, status and its loadBalancer.
        const string json = """
            {"kind": "List", "items": [
              {"kind": "Service", "metadata": {"name": "a", "labels": {"x": "1", "y": null}},
               "spec": {"ports": [null, {"port": 80, "targetPort": "http"}, null, {"port": 81, "protocol": "UDP", "nodePort": 30081, "targetPort": 9000}],
                        "sessionAffinity": "ClientIP",
                        "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 5}, "clientIP": {"other": 1}},
                        "clusterIPs": ["10.0.0.1", "fd00::1"], "ipFamilies": [null, "IPv4", "IPv6"]},
               "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.1"}]}, "loadBalancer": {"ingress": [null, {"hostname": "lb.example", "ipMode": "Proxy"}, {"ip": "192.0.2.2", "ipMode": "VIP"}]}}},
              {"kind": "Service", "metadata": {"name": "b"},
               "spec": {"ports": [{"port": 80}], "sessionAffinity": "ClientIP", "sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 7}}, "sessionAffinityConfig": null},
               "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.9"}]}, "loadBalancer": null}},
              {"kind": "Service", "metadata": {"name": "c"}, "spec": {"ports": [{"port": 80}]},
               "status": {"loadBalancer": {"ingress": [{"ip": "192.0.2.9"}]}}, "status": {}},
              {"kind": "Service", "metadata": {"name": "d"}, "spec": {"ports": [{"port": 80}], "sessionAffinityConfig": {"clientIP": null}}, "status": null},
              {"kind": "EndpointSlice", "addressType": "IPv4", "metadata": {"name": "a-1", "labels": {"kubernetes.io/service-name": "a", "kubernetes.io/service-name": "b"}},
               "ports": [null, {"name": "http", "port": 8080}, {"port": null, "protocol": "UDP"}],
               "endpoints": [
                 null,
                 {"addresses": ["10.1.0.1"], "addresses": [null, "10.1.0.2", null, "10.1.0.3"],
                  "conditions": {"ready": false, "serving": false, "terminating": true}, "conditions": {"serving": true},
                  "hints": {"forZones": [{"name": "z1"}], "forNodes": [{"name": "n1"}]}, "hints": {"forZones": [null, {"name": ""}, {}, {"name": "z2"}, {"name": "z3", "name": "z4"}]},
                  "nodeName": "n1", "nodeName": null, "zone": "z1"},
                 {"addresses": ["10.1.0.4"], "addresses": null, "conditions": {"ready": true}, "conditions": null, "hints": {"forNodes": [{"name": "n2"}]}, "hints": null},
                 {"addresses": [], "hints": {"forZones": null, "forNodes": []}},
                 {}
               ]},
              {"kind": "EndpointSlice", "addressType": "IPv6", "metadata": {"name": "a-2", "namespace": "ns", "labels": null}, "endpoints": null, "ports": null},
              {"kind": "EndpointSlice", "addressType": "FQDN", "metadata": null, "endpoints": [], "ports": []}
            ]}
            """;
        var fast = Fast(json);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(fast));
        // What the comparison covered (so a reader that dropped everything would not pass it).
        var (a, b, c) = (fast.Services[0], fast.Services[1], fast.Services[2]);
        Assert.Equal(["80/TCP", "81/UDP"], a.Ports.Select(p => $"{p.Port}/{p.Protocol.ToString().ToUpperInvariant()}"));
        Assert.Equal((10800, 10800, 0), (a.SessionAffinityTimeoutSeconds, b.SessionAffinityTimeoutSeconds, c.LoadBalancerIngress.Count));
        Assert.Equal(2, a.LoadBalancerIngress.Count);
        Assert.Empty(b.LoadBalancerIngress);
        var slice = fast.EndpointSlices[0];
        Assert.Equal("b", slice.ServiceName);
        Assert.Equal([8080, null], slice.Ports.Select(p => p.Port));
        Assert.Equal(4, slice.Endpoints.Count);
        Assert.Equal(["10.1.0.2", "10.1.0.3"], slice.Endpoints[0].Addresses);
        Assert.Equal((null, true, null), (slice.Endpoints[0].Ready, slice.Endpoints[0].Serving, slice.Endpoints[0].Terminating));
        Assert.Equal(["z2", "z4"], slice.Endpoints[0].ZoneHints);
        Assert.Empty(slice.Endpoints[0].NodeHints);
        Assert.Empty(slice.Endpoints[1].Addresses);
        Assert.Null(slice.Endpoints[1].Ready);
        Assert.Empty(slice.Endpoints[1].NodeHints);
    }

    [Fact]
    public void FieldsBeforeTheKindAreReadAsKubectlOrdersThem()
    {
        // kubectl writes an EndpointSlice's keys in order: addressType, apiVersion, endpoints, kind, metadata,
        // ports; and the items of a typed List may have no kind at all.
        const string json = """
            {"apiVersion": "v1", "items": [
              {"addressType": "IPv4", "apiVersion": "discovery.k8s.io/v1", "endpoints": [{"addresses": ["10.1.0.1"], "conditions": {"ready": true}, "nodeName": "n1"}],
               "kind": "EndpointSlice", "metadata": {"name": "s-1", "labels": {"kubernetes.io/service-name": "s"}}, "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}]},
              {"spec": {"ports": [{"port": 80}], "clusterIP": "10.96.0.1"}, "metadata": {"name": "s"}, "status": {"loadBalancer": {}}, "kind": "Service"},
              {"endpoints": [{"addresses": ["10.1.0.9"]}], "ports": [{"port": 1}], "spec": {"ports": [{"port": 443}]}, "metadata": {"name": "t"}, "kind": "Service"}
            ], "kind": "List", "metadata": {"resourceVersion": ""}}
            """;
        var fast = Fast(json);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(fast));
        Assert.Equal(["s", "t"], fast.Services.Select(s => s.Name));
        Assert.Equal(443, fast.Services[1].Ports[0].Port);
        Assert.Equal(["10.1.0.1"], Assert.Single(Assert.Single(fast.EndpointSlices).Endpoints).Addresses);

        const string typed = """
            {"kind": "EndpointSliceList", "items": [
              {"addressType": "IPv4", "endpoints": [{"addresses": ["10.1.0.1"]}, {"addresses": ["10.1.0.2"], "zone": "z"}], "metadata": {"name": "x-1"}, "ports": [{"port": 80}]},
              {"addressType": "IPv6", "endpoints": [{"addresses": ["fd00::1"]}], "metadata": {"name": "x-2"}}
            ]}
            """;
        Assert.Equal(ClusterSnapshotText.Of(Yaml(typed)), ClusterSnapshotText.Of(Fast(typed)));
    }

    [Fact]
    public void NodesReadTheSameOnBothPathsWithOrWithoutTheirKind()
    {
        // A NodeList's items need not name their kind: their spec is read before the kind is known.
        const string json = """
            {"kind": "List", "items": [
              {"kind": "Node", "metadata": {"name": "n1", "labels": {"topology.kubernetes.io/zone": "z1"}},
               "spec": {"podCIDR": "10.244.9.0/24"}, "spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24", "fd00:244:1::/64"]},
               "status": {"addresses": [null, {"type": "InternalIP", "address": "172.18.0.3"}, {"type": "Hostname"}, {}]}},
              {"metadata": {"name": "n0"}, "spec": {"podCIDR": "10.244.0.0/24"}, "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.2"}]}, "kind": "Node"},
              {"kind": "Node", "metadata": {"name": "n2"}, "spec": null, "status": {"addresses": null}}
            ]}
            """;
        var fast = Fast(json);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(fast));
        Assert.Equal(["10.244.1.0/24", "fd00:244:1::/64"], fast.Nodes[0].PodCidrs.Select(c => c.ToString()));
        Assert.Equal(3, fast.Nodes[0].Addresses.Count);
        Assert.Equal(["10.244.0.0/24"], fast.Nodes[1].PodCidrs.Select(c => c.ToString()));

        const string typed = """
            {"kind": "NodeList", "items": [
              {"metadata": {"name": "n1"}, "spec": {"podCIDRs": ["10.244.1.0/24"]}, "status": {"addresses": [{"type": "InternalIP", "address": "172.18.0.3"}]}},
              {"spec": {"podCIDR": "10.244.2.0/24", "podCIDR": "10.244.3.0/24"}, "metadata": {"name": "n2"}}
            ]}
            """;
        var nodes = Fast(typed);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(typed)), ClusterSnapshotText.Of(nodes));
        Assert.Equal(["10.244.1.0/24", "10.244.3.0/24"], nodes.Nodes.SelectMany(n => n.PodCidrs).Select(c => c.ToString()));
    }

    [Fact]
    public void NothingCarriesOverFromOneEndpointSliceOrReadToTheNext()
    {
        // Reads that gave up half-way (inside an endpoint's addresses, its hints, a slice's endpoints) leave
        // the next read as it would be alone.
        string[] givenUp =
        [
            """{"kind": "EndpointSlice", "addressType": "IPv4", "endpoints": [{"addresses": ["10.9.9.9", "10.9.9.8", 5]}]}""",
            """{"kind": "EndpointSlice", "addressType": "IPv4", "endpoints": [{"addresses": ["10.9.9.9"], "hints": {"forZones": [{"name": "zz"}, 5]}}]}""",
            """{"kind": "EndpointSlice", "addressType": "IPv4", "endpoints": [{"addresses": ["10.9.9.9"]}, 5]}""",
        ];
        const string json = """
            {"kind": "List", "items": [
              {"kind": "EndpointSlice", "addressType": "IPv4", "metadata": {"name": "a"}, "endpoints": [{"addresses": ["10.0.0.1", "10.0.0.2"], "hints": {"forZones": [{"name": "z"}]}}, {"nodeName": "n"}]},
              {"kind": "EndpointSlice", "addressType": "IPv4", "metadata": {"name": "b"}, "endpoints": [{"hints": {}}, {"addresses": ["10.0.0.3"]}]},
              {"kind": "EndpointSlice", "addressType": "IPv4", "metadata": {"name": "c"}}
            ]}
            """;
        var alone = ClusterSnapshotText.Of(Yaml(json));
        foreach (var bad in givenUp)
        {
            Assert.False(FastReads(bad));
            Assert.Equal(alone, ClusterSnapshotText.Of(Fast(json)));
        }
        var read = Fast(json);
        Assert.Equal([2, 0, 0, 1], read.EndpointSlices.SelectMany(s => s.Endpoints).Select(e => e.Addresses.Count));
        Assert.Empty(read.EndpointSlices[2].Endpoints);
    }

    [Fact]
    public void ReadsOnSeveralThreadsAtOnceReadWhatEachReadsAlone()
    {
        // The scratch lists are each thread's own.
        var texts = Enumerable.Range(1, 6).Select(i => JsonSnapshotFastPathTests.BenchmarkSnapshot(services: 20 + i, endpoints: i)).ToList();
        var expected = texts.Select(t => ClusterSnapshotText.Of(Yaml(t))).ToList();
        Parallel.For(0, 24, i => Assert.Equal(expected[i % 6], ClusterSnapshotText.Of(Fast(texts[i % 6]))));
    }
}
