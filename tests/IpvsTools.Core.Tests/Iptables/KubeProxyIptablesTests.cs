using Xunit;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Iptables;

public class KubeProxyIptablesTests
{
    /// <summary>What iptables-save prints after kube-proxy's sync of a node with ClusterIPs and a TCP NodePort.</summary>
    private static IptablesRuleset Node(Func<string, bool>? keep = null, IptablesFamily family = IptablesFamily.IPv4)
    {
        var lines = Saved(family).Split('\n').Where(l => keep?.Invoke(l) ?? true);
        return IptablesSaveParser.Parse(string.Join('\n', lines), family, IptablesBackend.NfTables);
    }

    private static string Saved(IptablesFamily family)
    {
        string S(string n) => KubeProxyIptables.SetName(n, family);
        var lo = family == IptablesFamily.IPv6 ? "::1/128" : "127.0.0.0/8";
        var reject = family == IptablesFamily.IPv6 ? "icmp6-port-unreachable" : "icmp-port-unreachable";
        return $"""
            *filter
            :INPUT ACCEPT [0:0]
            :FORWARD ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :KUBE-FORWARD - [0:0]
            :KUBE-IPVS-FILTER - [0:0]
            :KUBE-IPVS-OUT-FILTER - [0:0]
            :KUBE-NODE-PORT - [0:0]
            :KUBE-PROXY-FIREWALL - [0:0]
            :KUBE-SOURCE-RANGES-FIREWALL - [0:0]
            -A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER
            -A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
            -A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT
            -A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
            -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
            -A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
            -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
            -A KUBE-IPVS-FILTER -m set --match-set {S("KUBE-LOAD-BALANCER")} dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set {S("KUBE-CLUSTER-IP")} dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set {S("KUBE-EXTERNAL-IP")} dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set {S("KUBE-EXTERNAL-IP-LOCAL")} dst,dst -j RETURN
            -A KUBE-IPVS-FILTER -m set --match-set {S("KUBE-HEALTH-CHECK-NODE-PORT")} dst -j RETURN
            -A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set {S("KUBE-IPVS-IPS")} dst -j REJECT --reject-with {reject}
            -A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set {S("KUBE-HEALTH-CHECK-NODE-PORT")} dst -j ACCEPT
            -A KUBE-SOURCE-RANGES-FIREWALL -j DROP
            COMMIT
            *nat
            :PREROUTING ACCEPT [0:0]
            :INPUT ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :KUBE-LOAD-BALANCER - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-NODE-PORT - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-SERVICES - [0:0]
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
            -A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
            -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
            -A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set {S("KUBE-NODE-PORT-TCP")} dst -j KUBE-MARK-MASQ
            -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
            -A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
            -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
            -A KUBE-SERVICES -s {lo} -j RETURN
            -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set {S("KUBE-CLUSTER-IP")} src,dst -j KUBE-MARK-MASQ
            -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
            -A KUBE-SERVICES -m set --match-set {S("KUBE-CLUSTER-IP")} dst,dst -j ACCEPT
            COMMIT

            """;
    }

    private static readonly string[] NonEmpty = ["KUBE-CLUSTER-IP", "KUBE-NODE-PORT-TCP", "KUBE-IPVS-IPS"];

    [Fact]
    public void TheModelHasKubeProxysElevenChainsAndNineJumps()
    {
        var expected = KubeProxyIptables.Expected(IptablesFamily.IPv4);
        Assert.Equal(11, expected.Count(e => e.Kind == KubeIptablesCheckKind.Chain));
        Assert.Equal(9, expected.Count(e => e.Kind == KubeIptablesCheckKind.Jump));
        Assert.Equal(["filter", "nat"], expected.Where(e => e.Kind == KubeIptablesCheckKind.Chain && e.Chain == "KUBE-NODE-PORT").Select(e => e.Table).Order());
        Assert.Contains(expected, e => e.ToString() == "nat KUBE-MARK-MASQ: -j MARK --set-xmark 0x4000/0x4000");
        Assert.Contains(KubeProxyIptables.Expected(IptablesFamily.IPv4, 15), e => e.ToString() == "nat KUBE-MARK-MASQ: -j MARK --set-xmark 0x8000/0x8000");
        Assert.Equal(FailureKind.InvalidArgument, Assert.Throws<IpvsToolsException>(() => KubeProxyIptables.Expected(IptablesFamily.IPv4, 32)).Kind);
    }

    public static TheoryData<IptablesFamily, bool, bool, bool> WriterCases => new()
    {
        { IptablesFamily.IPv4, false, false, true },
        { IptablesFamily.IPv4, true, false, true },
        { IptablesFamily.IPv4, true, true, false },
        { IptablesFamily.IPv6, false, false, true },
        { IptablesFamily.IPv6, true, true, true },
    };

