using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Iptables;

/// <summary>
/// The iptables client against the host kernel, each test in its own namespace, cross-checked with
/// iptables-save / iptables-restore of the same backend: rules made by the tools and read by the
/// module, and rules written by the module and read back by the tools.
/// </summary>
[Trait("Tier", "Host")]
public class IptablesClientHostTests
{
    public static TheoryData<IptablesBackend> Backends => new() { IptablesBackend.NfTables, IptablesBackend.Legacy };

    [Theory]
    [MemberData(nameof(Backends))]
    public void RulesMadeByIptablesRestoreReadExactlyAsIptablesSavePrintsThem(IptablesBackend backend)
    {
        using var ns = NewNamespaceWithSets();
        ToolRestore(ns, backend, KubeProxyIptablesSample.Rules);
        var client = IptablesClient.Open(IptablesFamily.IPv4, backend, NetworkNamespace.Resolve(ns.Name));
        var set = client.Read();
        Assert.Equal(backend, set.Backend);
        var saved = ns.Exec(Tool(backend, "-save"), "-c");
        Assert.Equal(RuleLines(saved), set.Rules.Select(r => $"[{r.Packets}:{r.Bytes}] {r}"));
        Assert.Equal(ChainLines(saved), set.Chains.Select(c => c.ToString()));
        Assert.Equal(ns.Name, set.Rules[0].NetworkNamespace);

        // Every rule's table, chain and position agree with `iptables -S CHAIN` of the same backend.
        foreach (var group in set.Rules.GroupBy(r => (r.Table, r.Chain)))
        {
            var listed = ns.Exec(Tool(backend, ""), "-w", "-t", group.Key.Table, "-S", group.Key.Chain).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(l => l.StartsWith("-A ")).ToList();
            Assert.Equal(listed, group.OrderBy(r => r.Position).Select(r => r.ToString()));
        }
        // The references to sets are the sets the kernel counts as referenced.
        var referenced = set.Rules.SelectMany(r => r.ReferencedSets).Select(s => s.Name).Distinct().Order().ToList();
        Assert.Equal(KubeProxyIptablesSample.Sets.Select(s => s[0]).Order().ToList(), referenced);
        foreach (var name in referenced)
            Assert.Contains("References: " + set.RulesReferencingSet(name).Count(), ns.Exec("ipset", "list", "-t", name));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void RulesWrittenByTheModuleReadBackThroughIptablesSave(IptablesBackend backend)
    {
        using var ns = NewNamespaceWithSets();
        var client = IptablesClient.Open(IptablesFamily.IPv4, backend, NetworkNamespace.Resolve(ns.Name));
        var builder = new IptablesRestoreBuilder()
            .DeclareChain("nat", "KUBE-SERVICES")
            .DeclareChain("nat", "KUBE-MARK-MASQ")
            .AppendRule("nat", "KUBE-SERVICES", ["-s", "127.0.0.0/8", "-j", "RETURN"])
            .AppendRule("nat", "KUBE-SERVICES", ["-m", "comment", "--comment", "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
                "-m", "set", "--match-set", "KUBE-CLUSTER-IP", "dst,dst", "-j", "KUBE-MARK-MASQ"])
            .AppendRule("nat", "KUBE-SERVICES", ["-m", "comment", "--comment", "say \"hi\" \\ there", "-j", "ACCEPT"], 42, 4200)
            .AppendRule("nat", "KUBE-MARK-MASQ", ["-j", "MARK", "--or-mark", "0x4000"])
            .DeclareChain("filter", "KUBE-FORWARD")
            .AppendRule("filter", "KUBE-FORWARD", ["-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"]);
        client.Restore(builder.ToString(), counters: true);
        var saved = ns.Exec(Tool(backend, "-save"), "-c");
        string[] expected =
        [
            "[0:0] -A KUBE-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
            "[0:0] -A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000",
            "[0:0] -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN",
            "[0:0] -A KUBE-SERVICES -m comment --comment \"Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type \\'hash ip:port\\'\" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ",
            "[42:4200] -A KUBE-SERVICES -m comment --comment \"say \\\"hi\\\" \\\\ there\" -j ACCEPT",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), RuleLines(saved).Order(StringComparer.Ordinal));
        var read = client.Read();
        Assert.Equal("say \"hi\" \\ there", read.Rules.Single(r => r.Packets == 42).Comment);

        // A second restore with the chain declared again replaces its rules (kube-proxy's sync), other chains stay.
        client.Restore(new IptablesRestoreBuilder().DeclareChain("nat", "KUBE-SERVICES").AppendRule("nat", "KUBE-SERVICES", ["-j", "RETURN"]).ToString());
        var after = RuleLines(ns.Exec(Tool(backend, "-save")));
        Assert.Equal(["-A KUBE-FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", "-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000", "-A KUBE-SERVICES -j RETURN"],
            after.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void ARefusedRestoreNamesTheLineAndChangesNothing(IptablesBackend backend)
    {
        using var ns = NewNamespaceWithSets();
        ToolRestore(ns, backend, KubeProxyIptablesSample.Rules);
        var client = IptablesClient.Open(IptablesFamily.IPv4, backend, NetworkNamespace.Resolve(ns.Name));
        var before = ns.Exec(Tool(backend, "-save"), "-c");
        var builder = new IptablesRestoreBuilder()
            .DeclareChain("nat", "KUBE-SERVICES")
            .AppendRule("nat", "KUBE-SERVICES", ["-j", "RETURN"])
            .AppendRule("nat", "KUBE-SERVICES", ["-m", "set", "--match-set", "KUBE-NO-SUCH-SET", "dst", "-j", "ACCEPT"]);
        var error = Assert.Throws<IptablesToolException>(() => client.Restore(builder.ToString()));
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Equal(4, error.Line);
        Assert.Contains("KUBE-NO-SUCH-SET", error.Message);
        Assert.Contains(ns.Name, error.Message);
        Assert.Equal(StripDates(before), StripDates(ns.Exec(Tool(backend, "-save"), "-c")));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void EnsureRuleInsertsAJumpOnceAndDeleteRuleRemovesIt(IptablesBackend backend)
    {
        using var ns = NewNamespaceWithSets();
        ToolRestore(ns, backend, "*nat\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -j RETURN\nCOMMIT\n");
        var client = IptablesClient.Open(IptablesFamily.IPv4, backend, NetworkNamespace.Resolve(ns.Name));
        string[] jump = ["-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES"];
        Assert.False(client.Exists("nat", "PREROUTING", jump));
        Assert.True(client.EnsureRule("nat", "PREROUTING", jump));
        Assert.False(client.EnsureRule("nat", "PREROUTING", jump));
        Assert.True(client.Exists("nat", "PREROUTING", jump));
        var prerouting = ns.Exec(Tool(backend, ""), "-w", "-t", "nat", "-S", "PREROUTING").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["-P PREROUTING ACCEPT", "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES", "-A PREROUTING -j RETURN"], prerouting);
        var rule = client.Read().RulesOf("nat", "PREROUTING").First();
        Assert.Equal(1, rule.Position);
        Assert.Equal("KUBE-SERVICES", rule.Target);
        Assert.True(client.DeleteRule("nat", "PREROUTING", jump));
        Assert.False(client.DeleteRule("nat", "PREROUTING", jump));
        Assert.Equal(["-A PREROUTING -j RETURN"], RuleLines(ns.Exec(Tool(backend, "-save"), "-t", "nat")));

        // A jump to a chain that does not exist is an error of its own, not "no such rule".
        var error = Assert.Throws<IptablesToolException>(() => client.EnsureRule("nat", "OUTPUT", ["-j", "KUBE-NOWHERE"]));
        Assert.Equal(FailureKind.NotFound, error.Kind);
    }

    [Fact]
    public void TheDefaultToolsReportTheBackendIptablesVersionNames()
    {
        var client = IptablesClient.Open();
        var version = Testing.Tool.Run("iptables", "--version");
        Assert.Equal(version.Contains("(nf_tables)") ? IptablesBackend.NfTables : IptablesBackend.Legacy, client.Backend);
        Assert.Contains("v" + client.ToolVersion + " ", version);
        Assert.Equal(IptablesBackend.Legacy, IptablesClient.Open(IptablesFamily.IPv4, IptablesBackend.Legacy).Backend);
    }

    [Fact]
    public void LegacyTablesNextToNftRulesAreReported()
    {
        using var ns = new TestNamespace();
        var space = NetworkNamespace.Resolve(ns.Name);
        ToolRestore(ns, IptablesBackend.NfTables, "*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n");
        Assert.False(IptablesClient.Open(IptablesFamily.IPv4, IptablesBackend.NfTables, space).Read().LegacyTablesPresent);
        ToolRestore(ns, IptablesBackend.Legacy, "*nat\n:KUBE-SERVICES - [0:0]\nCOMMIT\n");
        var set = IptablesClient.Open(IptablesFamily.IPv4, IptablesBackend.NfTables, space).Read();
        Assert.True(set.LegacyTablesPresent);
        Assert.Contains("iptables-legacy tables present", Assert.Single(set.Warnings));
        // Reading never creates a table: the legacy tool still lists only nat.
        IptablesClient.Open(IptablesFamily.IPv4, IptablesBackend.Legacy, space).Read();
        Assert.Equal(["nat"], ns.Exec("iptables-legacy-save").Split('\n').Where(l => l.StartsWith('*')).Select(l => l[1..]));
    }

    [Theory]
    [MemberData(nameof(Backends))]
    public void Ip6tablesRulesReadToo(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        ns.Exec("ipset", "create", "KUBE-6-CLUSTER-IP", "hash:ip,port", "family", "inet6");
        var rules = """
            *nat
            :KUBE-SERVICES - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            -A KUBE-SERVICES -s ::1/128 -j RETURN
            -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-6-CLUSTER-IP src,dst -j KUBE-MARK-MASQ
            -A KUBE-SERVICES ! -d fd00:10:96::/112 -j RETURN
            COMMIT
            *filter
            :KUBE-IPVS-FILTER - [0:0]
            -A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -j REJECT
            COMMIT

            """;
        var path = Path.GetTempFileName();
        File.WriteAllText(path, rules);
        try { ns.Exec(backend == IptablesBackend.Legacy ? "ip6tables-legacy-restore" : "ip6tables-nft-restore", "-w", "--noflush", path); } finally { File.Delete(path); }
        var set = IptablesClient.Open(IptablesFamily.IPv6, backend, NetworkNamespace.Resolve(ns.Name)).Read();
        Assert.Equal(IptablesFamily.IPv6, set.Family);
        Assert.Equal(RuleLines(ns.Exec(backend == IptablesBackend.Legacy ? "ip6tables-legacy-save" : "ip6tables-nft-save")), set.Rules.Select(r => r.ToString()));
        Assert.Equal("::1/128", set.RulesOf("nat", "KUBE-SERVICES").First().Source);
        Assert.Equal("!fd00:10:96::/112", set.RulesOf("nat", "KUBE-SERVICES").Last().Destination);
        Assert.Equal("icmp6-port-unreachable", set.RulesOf("filter", "KUBE-IPVS-FILTER").Single().TargetOptions[0].Value);
        Assert.Equal("KUBE-6-CLUSTER-IP", set.Rules.SelectMany(r => r.ReferencedSets).Single().Name);
    }

    internal static TestNamespace NewNamespaceWithSets()
    {
        var ns = new TestNamespace();
        try
        {
            foreach (var s in KubeProxyIptablesSample.Sets)
            {
                if (s[1] == "bitmap:port") ns.Exec("ipset", "create", s[0], s[1], "range", "0-65535");
                else ns.Exec("ipset", "create", s[0], s[1]);
            }
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        return ns;
    }

    internal static string Tool(IptablesBackend backend, string suffix) => (backend == IptablesBackend.Legacy ? "iptables-legacy" : "iptables-nft") + suffix;

    internal static void ToolRestore(TestNamespace ns, IptablesBackend backend, string rules)
    {
        var path = Path.GetTempFileName();
        File.WriteAllText(path, rules);
        try { ns.Exec(Tool(backend, "-restore"), "-w", "--noflush", path); } finally { File.Delete(path); }
    }

    internal static List<string> RuleLines(string saved)
        => saved.Split('\n').Where(l => l.StartsWith("-A ") || l.StartsWith('[')).ToList();

    private static List<string> ChainLines(string saved) => saved.Split('\n').Where(l => l.StartsWith(':')).ToList();

    private static string StripDates(string saved) => string.Join('\n', saved.Split('\n').Where(l => !l.StartsWith('#')));
}
