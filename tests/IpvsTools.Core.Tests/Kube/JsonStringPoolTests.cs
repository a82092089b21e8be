using System.Text;
using Xunit;
using static IpvsTools.Tests.Kube.JsonSnapshotPaths;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The JSON fast path shares repeated short strings (JsonStringPool): the snapshot read is the same as the old
/// path's field by field, whatever the strings: thousands of distinct short ones (more than the pool's slots, so
/// they meet in them), escaped ones, non-ASCII ones, long ones; and equal short ones come back as one string.
/// </summary>
public class JsonStringPoolTests
{
    private static string Slices(int count, Func<int, string> nodeName, Func<int, string> ns)
    {
        var text = new StringBuilder("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n");
        for (var i = 0; i < count; i++)
        {
            if (i > 0) text.Append(",\n");
            var address = $"10.{i / 65536}.{i / 256 % 256}.{i % 256}";
            text.Append("{\"apiVersion\": \"discovery.k8s.io/v1\", \"kind\": \"EndpointSlice\", \"addressType\": \"IPv4\", ")
                .Append("\"metadata\": {\"name\": \"s-").Append(i).Append("\", \"namespace\": \"").Append(ns(i))
                .Append("\", \"labels\": {\"kubernetes.io/service-name\": \"svc-").Append(i).Append("\"}}, ")
                .Append("\"ports\": [{\"name\": \"http\", \"port\": 8080, \"protocol\": \"TCP\"}], ")
                .Append("\"endpoints\": [{\"addresses\": [\"").Append(address).Append("\"], \"conditions\": {\"ready\": true}, \"nodeName\": \"").Append(nodeName(i)).Append("\"}, ")
                .Append("{\"addresses\": [\"10.200.0.1\"], \"nodeName\": \"node-").Append(i % 3).Append("\"}]}");
        }
        return text.Append("\n]}\n").ToString();
    }

    [Fact]
    public void ThousandsOfDistinctShortStringsReadTheSameOnBothPaths()
    {
        var json = Slices(6000, i => $"n{i}", i => $"ns{i % 5000}");
        var fast = Fast(json);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(fast));
        Assert.Equal(Enumerable.Range(0, 6000).Select(i => $"n{i}"), fast.EndpointSlices.Select(s => s.Endpoints[0].NodeName));
    }

    [Fact]
    public void EscapedNonAsciiAndLongStringsReadTheSameOnBothPaths()
    {
        var longName = new string('x', 63) + "-node-with-a-name-longer-than-the-pool-keeps";
        var json = Slices(12, i => (i % 4) switch
        {
            0 => "node\\u002d1", // node-1, escaped
            1 => "node-1",
            2 => "n\u00f6de-1", // not ASCII
            _ => longName,
        }, _ => "bench");
        var fast = Fast(json);
        Assert.Equal(ClusterSnapshotText.Of(Yaml(json)), ClusterSnapshotText.Of(fast));
        Assert.Equal(["node-1", "node-1", "n\u00f6de-1", longName], fast.EndpointSlices.Take(4).Select(s => s.Endpoints[0].NodeName));
    }

    [Fact]
    public void RepeatedShortStringsComeBackAsOneString()
    {
        var fast = Fast(Slices(50, _ => "node-0", _ => "bench"));
        var names = fast.EndpointSlices.Select(s => s.Endpoints[0].NodeName!).ToList();
        Assert.All(names, n => Assert.Same(names[0], n));
        Assert.All(fast.EndpointSlices, s => Assert.Same(fast.EndpointSlices[0].Namespace, s.Namespace));
    }
}