    [Theory]
    [MemberData(nameof(WriterCases))]
    public void TheModelWritesWhatKubeProxyWrites(IptablesFamily family, bool everySetHasMembers, bool masqueradeAll, bool randomFully)
    {
        // The one model, as Sync writes it, against kube-proxy's restore input built line for line as
        // proxier.go builds it (KubeProxyRestoreText): same rules, same order, same jumps.
        var addressFamily = family == IptablesFamily.IPv6 ? System.Net.Sockets.AddressFamily.InterNetworkV6 : System.Net.Sockets.AddressFamily.InterNetwork;
        var withMembers = everySetHasMembers ? KubeIpsetDefinition.All.Select(d => d.Name).ToHashSet() : ["KUBE-CLUSTER-IP", "KUBE-NODE-PORT-TCP", "KUBE-IPVS-IPS"];
        var sets = KubeIpsetDefinition.All.Select(d => new KubeDesiredIpset(KubeIpsetDefinition.NameFor(d.Name, addressFamily), d.Type, addressFamily, d.Comment,
            withMembers.Contains(d.Name) ? ["member"] : [])).ToList();
        var options = new IpvsTools.KubeProxy.KubeProxyOptions { MasqueradeAll = masqueradeAll, RandomFully = randomFully };
        var written = KubeIptablesRuleBuilder.Build(addressFamily, sets, [], options);
        var nonEmpty = withMembers.Select(n => KubeProxyIptables.SetName(n, family)).ToHashSet();
        Assert.Equal(KubeProxyRestoreText.Build(family, nonEmpty, masqueradeAll, randomFully), written.RestoreInput());
        Assert.Equal(KubeProxyRestoreText.Jumps.Select(j => $"-A {j.From} -m comment --comment \"{j.Comment}\" -j {j.To}"), written.Jumps.Select(j => j.ToString()));
        Assert.Equal(KubeProxyRestoreText.Jumps.Select(j => j.Table), written.Jumps.Select(j => j.Table));
    }

    [Fact]
    public void ACompleteNodeHasNothingMissing()
    {
        var checks = KubeProxyIptables.Check(Node(), NonEmpty);
        Assert.Empty(checks.Where(c => c.IsCompliant != true).Select(c => c.ToString()));
        Assert.Equal(KubeProxyIptables.Expected(IptablesFamily.IPv4).Count, checks.Count);
        var masq = checks.Single(c => c.ConditionSet == "KUBE-CLUSTER-IP" && c.Rule!.Contains("KUBE-MARK-MASQ"));
        Assert.Equal(KubeIptablesCheckStatus.Present, masq.Status);
        Assert.Equal(2, masq.Position);
        Assert.Equal(["KUBE-CLUSTER-IP"], masq.Sets);
        var lb = checks.Single(c => c.ConditionSet == "KUBE-LOAD-BALANCER" && c.Chain == "KUBE-SERVICES" && c.Rule!.Contains("-j KUBE-LOAD-BALANCER"));
        Assert.Equal(KubeIptablesCheckStatus.NotRequired, lb.Status);
        Assert.Null(lb.Position);
    }

