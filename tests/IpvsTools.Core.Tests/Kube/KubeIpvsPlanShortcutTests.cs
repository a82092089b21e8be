using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Sync;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The planner's shortcuts for a node close to the desired state (issue 19, item 4): set members compared as text
/// when the node spells them as kube-proxy does, real servers matched by a scan up to KubeDestinationMatch.ScanLimit
/// and by key above it, no stale-server pass when the node has no other virtual server. Each case is planned the
/// same way it was planned before the shortcuts: the writes named here are exactly what the full comparison gives.
/// </summary>
public class KubeIpvsPlanShortcutTests
{
    private static readonly KubeProxyOptions NodeOptions = Options("172.18.0.3");
    private static readonly KubeEndpointPort[] HttpPorts = [EPort("http", IpvsProtocol.Tcp, 8080)];

    /// <summary>One ClusterIP Service with <paramref name="count"/> real servers, the first <paramref name="local"/> on this node.</summary>
    private static KubeDesiredState Cluster(int count, int local = 1, int first = 1)
    {
        var endpoints = Enumerable.Range(first, count).Select(i => Endpoint($"10.244.{i / 250}.{i % 250 + 1}", i - first < local ? Node : "node-b")).ToArray();
        return Build(NodeOptions, [Service("web", "10.96.0.20", Port("http", IpvsProtocol.Tcp, 80))], [Slice("web", "web-1", KubeAddressType.IPv4, HttpPorts, endpoints)]);
    }

    /// <summary>The node as kube-proxy leaves it, each set member spelled as kube-proxy writes it; <paramref name="members"/> edits a set's members.</summary>
    private static KubeNodeActualState Held(KubeDesiredState desired, Func<string, IReadOnlyList<string>, IReadOnlyList<string>>? members = null)
    {
        var applied = KubeIpvsPlannerTests.Applied(desired);
        var sets = desired.Ipsets.Select(s => new KubeActualIpset(s.Name, s.Type, members?.Invoke(s.Name, s.Members) ?? s.Members)).ToList();
        return new KubeNodeActualState(applied.Services, sets, true, applied.DummyAddresses, applied.Iptables);
    }

    private static string[] Lines(KubeIpvsPlan plan) => plan.Operations.Select(o => o.ToString()).ToArray();

    [Fact]
    public void ANodeSpelledAsKubeProxyWritesNothing()
    {
        var desired = Cluster(10, local: 3);
        Assert.Equal(3, desired.Ipset("KUBE-LOOP-BACK")!.Members.Count);
        Assert.Empty(Lines(KubeIpvsPlanner.Plan(desired, Held(desired), NodeOptions)));
    }

    [Fact]
    public void MembersMissingFromASetSpelledAsKubeProxyAreAddedAndNothingIsRemoved()
    {
        var desired = Cluster(10, local: 3);
        var loopBack = desired.Ipset("KUBE-LOOP-BACK")!.Members;
        var plan = KubeIpvsPlanner.Plan(desired, Held(desired, (set, m) => set == "KUBE-LOOP-BACK" ? [m[1]] : m), NodeOptions);
        Assert.Equal([$"add {loopBack[0]} to ipset KUBE-LOOP-BACK", $"add {loopBack[2]} to ipset KUBE-LOOP-BACK"], Lines(plan));
    }

    [Fact]
    public void AMemberTheNodeSpellsOtherwiseIsStillTheSameMember()
    {
        // The node lists the members of KUBE-IPVS-IPS (hash:ip) as host nets, a spelling ipset accepts for the same
        // element, and one member of KUBE-LOOP-BACK is missing: only that one is added.
        var desired = Cluster(10, local: 3);
        var loopBack = desired.Ipset("KUBE-LOOP-BACK")!.Members;
        var plan = KubeIpvsPlanner.Plan(desired, Held(desired, (set, m) => set switch
        {
            "KUBE-IPVS-IPS" => m.Select(a => a + "/32").ToList(),
            "KUBE-LOOP-BACK" => [m[0], m[1]],
            _ => m,
        }), NodeOptions);
        Assert.Equal([$"add {loopBack[2]} to ipset KUBE-LOOP-BACK"], Lines(plan));
    }

    [Fact]
    public void AStaleMemberIsRemovedWhateverTheOthersSpelling()
    {
        var desired = Cluster(10, local: 2);
        var plan = KubeIpvsPlanner.Plan(desired, Held(desired, (set, m) => set == "KUBE-LOOP-BACK" ? [.. m, "10.244.9.9,tcp:8080,10.244.9.9"] : m), NodeOptions);
        Assert.Equal(["remove 10.244.9.9,tcp:8080,10.244.9.9 from ipset KUBE-LOOP-BACK"], Lines(plan));
    }

    [Theory]
    [InlineData(10)] // matched by a scan
    [InlineData(KubeDestinationMatch.ScanLimit)]
    [InlineData(KubeDestinationMatch.ScanLimit + 1)] // by key
    [InlineData(60)]
    public void OneRealServerReplacedIsOneAddAndOneRemovalAtAnyCount(int count)
    {
        var before = Cluster(count, local: 0);
        var after = Cluster(count, local: 0, first: 2); // the first real server gone, one new at the end
        var gone = before.VirtualServers.Single().Destinations[0];
        var added = after.VirtualServers.Single().Destinations.Single(d => !before.VirtualServers.Single().Destinations.Any(b => b.Address.Equals(d.Address)));
        Assert.Equal(
        [
            $"add destination TCP 10.96.0.20:80 -> {added.Address}:8080 masq weight 1",
            $"remove destination TCP 10.96.0.20:80 -> {gone.Address}:8080",
        ], Lines(KubeIpvsPlanner.Plan(after, Held(before), NodeOptions)));
        Assert.Empty(Lines(KubeIpvsPlanner.Plan(after, Held(after), NodeOptions)));
    }

    [Fact]
    public void AVirtualServerTheClusterNoLongerHasIsRemovedEvenWhenTheCountsMatch()
    {
        // The node has as many virtual servers as the cluster wants, but one of them is another: the stale-server
        // pass runs (the shortcut skips it only when every node virtual server is a desired one).
        var desired = Cluster(3, local: 0);
        var held = Held(desired);
        var other = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("10.96.0.21"), 80);
        var services = new List<IpvsService> { KubeIpvsPlannerTests.Vs(other, "rr", 0, 0, "255.255.255.255") };
        var plan = KubeIpvsPlanner.Plan(desired, new KubeNodeActualState(services, held.Ipsets, true, held.DummyAddresses, held.Iptables), NodeOptions);
        var lines = Lines(plan);
        Assert.Contains(lines, l => l.StartsWith("add virtual server TCP 10.96.0.20:80", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("remove", StringComparison.Ordinal));
        Assert.Equal([other], plan.Foreign); // not a cluster address: left alone, and said so (the stale-server pass ran)
        var owned = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IP("10.96.0.20"), 81); // on a cluster address: the cluster's
        services = [KubeIpvsPlannerTests.Vs(owned, "rr", 0, 0, "255.255.255.255")];
        lines = Lines(KubeIpvsPlanner.Plan(desired, new KubeNodeActualState(services, held.Ipsets, true, held.DummyAddresses, held.Iptables), NodeOptions));
        Assert.Equal("remove virtual server TCP 10.96.0.20:81", lines[^1]);
    }
}
