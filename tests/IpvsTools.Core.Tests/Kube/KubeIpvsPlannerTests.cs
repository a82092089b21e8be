using System.Net;
using System.Net.Sockets;
using Xunit;
using static IpvsTools.Tests.Kube.KubeFixtures;
using IpvsTools.Cluster;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Sync;

namespace IpvsTools.Tests.Kube;

/// <summary>The planner on fixture clusters against fixture node states: order, minimal writes, graceful termination, ownership.</summary>
public class KubeIpvsPlannerTests
{
    private static readonly KubeEndpointPort[] DnsPorts = [EPort("dns", IpvsProtocol.Udp, 53), EPort("dns-tcp", IpvsProtocol.Tcp, 53)];
    private static readonly KubeProxyOptions NodeOptions = Options("172.18.0.3");

    private static KubeService Dns() => Service("kube-dns", "10.96.0.10", Port("dns", IpvsProtocol.Udp, 53), Port("dns-tcp", IpvsProtocol.Tcp, 53));

    private static KubeService Web() => new()
    {
        Namespace = "ns", Name = "web", Type = KubeServiceType.LoadBalancer, ClusterIPs = [IP("10.96.0.20")],
        Ports = [Port("http", IpvsProtocol.Tcp, 80, 30080)],
        LoadBalancerIngress = [new KubeLoadBalancerIngress(IP("192.0.2.50"))],
        LoadBalancerSourceRanges = [IpNetwork.Parse("198.51.100.7/32"), IpNetwork.Parse("203.0.113.0/24")],
    };

    private static KubeEndpointSlice DnsSlice(params KubeEndpoint[] e) => Slice("kube-dns", "dns-1", KubeAddressType.IPv4, DnsPorts, e);

    private static KubeEndpointSlice WebSlice(params KubeEndpoint[] e) => Slice("web", "web-1", KubeAddressType.IPv4, [EPort("http", IpvsProtocol.Tcp, 8080)], e);

    private static KubeDesiredState Cluster(params KubeEndpoint[] dnsEndpoints)
        => Build(NodeOptions, [Dns(), Web()], [DnsSlice(dnsEndpoints), WebSlice(Endpoint("10.244.0.5", Node), Endpoint("10.244.1.9", "node-b"))]);

    private static readonly KubeEndpoint[] TwoDns = [Endpoint("10.244.0.5", Node), Endpoint("10.244.1.7", "node-b")];

    /// <summary>The node exactly as kube-proxy would have left it for <paramref name="desired"/> (ipset spelling for host nets).</summary>
    internal static KubeNodeActualState Applied(KubeDesiredState desired, params IpvsService[] extra)
    {
        var services = desired.VirtualServers.Select(v => Vs(v.Key, v.Scheduler, v.Flags, v.Timeout, v.Netmask,
            v.Destinations.Select(d => Dest(v.Key, d.Address, d.Port)).ToArray())).Concat(extra).ToList();
        var sets = desired.Ipsets.Select(s => new KubeActualIpset(s.Name, s.Type,
            s.Members.Select(m => m.EndsWith("/32", StringComparison.Ordinal) ? m[..^3] : m).ToList())).ToList();
        return new KubeNodeActualState(services, sets, true, desired.DummyAddresses, desired.Iptables.Select(r => Saved(r)).ToList());
    }

