using System.Net;
using IpvsTools.Kube;
using Xunit;
using IpvsTools.Cluster;

namespace IpvsTools.Tests.Kube;

/// <summary>The live source against a loopback API server that answers in the API's own JSON.</summary>
public sealed class LiveClusterSourceTests : IDisposable
{
    private readonly LoopbackApiServer _api = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-live-").FullName;

    internal const string ServicesPage1 = """
        {"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"4242","continue":"page-2"},"items":[
          {"metadata":{"name":"kubernetes","namespace":"default","uid":"1","resourceVersion":"196","labels":{"component":"apiserver","provider":"kubernetes"}},
           "spec":{"ports":[{"name":"https","protocol":"TCP","port":443,"targetPort":6443}],"clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],"type":"ClusterIP","sessionAffinity":"None","ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"},
           "status":{"loadBalancer":{}}}]}
        """;

    internal const string ServicesPage2 = """
        {"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"4242"},"items":[
          {"metadata":{"name":"web","namespace":"shop","uid":"2","resourceVersion":"300"},
           "spec":{"ports":[{"name":"http","protocol":"TCP","port":80,"targetPort":"http","nodePort":30080}],"clusterIP":"10.96.100.20","clusterIPs":["10.96.100.20"],"type":"LoadBalancer","sessionAffinity":"ClientIP","sessionAffinityConfig":{"clientIP":{"timeoutSeconds":600}},"externalTrafficPolicy":"Local","healthCheckNodePort":32100,"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true},
           "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.50","ipMode":"VIP"}]}}}]}
        """;

    internal const string Slices = """
        {"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"4242"},"items":[
          {"metadata":{"name":"web-x1","namespace":"shop","labels":{"kubernetes.io/service-name":"web","endpointslice.kubernetes.io/managed-by":"endpointslice-controller.k8s.io"}},
           "addressType":"IPv4",
           "endpoints":[{"addresses":["10.244.1.12"],"conditions":{"ready":true,"serving":true,"terminating":false},"nodeName":"node-a","zone":"z1","hints":{"forZones":[{"name":"z1"}]}}],
           "ports":[{"name":"http","protocol":"TCP","port":8080}]}]}
        """;

    internal const string NodeA = """
        {"kind":"Node","apiVersion":"v1","metadata":{"name":"node-a","labels":{"topology.kubernetes.io/zone":"z1","kubernetes.io/hostname":"node-a"}},
         "spec":{"podCIDR":"10.244.1.0/24"},
         "status":{"addresses":[{"type":"InternalIP","address":"172.18.0.3"},{"type":"Hostname","address":"node-a"}]}}
        """;

    internal static void Serve(LoopbackApiServer api)
    {
        api.Answer("/api/v1/services?limit=500", ServicesPage1);
        api.Answer("/api/v1/services?continue=page-2&limit=500", ServicesPage2);
        api.Answer("/apis/discovery.k8s.io/v1/endpointslices?limit=500", Slices);
        api.Answer("/api/v1/nodes/node-a", NodeA);
    }

    [Fact]
    public void ReadsEveryPageAndTheNodeThroughTheNamedContext()
    {
        Serve(_api);
        var kubeconfig = _api.WriteKubeconfig(_dir);
        var s = LiveClusterSource.Read(kubeconfig, "loop", "node-a");

        Assert.Equal(["default/kubernetes", "shop/web"], s.Services.Select(x => x.ToString()));
        var web = s.Services[1];
        Assert.Equal(KubeServiceType.LoadBalancer, web.Type);
        Assert.Equal(600, web.SessionAffinityTimeoutSeconds);
        Assert.Equal(32100, web.HealthCheckNodePort);
        Assert.Equal(IPAddress.Parse("192.0.2.50"), Assert.Single(web.LoadBalancerIngress).IP);
        var slice = Assert.Single(s.EndpointSlices);
        Assert.Equal(["z1"], slice.Endpoints[0].ZoneHints);
        Assert.Equal("z1", Assert.Single(s.Nodes).Zone);
        Assert.Equal(_api.Url.TrimEnd('/'), s.Source?.TrimEnd('/'));

        var requests = _api.Requests.ToArray();
        Assert.Equal(
            ["GET /api/v1/services?limit=500", "GET /api/v1/services?continue=page-2&limit=500", "GET /apis/discovery.k8s.io/v1/endpointslices?limit=500", "GET /api/v1/nodes/node-a"],
            requests.Select(r => r.Request));
        Assert.All(requests, r => Assert.Equal("Bearer loop-token", r.Authorization));
    }

    [Fact]
    public void MissingNodeIsNotFound()
    {
        Serve(_api);
        _api.Answer("/api/v1/nodes/node-b", LoopbackApiServer.Status(404, "NotFound", "nodes \\\"node-b\\\" not found"), 404);
        var ex = Assert.Throws<ClusterSourceException>(() => LiveClusterSource.Read(_api.WriteKubeconfig(_dir), "loop", "node-b"));
        Assert.Equal(FailureKind.NotFound, ex.Kind);
        Assert.Contains("node-b", ex.Message);
    }

    [Fact]
    public void ForbiddenSaysWhichPermissionsAreNeeded()
    {
        _api.Answer("/api/v1/services?limit=500", LoopbackApiServer.Status(403, "Forbidden", "services is forbidden: User \\\"tester\\\" cannot list resource"), 403);
        var ex = Assert.Throws<ClusterSourceException>(() => LiveClusterSource.Read(_api.WriteKubeconfig(_dir), "loop", null));
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
        Assert.Contains("system:node-proxier", ex.Message);
        Assert.Contains(_api.Url, ex.Message);
    }

    [Fact]
    public void UnknownContextAndMissingKubeconfigAreTypedErrors()
    {
        var kubeconfig = _api.WriteKubeconfig(_dir);
        var ex = Assert.Throws<ClusterSourceException>(() => LiveClusterSource.Read(kubeconfig, "nope", null));
        Assert.Equal(FailureKind.InvalidArgument, ex.Kind);
        Assert.Contains("nope", ex.Message);
        var missing = Assert.Throws<ClusterSourceException>(() => LiveClusterSource.Read(Path.Combine(_dir, "absent"), null, null));
        Assert.Equal(FailureKind.NotFound, missing.Kind);
        Assert.Empty(_api.Requests);
    }

    public void Dispose()
    {
        _api.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
