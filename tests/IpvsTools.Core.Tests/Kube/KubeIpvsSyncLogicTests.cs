using System.Net;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using static IpvsTools.Tests.Kube.KubeIpvsPlannerTests;
using IpvsTools.Cluster;
using IpvsTools.Conntrack;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The pure logic of a sync, without a kernel: how the applier groups a plan's writes (order kept,
/// member runs of one set batched, IPVS runs pipelined), the differences Compare-KubeIpvs reports, the
/// clean-up plan of Remove-KubeIpvs, and the conntrack tool's arguments and answer.
/// </summary>
public class KubeIpvsSyncLogicTests
{
    private static readonly KubeProxyOptions NodeOptions = Options("172.18.0.3");
    private static readonly KubeEndpointPort[] DnsPorts = [EPort("dns", IpvsProtocol.Udp, 53), EPort("dns-tcp", IpvsProtocol.Tcp, 53)];

    private static KubeDesiredState Cluster(params string[] dnsEndpoints) => Build(NodeOptions,
        [Service("kube-dns", "10.96.0.10", Port("dns", IpvsProtocol.Udp, 53), Port("dns-tcp", IpvsProtocol.Tcp, 53))],
        [Slice("kube-dns", "dns-1", KubeAddressType.IPv4, DnsPorts, dnsEndpoints.Select(a => Endpoint(a, a.StartsWith("10.244.0.", StringComparison.Ordinal) ? Node : "node-b")).ToArray())]);

    private static string[] Lines(IEnumerable<object> items) => items.Select(o => o.ToString()!).ToArray();

    private static string? SetName(KubeIpvsOperation op) => (op as KubeIpsetOperation)?.SetName;

    [Fact]
    public void TheApplierGroupsRunsWithoutReorderingAndBatchesOnlyLikeWrites()
    {
        var plan = KubeIpvsPlanner.Plan(Cluster("10.244.0.5", "10.244.1.7"), KubeNodeActualState.Empty, NodeOptions);
        var ops = plan.Operations;
        var groups = KubeIpvsApplier.Group(ops);

        // Contiguous, in order, covering every write once.
        Assert.Equal(Enumerable.Range(0, ops.Count), groups.SelectMany(g => Enumerable.Range(g.Start, g.Count)));
        foreach (var (start, count) in groups.Where(g => g.Count > 1))
        {
            var members = ops.Skip(start).Take(count).ToList();
            var first = members[0];
            if (first.Layer == KubeIpvsLayer.Ipvs) Assert.All(members, m => Assert.Equal(KubeIpvsLayer.Ipvs, m.Layer));
            else Assert.All(members, m => Assert.True(m.Kind == first.Kind && SetName(m) == SetName(first) && m.Kind is KubeIpvsOperationKind.AddSetMember or KubeIpvsOperationKind.RemoveSetMember));
        }
        // Every IPVS write of a cold sync is one pipelined group; the two KUBE-LOOP-BACK members one batch.
        var ipvs = Assert.Single(groups, g => ops[g.Start].Layer == KubeIpvsLayer.Ipvs);
        Assert.Equal(ops.Count(o => o.Layer == KubeIpvsLayer.Ipvs), ipvs.Count);
        var loopBack = Assert.Single(groups, g => SetName(ops[g.Start]) == "KUBE-LOOP-BACK" && ops[g.Start].Kind == KubeIpvsOperationKind.AddSetMember);
        Assert.Equal(2, loopBack.Count);
        // Writes of other kinds stay alone (a set's creation, the restore, each jump).
        Assert.All(groups.Where(g => ops[g.Start].Kind is KubeIpvsOperationKind.CreateSet or KubeIpvsOperationKind.RestoreIptables or KubeIpvsOperationKind.InsertIptablesJump),
            g => Assert.Equal(1, g.Count));
    }

