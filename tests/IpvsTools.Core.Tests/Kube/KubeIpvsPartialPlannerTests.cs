using System.Net;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Sync;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The partial sync of a watch event: which Services a change touches, which virtual servers are read by
/// key, which writes result (the same as the full planner's for that change), and every case that falls
/// back to a full sync. The oracle is the full planner: for an event the partial planner takes, its plan
/// must equal the full plan from the node as the last sync left it.
/// </summary>
public class KubeIpvsPartialPlannerTests
{
    private static readonly KubeProxyOptions Opt = Options("172.18.0.3");
    private static readonly DateTime T0 = new(2026, 12, 7, 6, 0, 0, DateTimeKind.Utc);
    private static readonly KubeEndpointPort[] WebPorts = [EPort("http", IpvsProtocol.Tcp, 8080)];
    private static readonly KubeEndpointPort[] DnsPorts = [EPort("dns", IpvsProtocol.Udp, 53), EPort("dns-tcp", IpvsProtocol.Tcp, 53)];

    private static KubeService Dns() => Service("kube-dns", "10.96.0.10", Port("dns", IpvsProtocol.Udp, 53), Port("dns-tcp", IpvsProtocol.Tcp, 53));

    private static KubeService Web(KubeSessionAffinity affinity = KubeSessionAffinity.None, int port = 80) => new()
    {
        Namespace = "ns", Name = "web", Type = KubeServiceType.LoadBalancer, ClusterIPs = [IP("10.96.0.20")],
        Ports = [Port("http", IpvsProtocol.Tcp, port, 30080)],
        LoadBalancerIngress = [new KubeLoadBalancerIngress(IP("192.0.2.50"))],
        SessionAffinity = affinity,
    };

    private static KubeService Api() => Service("api", "10.96.0.30", Port("https", IpvsProtocol.Tcp, 443));

    private static KubeEndpointSlice WebSlice(params string[] addresses)
        => Slice("web", "web-1", KubeAddressType.IPv4, WebPorts, addresses.Select(a => Endpoint(a, "node-b")).ToArray());

    private static KubeEndpointSlice DnsSlice(params string[] addresses)
        => Slice("kube-dns", "dns-1", KubeAddressType.IPv4, DnsPorts, addresses.Select(a => Endpoint(a, "node-b")).ToArray());

    private static KubeEndpointSlice ApiSlice(params string[] addresses)
        => Slice("api", "api-1", KubeAddressType.IPv4, [EPort("https", IpvsProtocol.Tcp, 6443)], addresses.Select(a => Endpoint(a, "node-b")).ToArray());

    private static readonly KubeNode[] Nodes = [NodeObject()];

    private static ClusterSnapshot Before() => new([Dns(), Web(), Api()], [DnsSlice("10.244.1.7"), WebSlice("10.244.1.9", "10.244.2.9"), ApiSlice("10.244.3.1")], Nodes);

    private static ClusterSnapshot Changed(ClusterSnapshot before, KubeService[]? services = null, KubeEndpointSlice[]? slices = null,
        (string, string)[]? deletedServices = null, (string, string)[]? deletedSlices = null, ClusterChanges? changes = null)
    {
        services ??= [];
        slices ??= [];
        var s = before.Services.Where(x => !services.Any(n => n.Namespace == x.Namespace && n.Name == x.Name) && !(deletedServices ?? []).Contains((x.Namespace, x.Name))).Concat(services).ToList();
        var e = before.EndpointSlices.Where(x => !slices.Any(n => n.Namespace == x.Namespace && n.Name == x.Name) && !(deletedSlices ?? []).Contains((x.Namespace, x.Name))).Concat(slices).ToList();
        return new ClusterSnapshot(s, e, before.Nodes)
        {
            Changes = changes ?? new ClusterChanges(services.Select(x => (x.Namespace, x.Name)).Concat(deletedServices ?? []),
                slices.Select(x => (x.Namespace, x.Name)).Concat(deletedSlices ?? [])),
        };
    }

