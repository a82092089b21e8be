using Xunit;
using IpvsTools.Iptables;

namespace IpvsTools.Tests.Iptables;

public class IptablesSaveParserTests
{
    [Fact]
    public void ReadsTablesChainsPoliciesAndCounters()
    {
        var set = IptablesSaveParser.Parse(IptablesSamples.NftWithCounters, IptablesFamily.IPv4);
        Assert.Equal(IptablesBackend.NfTables, set.Backend);
        Assert.Equal("1.8.9", set.ToolVersion);
        Assert.Equal(["filter", "nat"], set.Tables);
        Assert.Equal(14, set.Chains.Count);
        var input = set.FindChain("filter", "INPUT")!;
        Assert.Equal("DROP", input.Policy);
        Assert.True(input.IsBuiltIn);
        Assert.Equal(12ul, input.Packets);
        Assert.Equal(3456ul, input.Bytes);
        Assert.Equal(":INPUT DROP [12:3456]", input.ToString());
        var services = set.FindChain("nat", "KUBE-SERVICES")!;
        Assert.Null(services.Policy);
        Assert.False(services.IsBuiltIn);
        Assert.Equal(4, services.RuleCount);
        Assert.Equal(21, set.Rules.Count);
        var first = set.RulesOf("nat", "KUBE-SERVICES").First();
        Assert.Equal(1, first.Position);
        Assert.Equal(18446744073709551615ul, first.Packets);
        Assert.Equal(123456789012ul, first.Bytes);
        Assert.Equal("127.0.0.0/8", first.Source);
        Assert.Equal("RETURN", first.Target);
        Assert.Equal([1, 2, 3, 4], set.RulesOf("nat", "KUBE-SERVICES").Select(r => r.Position));
    }