    /// <summary>A family's tables as iptables-save would show them after kube-proxy wrote them (plus a Docker-like foreign rule), parsed.</summary>
    internal static IptablesRuleset Saved(KubeIptablesRules rules, Func<string, string?>? edit = null)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (table, builtins, owned) in new[] { ("nat", new[] { "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING" }, KubeIptablesRules.NatChains), ("filter", new[] { "INPUT", "FORWARD", "OUTPUT" }, KubeIptablesRules.FilterChains) })
        {
            text.Append('*').Append(table).Append('\n');
            foreach (var c in builtins) text.Append(':').Append(c).Append(" ACCEPT [0:0]\n");
            if (table == "filter") text.Append(":DOCKER - [0:0]\n");
            foreach (var c in owned) text.Append(':').Append(c).Append(" - [0:0]\n");
            var lines = rules.Jumps.Concat(rules.Rules).Where(r => r.Table == table).Select(r => r.SavedForm(rules.AddressFamily)).ToList();
            if (table == "filter") lines.Insert(0, "-A FORWARD -j DOCKER");
            foreach (var l in lines.Select(l => edit is null ? l : edit(l)).OfType<string>()) text.Append(l).Append('\n');
            text.Append("COMMIT\n");
        }
        return IptablesSaveParser.Parse(text.ToString(), rules.AddressFamily == AddressFamily.InterNetworkV6 ? IptablesFamily.IPv6 : IptablesFamily.IPv4);
    }

    internal static IpvsService Vs(IpvsServiceKey key, string scheduler, uint flags, uint timeout, string netmask, params IpvsDestination[] destinations)
        => new(key, scheduler, flags, timeout, netmask, null, destinations, IpvsStatistics.Zero, IpvsRates.Zero);

    internal static IpvsDestination Dest(IpvsServiceKey key, IPAddress address, ushort port, int weight = 1, uint active = 0, uint inactive = 0,
        IpvsForwardingMethod forwarding = IpvsForwardingMethod.Masquerade)
        => new(key, address.AddressFamily, address, port, forwarding, weight, 0, 0, active, inactive, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero);

    private static IpvsServiceKey Key(IpvsProtocol protocol, string address, ushort port) => IpvsServiceKey.ForAddress(protocol, IP(address), port);

    private static string[] Lines(KubeIpvsPlan plan) => plan.Operations.Select(o => o.ToString()).ToArray();

    /// <summary>Replaces one service of an actual state.</summary>
    private static KubeNodeActualState With(KubeNodeActualState state, IpvsService replacement)
        => new(state.Services.Select(s => s.Key == replacement.Key ? replacement : s).ToList(), state.Ipsets, state.DummyLinkExists, state.DummyAddresses);

    [Fact]
    public void AnEmptyNodeGetsEverythingLinkAndSetsBeforeIpvs()
    {
        var desired = Build(NodeOptions, [Dns()], [DnsSlice(TwoDns)]);
        var plan = KubeIpvsPlanner.Plan(desired, KubeNodeActualState.Empty, NodeOptions);
        var expected = new List<string>
        {
            "create dummy link kube-ipvs0 (down)",
            "add address 10.96.0.10/32 to kube-ipvs0",
        };
        foreach (var (name, type) in KubeIpsetDefinition.All.Select(d => (d.Name, d.Type)))
        {
            expected.Add($"create ipset {name} {type}" + (type.StartsWith("bitmap", StringComparison.Ordinal) ? " range 0-65535" : " family inet hashsize 1024 maxelem 65536"));
            expected.AddRange(name switch
            {
                "KUBE-LOOP-BACK" => ["add 10.244.0.5,tcp:53,10.244.0.5 to ipset KUBE-LOOP-BACK", "add 10.244.0.5,udp:53,10.244.0.5 to ipset KUBE-LOOP-BACK"],
                "KUBE-CLUSTER-IP" => ["add 10.96.0.10,tcp:53 to ipset KUBE-CLUSTER-IP", "add 10.96.0.10,udp:53 to ipset KUBE-CLUSTER-IP"],
                "KUBE-IPVS-IPS" => ["add 10.96.0.10 to ipset KUBE-IPVS-IPS"],
                _ => [],
            });
        }
        expected.AddRange(
        [
            "add virtual server TCP 10.96.0.10:53 rr",
            "add destination TCP 10.96.0.10:53 -> 10.244.0.5:53 masq weight 1",
            "add destination TCP 10.96.0.10:53 -> 10.244.1.7:53 masq weight 1",
            "add virtual server UDP 10.96.0.10:53 rr",
            "add destination UDP 10.96.0.10:53 -> 10.244.0.5:53 masq weight 1",
            "add destination UDP 10.96.0.10:53 -> 10.244.1.7:53 masq weight 1",
            "restore iptables chains nat/KUBE-SERVICES nat/KUBE-POSTROUTING nat/KUBE-NODE-PORT nat/KUBE-LOAD-BALANCER nat/KUBE-MARK-MASQ "
                + "filter/KUBE-FORWARD filter/KUBE-NODE-PORT filter/KUBE-PROXY-FIREWALL filter/KUBE-SOURCE-RANGES-FIREWALL filter/KUBE-IPVS-FILTER filter/KUBE-IPVS-OUT-FILTER",
            "insert iptables -t nat -I OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            "insert iptables -t nat -I PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
            "insert iptables -t nat -I POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
            "insert iptables -t filter -I FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
            "insert iptables -t filter -I INPUT -m comment --comment \"kubernetes health check rules\" -j KUBE-NODE-PORT",
            "insert iptables -t filter -I INPUT -m comment --comment \"kube-proxy firewall rules\" -j KUBE-PROXY-FIREWALL",
            "insert iptables -t filter -I FORWARD -m comment --comment \"kube-proxy firewall rules\" -j KUBE-PROXY-FIREWALL",
            "insert iptables -t filter -I INPUT -m comment --comment \"kubernetes ipvs access filter\" -j KUBE-IPVS-FILTER",
            "insert iptables -t filter -I OUTPUT -m comment --comment \"kubernetes ipvs access filter\" -j KUBE-IPVS-OUT-FILTER",
        ]);
        Assert.Equal(expected, Lines(plan));
        var restore = Assert.IsType<KubeIptablesOperation>(plan.Operations.Single(o => o.Kind == KubeIpvsOperationKind.RestoreIptables));
        Assert.Equal(desired.Iptables[0].RestoreInput(), restore.RestoreInput);
        Assert.Equal(KubeIpvsLayer.Iptables, restore.Layer);
        var create = plan.Operations.OfType<KubeIpsetOperation>().Single(o => o.Kind == KubeIpvsOperationKind.CreateSet && o.SetName == "KUBE-CLUSTER-IP");
        Assert.Equal(("hash:ip,port", "inet", "Kubernetes service cluster ip + port for masquerade purpose"), (create.Options!.Type, create.Options.Family, create.Comment));
        var add = Assert.IsType<KubeVirtualServerOperation>(plan.Operations.First(o => o.Kind == KubeIpvsOperationKind.AddVirtualServer));
        Assert.Equal(("TCP 10.96.0.10:53", "rr", "255.255.255.255", "ns/kube-dns:dns-tcp"), (add.Target, add.ServiceSettings!.Scheduler, add.ServiceSettings.Netmask, add.ServicePort));
    }

    [Fact]
    public void AnUpToDateNodeNeedsNoWriteAndForeignServicesAreLeftAlone()
    {
        var desired = Cluster(TwoDns);
        var foreign = Vs(Key(IpvsProtocol.Tcp, "192.168.1.1", 80), "wrr", 0, 0, "255.255.255.255", Dest(Key(IpvsProtocol.Tcp, "192.168.1.1", 80), IP("192.168.1.2"), 80, weight: 3));
        var plan = KubeIpvsPlanner.Plan(desired, Applied(desired, foreign), NodeOptions);
        Assert.Empty(Lines(plan));
        Assert.True(plan.IsEmpty);
        Assert.Equal([foreign.Key], plan.Foreign);
        // The source-range set lists 198.51.100.7 without /32, as ipset prints it; that is no change.
        Assert.Contains("192.0.2.50,tcp:80,198.51.100.7/32", desired.Ipset("KUBE-LOAD-BALANCER-SOURCE-CIDR")!.Members);
    }

    [Fact]
    public void OneEndpointChangedWritesExactlyItsDestinationsAndTheSetMembersThatDependOnIt()
    {
        var before = Cluster(TwoDns);
        var after = Cluster(Endpoint("10.244.0.6", Node), Endpoint("10.244.1.7", "node-b"));
        var plan = KubeIpvsPlanner.Plan(after, Applied(before), NodeOptions);
        Assert.Equal(
        [
            "add 10.244.0.6,tcp:53,10.244.0.6 to ipset KUBE-LOOP-BACK",
            "add 10.244.0.6,udp:53,10.244.0.6 to ipset KUBE-LOOP-BACK",
            "add destination TCP 10.96.0.10:53 -> 10.244.0.6:53 masq weight 1",
            "remove destination TCP 10.96.0.10:53 -> 10.244.0.5:53",
            "add destination UDP 10.96.0.10:53 -> 10.244.0.6:53 masq weight 1",
            "remove destination UDP 10.96.0.10:53 -> 10.244.0.5:53",
            "remove 10.244.0.5,tcp:53,10.244.0.5 from ipset KUBE-LOOP-BACK",
            "remove 10.244.0.5,udp:53,10.244.0.5 from ipset KUBE-LOOP-BACK",
        ], Lines(plan));

        // A remote endpoint has no loop-back member: only the destinations change.
        var remote = Cluster(Endpoint("10.244.0.5", Node), Endpoint("10.244.1.8", "node-b"));
        Assert.Equal(
        [
            "add destination TCP 10.96.0.10:53 -> 10.244.1.8:53 masq weight 1",
            "remove destination TCP 10.96.0.10:53 -> 10.244.1.7:53",
            "add destination UDP 10.96.0.10:53 -> 10.244.1.8:53 masq weight 1",
            "remove destination UDP 10.96.0.10:53 -> 10.244.1.7:53",
        ], Lines(KubeIpvsPlanner.Plan(remote, Applied(before), NodeOptions)));
    }

    [Fact]
    public void RemovedTcpDestinationsDrainAndUdpGoesAtOnce()
    {
        var before = Cluster(TwoDns);
        var after = Cluster(Endpoint("10.244.0.5", Node));
        var tcp = Key(IpvsProtocol.Tcp, "10.96.0.10", 53);
        var udp = Key(IpvsProtocol.Udp, "10.96.0.10", 53);
        var actual = Applied(before);
        actual = With(actual, Vs(tcp, "rr", 0, 0, "255.255.255.255", Dest(tcp, IP("10.244.0.5"), 53), Dest(tcp, IP("10.244.1.7"), 53, active: 2, inactive: 1)));
        actual = With(actual, Vs(udp, "rr", 0, 0, "255.255.255.255", Dest(udp, IP("10.244.0.5"), 53), Dest(udp, IP("10.244.1.7"), 53, inactive: 4)));
        var plan = KubeIpvsPlanner.Plan(after, actual, NodeOptions);
        Assert.Equal(
        [
            "set destination TCP 10.96.0.10:53 -> 10.244.1.7:53 masq weight 0 (draining: 2 active, 1 inactive connections)",
            "remove destination UDP 10.96.0.10:53 -> 10.244.1.7:53 (no graceful termination for UDP)",
        ], Lines(plan));

        // Next sync: still connections at weight 0 -> nothing, reported as draining.
        var drainingNow = With(actual, Vs(tcp, "rr", 0, 0, "255.255.255.255", Dest(tcp, IP("10.244.0.5"), 53), Dest(tcp, IP("10.244.1.7"), 53, weight: 0, active: 1)));
        drainingNow = With(drainingNow, Vs(udp, "rr", 0, 0, "255.255.255.255", Dest(udp, IP("10.244.0.5"), 53)));
        var second = KubeIpvsPlanner.Plan(after, drainingNow, NodeOptions);
        Assert.Empty(Lines(second));
        Assert.Equal("TCP 10.96.0.10:53 -> 10.244.1.7:53 (1 active, 0 inactive)", Assert.Single(second.Draining).ToString());

        // Connections gone -> removed.
        var drained = With(drainingNow, Vs(tcp, "rr", 0, 0, "255.255.255.255", Dest(tcp, IP("10.244.0.5"), 53), Dest(tcp, IP("10.244.1.7"), 53, weight: 0)));
        Assert.Equal(["remove destination TCP 10.96.0.10:53 -> 10.244.1.7:53"], Lines(KubeIpvsPlanner.Plan(after, drained, NodeOptions)));

        // The endpoint comes back while draining -> deleted and added anew (two writes).
        var back = KubeIpvsPlanner.Plan(before, drainingNow, NodeOptions);
        Assert.Equal(
        [
            "remove destination TCP 10.96.0.10:53 -> 10.244.1.7:53 (endpoint is back while draining)",
            "add destination TCP 10.96.0.10:53 -> 10.244.1.7:53 masq weight 1 (endpoint is back while draining)",
            "add destination UDP 10.96.0.10:53 -> 10.244.1.7:53 masq weight 1",
        ], Lines(back));
    }

    [Fact]
    public void DriftIsResetAndStaleStateRemovedAddressesLast()
    {
        var desired = Cluster(TwoDns);
        var tcp = Key(IpvsProtocol.Tcp, "10.96.0.10", 53);
        var stale = Key(IpvsProtocol.Tcp, "10.96.0.99", 80);         // on kube-ipvs0: the cluster's
        var staleNodePort = Key(IpvsProtocol.Tcp, "172.18.0.3", 31000); // node address, NodePort range
        var nodeOther = Key(IpvsProtocol.Tcp, "172.18.0.3", 8080);      // node address, not a NodePort: foreign
        var excluded = Key(IpvsProtocol.Tcp, "10.96.0.98", 80);         // on kube-ipvs0 but excluded
        var applied = Applied(desired,
            Vs(stale, "rr", 0, 0, "255.255.255.255"), Vs(staleNodePort, "rr", 0, 0, "255.255.255.255"),
            Vs(nodeOther, "rr", 0, 0, "255.255.255.255"), Vs(excluded, "rr", 0, 0, "255.255.255.255"));
        applied = With(applied, Vs(tcp, "wrr", 0x1, 60, "255.255.255.255", Dest(tcp, IP("10.244.0.5"), 53, weight: 5), Dest(tcp, IP("10.244.1.7"), 53, forwarding: IpvsForwardingMethod.Route)));
        var sets = applied.Ipsets.Where(s => s.Name != "KUBE-NODE-PORT-UDP")
            .Select(s => s.Name == "KUBE-CLUSTER-IP" ? new KubeActualIpset(s.Name, s.Type, [.. s.Members, "10.96.0.99,tcp:80"]) : s)
            .Select(s => s.Name == "KUBE-IPVS-IPS" ? new KubeActualIpset(s.Name, "hash:net", s.Members) : s).ToList();
        var actual = new KubeNodeActualState(applied.Services, sets, true, [.. applied.DummyAddresses, IP("10.96.0.99"), IP("10.96.0.98")]);
        var options = new KubeProxyOptions { NodeName = Node, NodeAddresses = [IP("172.18.0.3")], ExcludeCidrs = [IpNetwork.Parse("10.96.0.98/32")] };
        var plan = KubeIpvsPlanner.Plan(desired, actual, options);
        Assert.Equal(
        [
            "create ipset KUBE-NODE-PORT-UDP bitmap:port range 0-65535",
            "destroy ipset KUBE-IPVS-IPS (it is hash:net, kube-proxy's is hash:ip)",
            "create ipset KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536",
            "add 10.96.0.10 to ipset KUBE-IPVS-IPS",
            "add 10.96.0.20 to ipset KUBE-IPVS-IPS",
            "add 192.0.2.50 to ipset KUBE-IPVS-IPS",
            "update virtual server TCP 10.96.0.10:53 rr (scheduler was wrr, flags were 0x1, timeout was 60)",
            "set destination TCP 10.96.0.10:53 -> 10.244.0.5:53 masq weight 1 (was Masquerade weight 5)",
            "set destination TCP 10.96.0.10:53 -> 10.244.1.7:53 masq weight 1 (was Route weight 1)",
            "remove 10.96.0.99,tcp:80 from ipset KUBE-CLUSTER-IP",
            "remove virtual server TCP 172.18.0.3:31000", // ipvsadm's (wrapping) order
            "remove virtual server TCP 10.96.0.99:80",
            "remove address 10.96.0.99/32 from kube-ipvs0",
        ], Lines(plan));
        Assert.Equal([nodeOther, excluded], plan.Foreign);

        var all = KubeIpvsPlanner.Plan(desired, actual, options, includeForeign: true);
        Assert.Contains("remove virtual server TCP 172.18.0.3:8080 (foreign)", Lines(all));
        Assert.DoesNotContain(Lines(all), l => l.Contains("10.96.0.98"));
    }

    [Fact]
    public void IptablesDriftRestoresTheFamilysChainsOnceAndReinsertsMissingJumps()
    {
        var desired = Cluster(TwoDns);
        var applied = Applied(desired);
        var tampered = Saved(desired.Iptables[0], l =>
            l.StartsWith("-A OUTPUT -m comment --comment \"kubernetes service portals\"", StringComparison.Ordinal) ? null
            : l == "-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN" ? "-A KUBE-SERVICES -s 127.0.0.0/8 -j ACCEPT" : l);
        tampered = new IptablesRuleset(tampered.Family, tampered.Backend, null, tampered.Tables, tampered.Chains.Where(c => !(c.Table == "filter" && c.Name == "KUBE-IPVS-OUT-FILTER")).ToList(), tampered.Rules, [], null);
        var actual = new KubeNodeActualState(applied.Services, applied.Ipsets, true, applied.DummyAddresses, [tampered]);
        Assert.Equal(
        [
            "restore iptables chains nat/KUBE-SERVICES filter/KUBE-IPVS-OUT-FILTER",
            "insert iptables -t nat -I OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        ], Lines(KubeIpvsPlanner.Plan(desired, actual, NodeOptions)));

        // Not read: iptables is left out of the plan.
        var unread = new KubeNodeActualState(applied.Services, applied.Ipsets, true, applied.DummyAddresses, null);
        Assert.Empty(Lines(KubeIpvsPlanner.Plan(desired, unread, NodeOptions)));
    }

    [Fact]
    public void DualStackPlansBothFamilies()
    {
        var svc = new KubeService { Namespace = "ns", Name = "d", ClusterIPs = [IP("10.96.0.90"), IP("fd00:10:96::90")], Ports = [Port("", IpvsProtocol.Tcp, 80)] };
        var desired = Build(Options("172.18.0.3", "fd00:18::3"), [svc],
            [Slice("d", "d6", KubeAddressType.IPv6, [EPort("", IpvsProtocol.Tcp, 8080)], Endpoint("fd00:244::1"))]);
        var lines = Lines(KubeIpvsPlanner.Plan(desired, KubeNodeActualState.Empty, NodeOptions));
        Assert.Contains("add address fd00:10:96::90/128 to kube-ipvs0", lines);
        Assert.Contains("create ipset KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536", lines);
        Assert.Contains("add fd00:10:96::90,tcp:80 to ipset KUBE-6-CLUSTER-IP", lines);
        Assert.Contains("add virtual server TCP [fd00:10:96::90]:80 rr", lines);
        Assert.Contains("add destination TCP [fd00:10:96::90]:80 -> [fd00:244::1]:8080 masq weight 1", lines);
        Assert.Contains("add virtual server TCP 10.96.0.90:80 rr", lines);
        Assert.True(lines.ToList().IndexOf("add address fd00:10:96::90/128 to kube-ipvs0") < lines.ToList().IndexOf("add virtual server TCP 10.96.0.90:80 rr"));
    }

    [Fact]
    public void AffinityAndMhArePrinted()
    {
        var svc = new KubeService { Namespace = "ns", Name = "s", ClusterIPs = [IP("10.96.0.50")], Ports = [Port("", IpvsProtocol.Tcp, 80)], SessionAffinity = KubeSessionAffinity.ClientIP, SessionAffinityTimeoutSeconds = 600 };
        var desired = KubeProxyState.Build(new ClusterSnapshot([svc], []), new KubeProxyOptions { Scheduler = "mh" });
        Assert.Contains("add virtual server TCP 10.96.0.50:80 mh persistent 600 (mh-port)", Lines(KubeIpvsPlanner.Plan(desired, KubeNodeActualState.Empty, new KubeProxyOptions())));
    }
}