    private static (KubeIpvsSyncedState Synced, KubeDesiredState Desired) Synced(ClusterSnapshot snapshot)
    {
        var desired = KubeProxyState.Build(snapshot, Opt);
        return (KubeIpvsSyncedState.After(snapshot, desired, Opt, nodeAddressesRead: false, T0), desired);
    }

    /// <summary>What the kernel would answer for the step's keys on a node the full planner left at <paramref name="node"/>.</summary>
    private static IReadOnlyList<IpvsService> ByKey(KubeNodeActualState node, KubeIpvsPartialStep step)
        => node.Services.Where(s => step.Keys.Contains(s.Key)).ToList();

    private static string[] Lines(KubeIpvsPlan plan) => plan.Operations.Select(o => o.ToString()).ToArray();

    /// <summary>The full planner's writes from the node as the last sync left it to the changed snapshot.</summary>
    private static string[] FullWrites(KubeDesiredState before, ClusterSnapshot after, KubeNodeActualState? node = null)
        => Lines(KubeIpvsPlanner.Plan(KubeProxyState.Build(after, Opt), node ?? KubeIpvsPlannerTests.Applied(before), Opt));

    [Fact]
    public void AnAddedEndpointIsOneDestinationAddPerVirtualServerOfThatServiceOnly()
    {
        var before = Before();
        var (synced, desired) = Synced(before);
        var after = Changed(before, slices: [WebSlice("10.244.1.9", "10.244.2.9", "10.244.4.4")]);

        var step = KubeIpvsPartialPlanner.Prepare(synced, after);

        Assert.True(step.IsPartial, step.FullSyncReason);
        Assert.Equal([("ns", "web")], step.Services);
        // Web's three virtual servers (ClusterIP, the load balancer's, the NodePort on the node's address), nothing of kube-dns or api.
        Assert.Equal(["TCP 10.96.0.20:80", "TCP 172.18.0.3:30080", "TCP 192.0.2.50:80"], step.Keys.Select(k => k.DisplayName).Order(StringComparer.Ordinal));
        var node = KubeIpvsPlannerTests.Applied(desired);
        var plan = step.Plan(ByKey(node, step));
        Assert.Equal(
            ["add destination TCP 10.96.0.20:80 -> 10.244.4.4:8080 masq weight 1", "add destination TCP 172.18.0.3:30080 -> 10.244.4.4:8080 masq weight 1",
             "add destination TCP 192.0.2.50:80 -> 10.244.4.4:8080 masq weight 1"],
            Lines(plan).Order(StringComparer.Ordinal));
        Assert.Equal(FullWrites(desired, after).Order(StringComparer.Ordinal), Lines(plan).Order(StringComparer.Ordinal));
        Assert.All(plan.Operations, o => Assert.Equal(KubeIpvsLayer.Ipvs, o.Layer));
    }

    [Fact]
    public void ARemovedEndpointDrainsWithConnectionsAndGoesWithoutAsTheFullPlanDoes()
    {
        var before = Before();
        var (synced, desired) = Synced(before);
        var after = Changed(before, slices: [WebSlice("10.244.1.9")]);
        // The ClusterIP's real server 10.244.2.9 has connections: weight 0; the other two have none: removed.
        var node = KubeIpvsPlannerTests.Applied(desired);
        var cluster = node.Services.Single(s => s.Key.DisplayName == "TCP 10.96.0.20:80");
        var busy = KubeIpvsPlannerTests.Vs(cluster.Key, "rr", 0, 0, "255.255.255.255",
            KubeIpvsPlannerTests.Dest(cluster.Key, IP("10.244.1.9"), 8080), KubeIpvsPlannerTests.Dest(cluster.Key, IP("10.244.2.9"), 8080, active: 3));
        node = new KubeNodeActualState(node.Services.Select(s => s.Key == cluster.Key ? busy : s).ToList(), node.Ipsets, true, node.DummyAddresses, node.Iptables);

        var step = KubeIpvsPartialPlanner.Prepare(synced, after);

        Assert.True(step.IsPartial, step.FullSyncReason);
        var plan = step.Plan(ByKey(node, step));
        Assert.Equal(FullWrites(desired, after, node), Lines(plan));
        Assert.Contains("set destination TCP 10.96.0.20:80 -> 10.244.2.9:8080 masq weight 0 (draining: 3 active, 0 inactive connections)", Lines(plan));
        Assert.Equal(3, plan.Operations.Count);
    }

