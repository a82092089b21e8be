using IpvsTools.Cluster;
using IpvsTools.Namespaces;
using IpvsTools.Sync;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The node read that Sync-, Compare-KubeIpvs and Get-KubeIpvsPlan start before reading the cluster, on the host
/// (no IPVS here, so the read of the IPVS table fails: what a planning reports with it and what is dropped without
/// one). Whole plans with a prefetched read are the cmdlets' own, checked in the lab (SyncKubeIpvsLabTests, CompareKubeIpvs lab tests).
/// </summary>
[Trait("Tier", "Host")]
public class KubeNodePrefetchHostTests
{
    private static readonly ClusterSnapshot Empty = new([], []);

    [Fact]
    public void APlanningWithThePrefetchedReadFailsAsOneThatReadsTheNodeItself()
    {
        using var test = new TestNamespace();
        var ns = NetworkNamespace.Resolve(test.Name)!;
        var options = Options("172.18.0.3");
        var own = Assert.ThrowsAny<IpvsToolsException>(() => KubeIpvsPlanning.Run(Empty, options, ns));
        using var prefetch = KubeNodePrefetch.Start(ns);
        var prefetched = Assert.ThrowsAny<IpvsToolsException>(() => KubeIpvsPlanning.Run(Empty, options, ns, false, null, prefetch));
        Assert.Equal(own.GetType(), prefetched.GetType());
        Assert.Equal(own.Message, prefetched.Message);
    }

    [Fact]
    public void AnUnusedPrefetchDropsItsFailureWhenDisposed()
    {
        using var test = new TestNamespace();
        var prefetch = KubeNodePrefetch.Start(NetworkNamespace.Resolve(test.Name));
        prefetch.Dispose(); // the cluster read failed: nothing plans, and the node's failure is not the one to report
        prefetch.Dispose();
    }

    [Fact]
    public void TheReadIsTakenOnceAndOnlyForItsOwnNamespace()
    {
        using var test = new TestNamespace();
        using var other = new TestNamespace();
        var ns = NetworkNamespace.Resolve(test.Name);
        using var prefetch = KubeNodePrefetch.Start(ns);
        Assert.Null(prefetch.Take(NetworkNamespace.Resolve(other.Name)));
        Assert.Null(prefetch.Take(null));
        var read = prefetch.Take(NetworkNamespace.Resolve(test.Name));
        Assert.NotNull(read);
        Assert.Null(prefetch.Take(ns)); // the sync's re-plan while draining reads the node afresh
        Assert.ThrowsAny<Exception>(() => read.GetAwaiter().GetResult()); // no IPVS on the host
    }
}
