using IpvsTools.Testing;
using Xunit;
using IpvsTools.Iptables;

namespace IpvsTools.Tests.Iptables;

public class IptablesRestoreBuilderTests
{
    [Fact]
    public void WritesWhatIptablesRestoreReads()
    {
        var text = new IptablesRestoreBuilder()
            .DeclareChain("nat", "KUBE-SERVICES")
            .AppendRule("nat", "KUBE-SERVICES", ["-s", "127.0.0.0/8", "-j", "RETURN"])
            .AppendRule("nat", "KUBE-SERVICES", ["-m", "comment", "--comment", "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'", "-m", "set", "--match-set", "KUBE-NODE-PORT-LOCAL-SCTP-HASH", "dst,dst", "-j", "RETURN"])
            .DeclareChain("filter", "KUBE-FORWARD")
            .InsertRule("filter", "FORWARD", ["-m", "comment", "--comment", "kubernetes forwarding rules", "-j", "KUBE-FORWARD"])
            .AppendRule("filter", "KUBE-FORWARD", ["-m", "comment", "--comment", "", "-j", "ACCEPT"], 3, 180)
            .DeleteRule("nat", "KUBE-SERVICES", ["-j", "ACCEPT"])
            .ToString();
        Assert.Equal("""
            *nat
            :KUBE-SERVICES - [0:0]
            -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
            -A KUBE-SERVICES -m comment --comment "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type \'hash ip:port\'" -m set --match-set KUBE-NODE-PORT-LOCAL-SCTP-HASH dst,dst -j RETURN
            -D KUBE-SERVICES -j ACCEPT
            COMMIT
            *filter
            :KUBE-FORWARD - [0:0]
            -I FORWARD 1 -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
            [3:180] -A KUBE-FORWARD -m comment --comment "" -j ACCEPT
            COMMIT

            """, text);
    }

    [Fact]
    public void ParsedRulesWriteBackWithTheirCounters()
    {
        var set = IptablesSaveParser.Parse(IptablesSamples.NftWithCounters, IptablesFamily.IPv4);
        var builder = new IptablesRestoreBuilder();
        foreach (var chain in set.Chains.Where(c => !c.IsBuiltIn)) builder.DeclareChain(chain.Table, chain.Name);
        foreach (var rule in set.Rules) builder.AppendRule(rule, withCounters: true);
        var again = IptablesSaveParser.Parse(builder.ToString().Replace("*filter\n", "*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n")
            .Replace("*nat\n", "*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n"), IptablesFamily.IPv4);
        Assert.Equal(set.Rules.Select(r => $"[{r.Packets}:{r.Bytes}] {r}"), again.Rules.Select(r => $"[{r.Packets}:{r.Bytes}] {r}"));
    }

    [Theory]
    [InlineData("a b", "\"a b\"")]
    [InlineData("", "\"\"")]
    [InlineData("!", "\"!\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("10.0.0.0/8", "10.0.0.0/8")]
    [InlineData("back\\slash", "back\\slash")]
    public void ArgumentsAreQuotedOnlyWhereNeeded(string word, string expected)
    {
        Assert.Equal(expected, IptablesText.QuoteArgument(word));
        // And iptables-restore's word rules read them back unchanged.
        var tokens = IptablesText.Tokenize("-x " + expected, out _)!;
        Assert.Equal(word, tokens[1].Text);
    }

    [Theory]
    [InlineData("")]
    [InlineData("KUBE-SERVICES-AND-A-NAME-TOO-LONG")]
    [InlineData("HAS SPACE")]
    [InlineData("-X")]
    [InlineData("!X")]
    public void BadChainNamesAreRefusedBeforeAnyToolRuns(string chain)
    {
        var error = Assert.ThrowsAny<IpvsToolsException>(() => new IptablesRestoreBuilder().DeclareChain("nat", chain));
        Assert.Equal(FailureKind.InvalidArgument, error.Kind);
    }

    [Fact]
    public void BadTablesPoliciesAndLineBreaksAreRefused()
    {
        Assert.Equal(FailureKind.InvalidArgument, Assert.ThrowsAny<IpvsToolsException>(() => new IptablesRestoreBuilder().DeclareChain("natt", "X")).Kind);
        Assert.Equal(FailureKind.InvalidArgument, Assert.ThrowsAny<IpvsToolsException>(() => new IptablesRestoreBuilder().DeclareChain("filter", "INPUT", "REJECT")).Kind);
        Assert.Equal(FailureKind.InvalidArgument, Assert.ThrowsAny<IpvsToolsException>(() => new IptablesRestoreBuilder().AppendRule("filter", "X", ["-m", "comment", "--comment", "two\nlines"])).Kind);
        Assert.Equal(FailureKind.InvalidArgument, Assert.ThrowsAny<IpvsToolsException>(() => new IptablesRestoreBuilder().InsertRule("filter", "X", ["-j", "ACCEPT"], 0)).Kind);
        Assert.Equal(FailureKind.InvalidArgument, Assert.ThrowsAny<IpvsToolsException>(() => new IptablesRestoreBuilder().DeclareChain("nat", "A").DeclareChain("nat", "A")).Kind);
    }
}