    [Fact]
    public void AnAffinityChangeUpdatesTheServicesVirtualServersOnly()
    {
        var before = Before();
        var (synced, desired) = Synced(before);
        var after = Changed(before, services: [Web(KubeSessionAffinity.ClientIP)]);

        var step = KubeIpvsPartialPlanner.Prepare(synced, after);

        Assert.True(step.IsPartial, step.FullSyncReason);
        var plan = step.Plan(ByKey(KubeIpvsPlannerTests.Applied(desired), step));
        Assert.Equal(3, plan.Operations.Count);
        Assert.All(Lines(plan), l => Assert.Matches(@"^update virtual server TCP \S+ rr persistent 10800 \(", l));
        Assert.Equal(FullWrites(desired, after), Lines(plan));
    }

    [Fact]
    public void TwoEventsInARowCompareWithWhatTheFirstLeft()
    {
        var before = Before();
        var (synced, desired) = Synced(before);
        var first = Changed(before, slices: [ApiSlice("10.244.3.1", "10.244.3.2")]);
        var step = KubeIpvsPartialPlanner.Prepare(synced, first);
        Assert.True(step.IsPartial, step.FullSyncReason);
        synced.Commit(step);

        var second = Changed(first, slices: [ApiSlice("10.244.3.2")]);
        var again = KubeIpvsPartialPlanner.Prepare(synced, second);

        Assert.True(again.IsPartial, again.FullSyncReason);
        var node = KubeIpvsPlannerTests.Applied(KubeProxyState.Build(first, Opt));
        Assert.Equal(["remove destination TCP 10.96.0.30:443 -> 10.244.3.1:6443"], Lines(again.Plan(ByKey(node, again))));
    }

    [Fact]
    public void AChangeThatLeavesTheDesiredStateAsItWasWritesNothing()
    {
        var before = Before();
        var (synced, desired) = Synced(before);
        // The same endpoints in a new object (a resourceVersion bump): the Service is touched and compared, nothing written.
        var after = Changed(before, slices: [WebSlice("10.244.2.9", "10.244.1.9")]);

        var step = KubeIpvsPartialPlanner.Prepare(synced, after);

        Assert.True(step.IsPartial, step.FullSyncReason);
        Assert.True(step.Plan(ByKey(KubeIpvsPlannerTests.Applied(desired), step)).IsEmpty);
    }

    [Fact]
    public void AServicesNewSliceAndADeletedSliceTouchOnlyThatService()
    {
        var before = Before();
        var (synced, desired) = Synced(before);
        var extra = Slice("web", "web-2", KubeAddressType.IPv4, WebPorts, Endpoint("10.244.5.5", "node-b"));
        var after = Changed(before, slices: [extra], deletedSlices: [("ns", "web-1")]);

        var step = KubeIpvsPartialPlanner.Prepare(synced, after);

        Assert.True(step.IsPartial, step.FullSyncReason);
        Assert.Equal([("ns", "web")], step.Services);
        Assert.Equal(FullWrites(desired, after), Lines(step.Plan(ByKey(KubeIpvsPlannerTests.Applied(desired), step))));
        Assert.Equal(9, step.Plan(ByKey(KubeIpvsPlannerTests.Applied(desired), step)).Operations.Count); // 3 adds, 6 removals
    }

    [Fact]
    public void TheKernelsCurrentStateCountsNotTheLastSyncs()
    {
        // Someone removed api's virtual server by hand: the partial sync of an api change puts it back whole.
        var before = Before();
        var (synced, desired) = Synced(before);
        var after = Changed(before, slices: [ApiSlice("10.244.3.1", "10.244.3.2")]);
        var node = KubeIpvsPlannerTests.Applied(desired);
        node = new KubeNodeActualState(node.Services.Where(s => s.Key.DisplayName != "TCP 10.96.0.30:443").ToList(), node.Ipsets, true, node.DummyAddresses, node.Iptables);

        var step = KubeIpvsPartialPlanner.Prepare(synced, after);

        Assert.Equal(FullWrites(desired, after, node), Lines(step.Plan(ByKey(node, step))));
        Assert.Equal(3, step.Plan(ByKey(node, step)).Operations.Count);
    }