    [Fact]
    public void AnUpToDateNodeHasNoDifferencesAndADrainingOneIsNotDrift()
    {
        var desired = Cluster("10.244.0.5");
        var actual = Applied(desired);
        Assert.Empty(KubeIpvsComparison.Compare(desired, actual, KubeIpvsPlanner.Plan(desired, actual, NodeOptions)));

        // A TCP real server at weight 0 with connections whose endpoint is gone: draining.
        var tcp = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("10.96.0.10"), 53);
        var draining = new KubeNodeActualState(
            actual.Services.Select(s => s.Key == tcp ? Vs(s.Key, s.Scheduler, s.RawFlags, s.PersistenceTimeout, s.Netmask,
                [.. s.Destinations, Dest(tcp, IP("10.244.1.7"), 53, weight: 0, active: 2)]) : s).ToList(),
            actual.Ipsets, true, actual.DummyAddresses, actual.Iptables);
        var plan = KubeIpvsPlanner.Plan(desired, draining, NodeOptions);
        Assert.Single(plan.Draining);
        Assert.Empty(KubeIpvsComparison.Compare(desired, draining, plan));
    }

    [Fact]
    public void DifferencesNameTheItemWhatIsExpectedAndWhatIsThere()
    {
        var before = Cluster("10.244.0.5", "10.244.1.7");
        var actual = Applied(before,
            Vs(IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("198.51.100.1"), 8080), "rr", 0, 0, "255.255.255.255"));
        // The remote endpoint goes (it has an open TCP connection), the TCP service's scheduler drifted to wrr.
        var tcp = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("10.96.0.10"), 53);
        actual = new KubeNodeActualState(actual.Services.Select(s => s.Key == tcp
                ? Vs(tcp, "wrr", 0, 0, s.Netmask, Dest(tcp, IP("10.244.0.5"), 53), Dest(tcp, IP("10.244.1.7"), 53, active: 1))
                : s).ToList(),
            actual.Ipsets, true, actual.DummyAddresses, actual.Iptables);
        var after = Cluster("10.244.0.5");
        var plan = KubeIpvsPlanner.Plan(after, actual, NodeOptions);
        Assert.Equal(
        [
            "VirtualServer TCP 10.96.0.10:53: expected rr, actual wrr (Change)",
            "Destination TCP 10.96.0.10:53 -> 10.244.1.7:53: expected (none), actual masq weight 1, 1 active, 0 inactive (Drain)",
            "Destination UDP 10.96.0.10:53 -> 10.244.1.7:53: expected (none), actual masq weight 1 (Remove)",
            "ForeignVirtualServer TCP 198.51.100.1:8080: expected (none), actual rr (None)",
        ], Lines(KubeIpvsComparison.Compare(after, actual, plan, "n1")));
        var difference = KubeIpvsComparison.Compare(after, actual, plan, "n1")[0];
        Assert.Equal((KubeIpvsLayer.Ipvs, KubeIpvsDifferenceKind.VirtualServer, "ns/kube-dns:dns-tcp", "n1"),
            (difference.Layer, difference.Kind, difference.ServicePort, difference.NetworkNamespace));

        // An empty node: the link, each address, set and member, server, chain and jump is one Add.
        var cold = KubeIpvsComparison.Compare(after, KubeNodeActualState.Empty, KubeIpvsPlanner.Plan(after, KubeNodeActualState.Empty, NodeOptions));
        Assert.All(cold, d => Assert.Equal(KubeIpvsDifferenceAction.Add, d.Action));
        Assert.Contains("Chain iptables nat/KUBE-SERVICES: expected 4 rules, actual (none) (Add)", Lines(cold));
        Assert.Contains("Jump iptables nat/PREROUTING -j KUBE-SERVICES: expected -A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES, actual (none) (Add)", Lines(cold));
        Assert.Contains("Address 10.96.0.10/32: expected on kube-ipvs0, actual (none) (Add)", Lines(cold));
    }

    [Fact]
    public void TheCleanUpRemovesRulesFirstThenTheClustersServicesThenSetsThenTheLink()
    {
        var desired = Cluster("10.244.0.5");
        var foreign = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("198.51.100.1"), 8080);
        var nodePort = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("172.18.0.3"), 30080);
        var notNodePort = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("172.18.0.3"), 8080);
        var actual = Applied(desired, Vs(foreign, "rr", 0, 0, "255.255.255.255"), Vs(nodePort, "rr", 0, 0, "255.255.255.255"), Vs(notNodePort, "rr", 0, 0, "255.255.255.255"));
        actual = new KubeNodeActualState(actual.Services, [.. actual.Ipsets, new KubeActualIpset("KUBE-SOMEONE-ELSE", "hash:ip", [])], true, actual.DummyAddresses, actual.Iptables);

        var plan = KubeIpvsCleanup.Plan(actual, NodeOptions);
        var lines = Lines(plan.Operations);
        Assert.StartsWith("delete iptables chains nat/KUBE-SERVICES nat/KUBE-POSTROUTING", lines[0]);
        Assert.Equal(
        [
            "remove virtual server TCP 172.18.0.3:30080",
            "remove virtual server TCP 10.96.0.10:53",
            "remove virtual server UDP 10.96.0.10:53",
        ], lines.Where(l => l.StartsWith("remove virtual server", StringComparison.Ordinal)));
        Assert.Equal(["TCP 172.18.0.3:8080", "TCP 198.51.100.1:8080"], plan.Foreign.Select(k => k.DisplayName).Order());
        Assert.DoesNotContain(lines, l => l.Contains("KUBE-SOMEONE-ELSE"));
        Assert.Contains("destroy ipset KUBE-CLUSTER-IP (kube-proxy's)", lines);
        Assert.Equal("delete dummy link kube-ipvs0", lines[^1]);
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("remove virtual server", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.StartsWith("destroy ipset", StringComparison.Ordinal)));

        // -IncludeForeign takes the rest too; excluded addresses never.
        var all = KubeIpvsCleanup.Plan(actual, NodeOptions with { ExcludeCidrs = [IpNetwork.Parse("198.51.100.0/24")] }, includeForeign: true);
        Assert.Contains("remove virtual server TCP 172.18.0.3:8080 (foreign)", Lines(all.Operations));
        Assert.DoesNotContain(Lines(all.Operations), l => l.Contains("198.51.100.1"));

        // The restore input: jumps into kube-proxy's chains deleted, its chains flushed and deleted; Docker's untouched.
        var input = Assert.IsType<KubeIptablesOperation>(plan.Operations[0]).RestoreInput!;
        Assert.Contains("-D PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n", input);
        Assert.Contains(":KUBE-SERVICES - [0:0]\n", input);
        Assert.Contains("-X KUBE-MARK-MASQ\n", input);
        Assert.DoesNotContain("DOCKER", input);
        Assert.True(input.IndexOf("-X KUBE-SERVICES", StringComparison.Ordinal) > input.IndexOf(":KUBE-MARK-MASQ", StringComparison.Ordinal), "every chain is flushed before any is deleted");

        // Nothing of kube-proxy's: nothing to do.
        Assert.True(KubeIpvsCleanup.Plan(new KubeNodeActualState([Vs(foreign, "rr", 0, 0, "255.255.255.255")], null, false, null, []), NodeOptions).IsEmpty);
    }

    [Fact]
    public void TheConntrackToolIsAskedForTheVirtualServerAndTheRemovedEndpoint()
    {
        Assert.Equal(["-D", "-p", "udp", "-f", "ipv4", "--orig-dst", "10.96.0.10", "--orig-port-dst", "53", "--reply-src", "10.244.0.5"],
            ConntrackTool.Arguments(IpvsProtocol.Udp, IP("10.96.0.10"), 53, IP("10.244.0.5")));
        Assert.Equal(["-D", "-p", "sctp", "-f", "ipv6", "--orig-dst", "fd00::10", "--orig-port-dst", "3868", "--reply-src", "fd00:244::5"],
            ConntrackTool.Arguments(IpvsProtocol.Sctp, IP("fd00::10"), 3868, IP("fd00:244::5")));
        Assert.Equal(0, ConntrackTool.Deleted("conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.\n"));
        Assert.Equal(3, ConntrackTool.Deleted("conntrack v1.4.7 (conntrack-tools): 3 flow entries have been deleted.\n"));
        Assert.Null(ConntrackTool.Deleted("conntrack v1.4.7 (conntrack-tools): Operation not permitted\n"));
    }

    [Fact]
    public void AnApplyFailureNamesTheWriteAndItsPosition()
    {
        var op = KubeIpvsPlanner.Plan(Cluster("10.244.1.7"), KubeNodeActualState.Empty, NodeOptions).Operations.First(o => o.Kind == KubeIpvsOperationKind.AddVirtualServer);
        var error = new KubeIpvsApplyException(op, 12, 40, new IpvsToolsException("the kernel said no.", FailureKind.ModuleMissing));
        Assert.StartsWith("Write 12 of 40 (add virtual server TCP 10.96.0.10:53 rr) failed: the kernel said no.", error.Message);
        Assert.Contains("a new sync re-reads the node", error.Message);
        Assert.Equal(FailureKind.ModuleMissing, error.Kind);
        Assert.Same(op, error.Operation);
    }
}