    [Fact]
    public void AMissingJumpChainOrRuleIsNamed()
    {
        var checks = KubeProxyIptables.Check(Node(l => !l.StartsWith("-A PREROUTING") && !l.Contains("KUBE-IPVS-OUT-FILTER") && !l.Contains("--xor-mark") && !l.Contains("set-xmark 0x4000/0x0")), NonEmpty);
        Assert.Equal(
        [
            "Missing filter KUBE-IPVS-OUT-FILTER",
            "Missing filter OUTPUT: -m comment --comment \"kubernetes ipvs access filter\" -j KUBE-IPVS-OUT-FILTER",
            "Missing nat KUBE-POSTROUTING: -j MARK --set-xmark 0x4000/0x0",
            "Missing nat PREROUTING: -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
        ], checks.Where(c => c.Status == KubeIptablesCheckStatus.Missing).Select(c => c.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SetConditionsDecideMissingStaleAndUnknown()
    {
        // The NodePort set is empty now: its rule should have gone.
        var stale = KubeProxyIptables.Check(Node(), ["KUBE-CLUSTER-IP"]);
        Assert.Equal("KUBE-NODE-PORT-TCP", stale.Single(c => c.Status == KubeIptablesCheckStatus.Stale).ConditionSet);
        // The LoopBack set has members but no rule masquerades hairpin traffic.
        var missing = KubeProxyIptables.Check(Node(), [.. NonEmpty, "KUBE-LOOP-BACK"]);
        var hairpin = missing.Single(c => c.Status == KubeIptablesCheckStatus.Missing);
        Assert.Equal("KUBE-POSTROUTING", hairpin.Chain);
        Assert.Equal("-m comment --comment \"Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose\" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE", hairpin.Rule);
        Assert.False(hairpin.IsCompliant);
        // Without knowing the sets, absent conditional rules are Unknown, never Missing.
        var unknown = KubeProxyIptables.Check(Node(), null);
        Assert.DoesNotContain(unknown, c => c.Status is KubeIptablesCheckStatus.Missing or KubeIptablesCheckStatus.Stale);
        Assert.Contains(unknown, c => c.Status == KubeIptablesCheckStatus.Unknown && c.IsCompliant is null);
    }

    [Fact]
    public void ClusterIpMasqueradingCountsInEveryFormKubeProxyWrites()
    {
        // masqueradeAll: "dst,dst".
        var all = Saved(IptablesFamily.IPv4).Replace("KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ", "KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ");
        Assert.Empty(KubeProxyIptables.Check(IptablesSaveParser.Parse(all, IptablesFamily.IPv4), NonEmpty).Where(c => c.Status == KubeIptablesCheckStatus.Missing).Select(c => c.ToString()));
        // The local-traffic detector adds a negated source (iptables-save prints it before the matches).
        var detector = Saved(IptablesFamily.IPv4).Replace("-A KUBE-SERVICES -m comment --comment \"Kubernetes service cluster ip + port for masquerade purpose\" -m set --match-set KUBE-CLUSTER-IP src,dst",
            "-A KUBE-SERVICES ! -s 10.244.0.0/16 -m comment --comment \"Kubernetes service cluster ip + port for masquerade purpose\" -m set --match-set KUBE-CLUSTER-IP dst,dst");
        var result = KubeProxyIptables.Check(IptablesSaveParser.Parse(detector, IptablesFamily.IPv4), NonEmpty);
        Assert.Equal(KubeIptablesCheckStatus.Present, result.Single(c => c.ConditionSet == "KUBE-CLUSTER-IP" && c.Rule!.Contains("KUBE-MARK-MASQ")).Status);
    }

    [Fact]
    public void MatchOrderDoesNotMatter()
    {
        var moved = Saved(IptablesFamily.IPv4).Replace("-m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000", "-m mark --mark 0x4000/0x4000 -m comment --comment \"kubernetes forwarding rules\"");
        Assert.DoesNotContain(KubeProxyIptables.Check(IptablesSaveParser.Parse(moved, IptablesFamily.IPv4), NonEmpty), c => c.Status == KubeIptablesCheckStatus.Missing);
    }

    [Fact]
    public void IPv6UsesItsSetNamesLoopbackAndReject()
    {
        Assert.Equal("KUBE-6-LOAD-BALANCER-SOURCE-CID", KubeProxyIptables.SetName("KUBE-LOAD-BALANCER-SOURCE-CIDR", IptablesFamily.IPv6));
        Assert.Equal("KUBE-6-NODE-PORT-LOCAL-SCTP-HAS", KubeProxyIptables.SetName("KUBE-NODE-PORT-LOCAL-SCTP-HASH", IptablesFamily.IPv6));
        Assert.Equal("KUBE-6-CLUSTER-IP", KubeProxyIptables.SetName("KUBE-CLUSTER-IP", IptablesFamily.IPv6));
        Assert.Equal("KUBE-CLUSTER-IP", KubeProxyIptables.SetName("KUBE-CLUSTER-IP", IptablesFamily.IPv4));
        string[] nonEmpty = ["KUBE-6-CLUSTER-IP", "KUBE-6-NODE-PORT-TCP"];
        var checks = KubeProxyIptables.Check(Node(family: IptablesFamily.IPv6), nonEmpty);
        Assert.Empty(checks.Where(c => c.IsCompliant != true).Select(c => c.ToString()));
        Assert.Contains(checks, c => c.Rule == "-s ::1/128 -j RETURN" && c.Status == KubeIptablesCheckStatus.Present);
        // The IPv4 rules read as IPv6 miss their IPv6 forms.
        var wrong = KubeProxyIptables.Check(IptablesSaveParser.Parse(Saved(IptablesFamily.IPv4), IptablesFamily.IPv6), nonEmpty);
        Assert.Contains(wrong, c => c.Rule == "-s ::1/128 -j RETURN" && c.Status == KubeIptablesCheckStatus.Missing);
    }
}