    [Fact]
    public void AChangedServicePortIsAFullSyncForItsSetMembers()
    {
        var before = Before();
        var (synced, _) = Synced(before);
        var step = KubeIpvsPartialPlanner.Prepare(synced, Changed(before, services: [Web(port: 8000)]));
        Assert.False(step.IsPartial);
        Assert.Contains("set membership changes: KUBE-CLUSTER-IP +1 -1", step.FullSyncReason);
    }

    [Fact]
    public void AnAddedOrDeletedServiceIsAFullSync()
    {
        var before = Before();
        var (synced, _) = Synced(before);
        var added = KubeIpvsPartialPlanner.Prepare(synced, Changed(before, services: [Service("new", "10.96.0.40", Port("http", IpvsProtocol.Tcp, 80))]));
        Assert.False(added.IsPartial);
        Assert.StartsWith("set membership changes: KUBE-CLUSTER-IP +1 -0", added.FullSyncReason);
        var deleted = KubeIpvsPartialPlanner.Prepare(synced, Changed(before, deletedServices: [("ns", "api")]));
        Assert.False(deleted.IsPartial);
        Assert.StartsWith("set membership changes: KUBE-CLUSTER-IP +0 -1", deleted.FullSyncReason);
    }

    [Fact]
    public void ALocalEndpointChangesKubeLoopBackSoItIsAFullSync()
    {
        var before = Before();
        var (synced, _) = Synced(before);
        var slice = Slice("api", "api-1", KubeAddressType.IPv4, [EPort("https", IpvsProtocol.Tcp, 6443)], Endpoint("10.244.3.1", "node-b"), Endpoint("10.244.0.8", Node));
        var step = KubeIpvsPartialPlanner.Prepare(synced, Changed(before, slices: [slice]));
        Assert.False(step.IsPartial);
        Assert.Equal("set membership changes: KUBE-LOOP-BACK +1 -0", step.FullSyncReason);
    }

    [Fact]
    public void ARelistUnknownChangesANewNodeOrTooManyServicesAreFullSyncs()
    {
        var before = Before();
        var (synced, _) = Synced(before);
        var slice = WebSlice("10.244.1.9");
        Assert.Equal("the cluster was listed anew (a watch ended or its resource version expired)",
            KubeIpvsPartialPlanner.Prepare(synced, Changed(before, slices: [slice], changes: ClusterChanges.Relist)).FullSyncReason);
        Assert.Equal("the cluster source does not say what changed",
            KubeIpvsPartialPlanner.Prepare(synced, new ClusterSnapshot(before.Services, before.EndpointSlices, before.Nodes)).FullSyncReason);
        Assert.Equal("the Node changed",
            KubeIpvsPartialPlanner.Prepare(synced, new ClusterSnapshot(before.Services, before.EndpointSlices, [NodeObject("z2")]) { Changes = new ClusterChanges(null, null) }).FullSyncReason);
        Assert.Equal("2 Services changed (more than 1)",
            KubeIpvsPartialPlanner.Prepare(synced, Changed(before, slices: [slice, ApiSlice("10.244.3.9")]), maxServices: 1).FullSyncReason);
    }