    [Theory]
    [InlineData(nameof(IptablesSamples.NftWithCounters))]
    [InlineData(nameof(IptablesSamples.LegacyOddForms))]
    public void EveryRulePrintsBackExactlyAsIptablesSaveDid(string sample)
    {
        var text = sample == nameof(IptablesSamples.NftWithCounters) ? IptablesSamples.NftWithCounters : IptablesSamples.LegacyOddForms;
        var expected = text.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("-A ") || l.StartsWith('['))
            .Select(l => l.StartsWith('[') ? l.Substring(l.IndexOf(']') + 2) : l).ToList();
        var rules = IptablesSaveParser.Parse(text, IptablesFamily.IPv4).Rules.Select(r => r.ToString()).ToList();
        Assert.Equal(expected, rules);
    }

    [Fact]
    public void MatchesOptionsAndNegationsAreTakenApart()
    {
        var set = IptablesSaveParser.Parse(IptablesSamples.NftWithCounters, IptablesFamily.IPv4);
        var drop = set.RulesOf("filter", "KUBE-IPVS-FILTER").Last();
        Assert.Equal("!10.0.0.0/8", drop.Source);
        Assert.Equal("!eth0", drop.InInterface);
        Assert.Equal("udp", drop.Protocol);
        var udp = Assert.Single(drop.Matches);
        Assert.Equal("udp", udp.Module);
        var dport = Assert.Single(udp.Options);
        Assert.Equal("--dport", dport.Name);
        Assert.True(dport.IsNegated);
        Assert.Equal(["53"], dport.Values);
        Assert.Equal("DROP", drop.Target);

        var postrouting = set.RulesOf("nat", "KUBE-POSTROUTING").ToList();
        var unmarked = postrouting[1];
        Assert.True(unmarked.MatchOption("mark", "--mark")!.IsNegated);
        Assert.Equal("0x4000/0x4000", unmarked.MatchOption("mark", "--mark")!.Value);
        Assert.Equal("MARK", postrouting[2].Target);
        Assert.Equal("--set-xmark 0x4000/0x0", Assert.Single(postrouting[2].TargetOptions).ToString());
        var masquerade = postrouting[3];
        Assert.Equal("kubernetes service traffic requiring SNAT", masquerade.Comment);
        Assert.Equal("--random-fully", Assert.Single(masquerade.TargetOptions).Name);
        Assert.Empty(masquerade.TargetOptions[0].Values);

        var local = set.RulesOf("nat", "KUBE-SERVICES").ElementAt(2);
        Assert.Equal("LOCAL", local.MatchOption("addrtype", "--dst-type")!.Value);
        Assert.Equal("KUBE-NODE-PORT", local.Target);
    }

    [Fact]
    public void SetReferencesCarryNameFlagsAndNegation()
    {
        var set = IptablesSaveParser.Parse(IptablesSamples.NftWithCounters, IptablesFamily.IPv4);
        var masq = set.RulesOf("nat", "KUBE-SERVICES").ElementAt(1);
        var reference = Assert.Single(masq.ReferencedSets);
        Assert.Equal("KUBE-CLUSTER-IP", reference.Name);
        Assert.Equal("src,dst", reference.Flags);
        Assert.False(reference.IsNegated);
        Assert.Equal("Kubernetes service cluster ip + port for masquerade purpose", masq.Comment);
        Assert.Equal(["KUBE-SERVICES/2", "KUBE-SERVICES/4"], set.RulesReferencingSet("KUBE-CLUSTER-IP").Select(r => $"{r.Chain}/{r.Position}"));
        Assert.Equal("dst,dst,src", set.RulesReferencingSet("KUBE-LOOP-BACK").Single().ReferencedSets[0].Flags);

        var odd = IptablesSaveParser.Parse(IptablesSamples.LegacyOddForms, IptablesFamily.IPv4);
        var negated = odd.RulesReferencingSet("KUBE-IPVS-IPS").Single().ReferencedSets[0];
        Assert.True(negated.IsNegated);
        Assert.Equal("! KUBE-IPVS-IPS dst", negated.ToString());
    }

    [Fact]
    public void CommentsAreUnquotedAsIptablesRestoreReadsThem()
    {
        var nft = IptablesSaveParser.Parse(IptablesSamples.NftWithCounters, IptablesFamily.IPv4);
        Assert.Equal("it's \"quoted\" here", nft.RulesOf("filter", "KUBE-IPVS-FILTER").ElementAt(1).Comment);
        var odd = IptablesSaveParser.Parse(IptablesSamples.LegacyOddForms, IptablesFamily.IPv4).Rules;
        Assert.Equal(["foo", "", "back\\slash", "tab\tx", "a;b|c$d"], odd.Take(5).Select(r => r.Comment));
        Assert.Equal("hello world ", odd.Single(r => r.Target == "LOG").TargetOptions[0].Value);
        Assert.Equal(IptablesBackend.Legacy, IptablesSaveParser.Parse(IptablesSamples.LegacyOddForms, IptablesFamily.IPv4).Backend);
    }

    [Fact]
    public void OddFormsKeepTheirMeaning()
    {
        var rules = IptablesSaveParser.Parse(IptablesSamples.LegacyOddForms, IptablesFamily.IPv4).Rules;
        Assert.True(rules.Single(r => r.Fragment is not null).Fragment);
        var empty = rules.Single(r => r.Specification.Length == 0);
        Assert.Null(empty.Target);
        Assert.Equal("-A KUBE-X", empty.ToString());
        var jump = rules.Last();
        Assert.True(jump.IsGoto);
        Assert.Equal("KUBE-Y", jump.Target);
        Assert.Equal("--limit-iface-in", rules.Single(r => r.Specification.Contains("limit-iface")).Matches[0].Options[1].Name);
        Assert.Null(rules[0].Packets);
    }

    [Fact]
    public void TheLegacyWarningOfIptablesNftIsKept()
    {
        var text = "# Warning: iptables-legacy tables present, use iptables-legacy-save to see them\n";
        var set = IptablesSaveParser.Parse(text, IptablesFamily.IPv4, IptablesBackend.NfTables);
        Assert.True(set.LegacyTablesPresent);
        Assert.Empty(set.Rules);
        Assert.False(IptablesSaveParser.Parse("", IptablesFamily.IPv4).LegacyTablesPresent);
    }

    [Theory]
    [InlineData("*nat\n:A - [0:0]\n-A A -j RETURN\n", "without COMMIT")]
    [InlineData("-A A -j RETURN\n", "outside a table")]
    [InlineData("*nat\n-A A -j RETURN\nCOMMIT\n", "does not declare")]
    [InlineData("*nat\n:A - [0:0]\n-A A -m comment --comment \"open\nCOMMIT\n", "not closed")]
    [InlineData("*nat\n:A - [x:0]\nCOMMIT\n", "packets:bytes")]
    [InlineData("*nat\n:A - [0:0]\n[1:2 -A A\nCOMMIT\n", "packets:bytes")]
    [InlineData("*nat\n:A - [0:0]\n:A - [0:0]\nCOMMIT\n", "declared twice")]
    [InlineData("*nat\n*filter\nCOMMIT\n", "before table 'nat' was committed")]
    [InlineData("COMMIT\n", "outside a table")]
    [InlineData("*nat\n:A - [0:0]\n-A A -j RETURN -j DROP\nCOMMIT\n", "two targets")]
    [InlineData("*nat\n:A - [0:0]\n-A A ! ! -s 1.2.3.4\nCOMMIT\n", "two '!'")]
    [InlineData("*nat\n:A - [0:0]\n-A A -s 1.2.3.4 -s 1.2.3.5\nCOMMIT\n", "given twice")]
    [InlineData("*nat\n:A - [0:0]\n-A A --dport 53\nCOMMIT\n", "unexpected word")]
    [InlineData("*nat\n:A - [0:0]\n-A A -m comment --comment\nCOMMIT\n", "needs 1 value")]
    [InlineData("*nat\n:A - [0:0]\n-A A -j RETURN !\nCOMMIT\n", "at the end")]
    [InlineData("*nat\n:A - [0:0]\n-I A 1 -j RETURN\nCOMMIT\n", "-A CHAIN")]
    [InlineData("hello\n", "not a table")]
    public void MalformedTextIsRefusedWithItsLine(string text, string message)
    {
        var error = Assert.Throws<IptablesParseException>(() => IptablesSaveParser.Parse(text, IptablesFamily.IPv4));
        Assert.Contains(message, error.Message);
        Assert.Equal(FailureKind.Protocol, error.Kind);
        Assert.True(error.LineNumber > 0);
    }

    [Fact]
    public void ASingleRuleLineParsesAsIptablesRestoreReadsIt()
    {
        var rule = IptablesSaveParser.ParseRule("-A KUBE-SERVICES -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES", IptablesFamily.IPv6, "nat");
        Assert.Equal("kubernetes service portals", rule.Comment);
        Assert.Equal(IptablesFamily.IPv6, rule.Family);
        Assert.Equal("nat", rule.Table);
        // A value that starts with "--" is still the comment's one value.
        Assert.Equal("--odd", IptablesSaveParser.ParseRule("-A X -m comment --comment --odd -j RETURN", IptablesFamily.IPv4, "filter").Comment);
        // -c counters, as iptables-restore --counters reads them.
        var counted = IptablesSaveParser.ParseRule("-A X -c 5 600 -j RETURN", IptablesFamily.IPv4, "filter");
        Assert.Equal(5ul, counted.Packets);
        Assert.Equal(600ul, counted.Bytes);
    }

    [Theory]
    [InlineData("iptables v1.8.9 (nf_tables)\n", "1.8.9", IptablesBackend.NfTables)]
    [InlineData("iptables v1.8.9 (legacy)\n", "1.8.9", IptablesBackend.Legacy)]
    [InlineData("ip6tables v1.6.1\n", "1.6.1", IptablesBackend.Legacy)]
    [InlineData("nonsense", null, IptablesBackend.Unknown)]
    public void VersionLinesNameTheBackend(string text, string? version, IptablesBackend backend)
    {
        Assert.Equal((version, backend), IptablesClient.ParseVersion(text));
    }
}
