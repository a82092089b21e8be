using System.Net;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using static IpvsTools.Tests.Kube.KubeIpvsPlannerTests;
using IpvsTools.Ipvs;
using IpvsTools.Sync;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// Sync-KubeIpvs -DrainTimeout's loop without a kernel: which plans are applied, when it waits, and how it
/// ends (no timeout, drained, still draining at the timeout, a plan not applied, cancelled).
/// </summary>
public class KubeIpvsDrainTests
{
    private static readonly IpvsServiceKey Tcp = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("10.96.0.10"), 53);
    private static readonly IpvsDestination Busy = Dest(Tcp, IP("10.244.1.7"), 53, weight: 0, active: 2);

    // Sets the gone real server to weight 0; then it waits at weight 0; then its connections ended and it goes.
    private static readonly KubeIpvsPlan SetToZero = new([KubeVirtualServerOperation.UpdateDestination(Tcp, new IpvsDestinationSettings(Busy.Address, 53, IpvsForwardingMethod.Masquerade, 0), "ns/dns:tcp", "draining: 2 active, 0 inactive connections")], [], []);
    private static readonly KubeIpvsPlan Waiting = new([], [new KubeDrainingDestination(Tcp, Busy)], []);
    private static readonly KubeIpvsPlan Removal = new([KubeVirtualServerOperation.RemoveDestination(Tcp, IpvsDestinationSettings.From(Busy), "ns/dns:tcp")], [], []);
    private static readonly KubeIpvsPlan Nothing = new([], [], []);

    private static Func<KubeIpvsPlan> Plans(params KubeIpvsPlan[] plans)
    {
        var queue = new Queue<KubeIpvsPlan>(plans);
        return () => queue.Count > 1 ? queue.Dequeue() : queue.Peek();
    }

    [Fact]
    public void ItReplansUntilNothingDrainsApplyingOnlyPlansWithWrites()
    {
        var applied = new List<KubeIpvsPlan>();
        var waits = new List<int>();
        var result = KubeIpvsDrain.SyncAndDrain(Plans(SetToZero, Waiting, Removal, Nothing), p => { applied.Add(p); return true; },
            TimeSpan.FromMinutes(5), (n, left) => { waits.Add(n); Assert.True(left > TimeSpan.Zero); }, interval: TimeSpan.FromMilliseconds(1));
        Assert.Equal(KubeIpvsDrainOutcome.Done, result.Outcome);
        Assert.Equal([SetToZero, Removal], applied);
        Assert.Equal([1], waits);
        Assert.Same(Removal, result.LastPlan);
        Assert.Equal(0, result.Draining);
    }

    [Fact]
    public void WithoutATimeoutOnePlanIsAppliedEvenAnEmptyOne()
    {
        var applied = new List<KubeIpvsPlan>();
        var result = KubeIpvsDrain.SyncAndDrain(Plans(SetToZero, Removal), p => { applied.Add(p); return true; }, null);
        Assert.Equal((KubeIpvsDrainOutcome.Done, 1), (result.Outcome, result.Draining));
        Assert.Equal([SetToZero], applied);

        applied.Clear();
        Assert.Equal(KubeIpvsDrainOutcome.Done, KubeIpvsDrain.SyncAndDrain(Plans(Nothing), p => { applied.Add(p); return true; }, TimeSpan.Zero).Outcome);
        Assert.Equal([Nothing], applied);
    }

    [Fact]
    public void AtTheTimeoutWhatStillDrainsIsReported()
    {
        var result = KubeIpvsDrain.SyncAndDrain(Plans(SetToZero, Waiting), _ => true, TimeSpan.FromTicks(1), interval: TimeSpan.FromMilliseconds(1));
        Assert.Equal(KubeIpvsDrainOutcome.StillDraining, result.Outcome);
        Assert.Equal(1, result.Draining);
        Assert.Equal([$"TCP 10.96.0.10:53 -> 10.244.1.7:53 (2 active, 0 inactive)"], result.LastPlan.Draining.Select(d => d.ToString()));
    }

    [Fact]
    public void APlanNotAppliedOrACancellationStopsIt()
    {
        var planned = 0;
        var declined = KubeIpvsDrain.SyncAndDrain(() => { planned++; return SetToZero; }, _ => false, TimeSpan.FromMinutes(5));
        Assert.Equal((KubeIpvsDrainOutcome.NotApplied, 1), (declined.Outcome, planned));

        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = KubeIpvsDrain.SyncAndDrain(Plans(SetToZero, Waiting), _ => true, TimeSpan.FromMinutes(5), cancellation: cancelled.Token);
        Assert.Equal((KubeIpvsDrainOutcome.Cancelled, 1), (stopped.Outcome, stopped.Draining));
    }
}
