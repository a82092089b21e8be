using IpvsTools.Kube;
using Xunit;
using IpvsTools.Cluster;

namespace IpvsTools.Tests.Kube;

/// <summary>The watching live source against a loopback API server that streams watch events in the API's JSON.</summary>
public sealed class LiveClusterWatchTests : IDisposable
{
    private readonly LoopbackApiServer _api = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-watch-").FullName;

    private const string Web = """{"metadata":{"name":"web","namespace":"shop","resourceVersion":"301"},"spec":{"ports":[{"name":"http","protocol":"TCP","port":80}],"clusterIP":"10.96.100.20","clusterIPs":["10.96.100.20"],"type":"ClusterIP"}}""";
    private const string Api = """{"metadata":{"name":"api","namespace":"shop","resourceVersion":"302"},"spec":{"ports":[{"name":"http","protocol":"TCP","port":80}],"clusterIP":"10.96.100.21","clusterIPs":["10.96.100.21"],"type":"ClusterIP"}}""";

    private static string Slice(string ip, string version)
        => $$$"""{"metadata":{"name":"web-1","namespace":"shop","resourceVersion":"{{{version}}}","labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4","endpoints":[{"addresses":["{{{ip}}}"],"nodeName":"node-a"}],"ports":[{"name":"http","protocol":"TCP","port":8080}]}""";

    [Fact]
    public void ListsThenFollowsWatchEventsAndListsAgainWhenAWatchEnds()
    {
        _api.Answer("/api/v1/services?limit=500", $$"""{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"400"},"items":[{{Web}}]}""");
        _api.Answer("/apis/discovery.k8s.io/v1/endpointslices?limit=500", $$"""{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"401"},"items":[{{Slice("10.244.0.5", "310")}}]}""");
        _api.Answer("/api/v1/nodes/node-a", LiveClusterSourceTests.NodeA);
        var services = _api.AnswerWatch("/api/v1/services?allowWatchBookmarks=true&resourceVersion=400&watch=true");
        var slices = _api.AnswerWatch("/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=401&watch=true");

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var snapshots = LiveClusterWatch.Watch(_api.WriteKubeconfig(_dir), "loop", "node-a", stop.Token).GetEnumerator();

        Assert.True(snapshots.MoveNext(), string.Join("\n", _api.Requests.Select(r => r.Request)));
        Assert.Equal(["shop/web"], snapshots.Current.Services.Select(s => s.ToString()));
        Assert.Equal("10.244.0.5", snapshots.Current.EndpointSlices.Single().Endpoints.Single().ToString());
        Assert.Equal("node-a", snapshots.Current.Nodes.Single().Name);
        Assert.True(snapshots.Current.Changes!.Relisted); // after a list, any object may have changed

        services.TryWrite(LoopbackApiServer.WatchEvent("ADDED", Api));
        var added = Next(snapshots, s => s.Services.Count == 2);
        Assert.Equal(["shop/api", "shop/web"], added.Services.Select(s => s.ToString()).Order());
        Assert.Equal("Service shop/api", added.Changes!.ToString()); // each snapshot says what changed since the one before

        slices.TryWrite(LoopbackApiServer.WatchEvent("MODIFIED", Slice("10.244.0.6", "311")));
        var moved = Next(snapshots, s => s.EndpointSlices.Single().Endpoints.Single().ToString() == "10.244.0.6");
        Assert.Equal(2, moved.Services.Count);
        Assert.Equal("EndpointSlice shop/web-1", moved.Changes!.ToString());

        services.TryWrite(LoopbackApiServer.WatchEvent("BOOKMARK", """{"kind":"Service","apiVersion":"v1","metadata":{"resourceVersion":"420"}}"""));
        services.TryWrite(LoopbackApiServer.WatchEvent("DELETED", Web));
        var deleted = Next(snapshots, s => s.Services.Count == 1);
        Assert.Equal(["shop/api"], deleted.Services.Select(s => s.ToString()));
        Assert.Equal("Service shop/web", deleted.Changes!.ToString());

        // The watch ends (the server's timeout): everything is listed again, and the list is the truth.
        var requestsBefore = _api.Requests.Count(r => r.Request == "GET /api/v1/services?limit=500");
        services.Complete();
        var relisted = Next(snapshots, s => s.Services.Count == 1 && s.Services[0].Name == "web");
        Assert.Equal(requestsBefore + 1, _api.Requests.Count(r => r.Request == "GET /api/v1/services?limit=500"));
        Assert.Equal("10.244.0.5", relisted.EndpointSlices.Single().Endpoints.Single().ToString());
        Assert.True(relisted.Changes!.Relisted);

        stop.Cancel();
        Assert.False(snapshots.MoveNext());
        Assert.All(_api.Requests, r => Assert.Equal("Bearer loop-token", r.Authorization));
    }

    [Fact]
    public void AFailedListEndsTheWatchWithATypedError()
    {
        _api.Answer("/api/v1/services?limit=500", LoopbackApiServer.Status(403, "Forbidden", "services is forbidden"), 403);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var ex = Assert.Throws<ClusterSourceException>(() => LiveClusterWatch.Watch(_api.WriteKubeconfig(_dir), "loop", null, stop.Token).First());
        Assert.Equal(FailureKind.PermissionDenied, ex.Kind);
        Assert.Contains("watch", ex.Message);
    }

    /// <summary>The next snapshot that satisfies <paramref name="wanted"/> (intermediate ones may come first).</summary>
    private static ClusterSnapshot Next(IEnumerator<ClusterSnapshot> snapshots, Func<ClusterSnapshot, bool> wanted)
    {
        while (snapshots.MoveNext())
        {
            if (wanted(snapshots.Current)) return snapshots.Current;
        }
        throw new Xunit.Sdk.XunitException("The watch ended before the expected snapshot.");
    }

    public void Dispose()
    {
        _api.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