    [Fact]
    public void AVirtualServerAnotherServiceHoldsIsAFullSync()
    {
        // Two Services on one external IP and port: the first in name order holds the virtual server, so a change of the second cannot be synced alone.
        var a = Service("a", "10.96.0.51", Port("http", IpvsProtocol.Tcp, 80)) is var s1 ? new KubeService { Namespace = "ns", Name = "a", ClusterIPs = s1.ClusterIPs, Ports = s1.Ports, ExternalIPs = [IP("192.0.2.9")] } : null!;
        var b = new KubeService { Namespace = "ns", Name = "b", ClusterIPs = [IP("10.96.0.52")], Ports = [Port("http", IpvsProtocol.Tcp, 80)], ExternalIPs = [IP("192.0.2.9")] };
        var before = new ClusterSnapshot([a, b], [Slice("a", "a-1", KubeAddressType.IPv4, WebPorts, Endpoint("10.244.7.1", "node-b")), Slice("b", "b-1", KubeAddressType.IPv4, WebPorts, Endpoint("10.244.8.1", "node-b"))], Nodes);
        var (synced, _) = Synced(before);
        var step = KubeIpvsPartialPlanner.Prepare(synced, Changed(before, slices: [Slice("b", "b-1", KubeAddressType.IPv4, WebPorts, Endpoint("10.244.8.2", "node-b"))]));
        Assert.False(step.IsPartial);
        Assert.Equal("virtual server TCP 192.0.2.9:80 is also Service ns/a's", step.FullSyncReason);
    }

    [Fact]
    public void AHeadlessServicesChangeIsPartialWithNothingToRead()
    {
        var headless = new KubeService { Namespace = "ns", Name = "db", ClusterIPs = [], Ports = [Port("pg", IpvsProtocol.Tcp, 5432)] };
        var before = new ClusterSnapshot([Dns(), headless], [DnsSlice("10.244.1.7"), Slice("db", "db-1", KubeAddressType.IPv4, [EPort("pg", IpvsProtocol.Tcp, 5432)], Endpoint("10.244.9.1", "node-b"))], Nodes);
        var (synced, _) = Synced(before);
        var step = KubeIpvsPartialPlanner.Prepare(synced, Changed(before, slices: [Slice("db", "db-1", KubeAddressType.IPv4, [EPort("pg", IpvsProtocol.Tcp, 5432)], Endpoint("10.244.9.2", "node-b"))]));
        Assert.True(step.IsPartial, step.FullSyncReason);
        Assert.Empty(step.Keys);
        Assert.True(step.Plan([]).IsEmpty);
    }

    [Fact]
    public void TheWatchLoopSyncsFullyFirstPeriodicallyAndAfterForgetting()
    {
        var follow = new KubeIpvsWatchSync(Opt, null, TimeSpan.FromSeconds(30));
        var before = Before();
        Assert.Equal("no full sync yet", follow.Next(before, T0).FullSyncReason);
        follow.FullSynced(before, KubeProxyState.Build(before, Opt), T0);
        var after = Changed(before, slices: [WebSlice("10.244.1.9")]);
        Assert.True(follow.Next(after, T0.AddSeconds(29)).IsPartial);
        Assert.Equal("the periodic full sync (every 30 s)", follow.Next(after, T0.AddSeconds(30)).FullSyncReason);
        follow.Forget();
        Assert.Equal("no full sync yet", follow.Next(after, T0.AddSeconds(1)).FullSyncReason);
        var never = new KubeIpvsWatchSync(Opt, null, TimeSpan.Zero);
        never.FullSynced(before, KubeProxyState.Build(before, Opt), T0);
        Assert.Equal("every event is a full sync (interval 0)", never.Next(after, T0).FullSyncReason);
    }

    [Fact]
    public void ChangesFoldedTogetherAreTheirUnionAndARelistStaysARelist()
    {
        var a = new ClusterChanges([("ns", "web")], [("ns", "web-1")]);
        var b = new ClusterChanges(null, [("ns", "api-1")]);
        var merged = ClusterChanges.Merge(a, b)!;
        Assert.Equal([("ns", "web")], merged.Services);
        Assert.Equal([("ns", "api-1"), ("ns", "web-1")], merged.EndpointSlices.Order());
        Assert.Equal("Service ns/web; EndpointSlices ns/api-1, ns/web-1", merged.ToString());
        Assert.True(ClusterChanges.Merge(a, ClusterChanges.Relist)!.Relisted);
        Assert.Null(ClusterChanges.Merge(null, b));
    }
}
