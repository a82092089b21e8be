using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// The iptables chains, jumps and rules kube-proxy in IPVS mode keeps (kubernetes
/// pkg/proxy/ipvs/proxier.go: iptablesChains, iptablesJumpChain, ipsetWithIptablesChain,
/// writeIptablesRules), written in the form iptables-save prints them, and the check of a read
/// ruleset against them. Rules that kube-proxy writes per Service (the -m ipvs DROP rules of
/// KUBE-IPVS-OUT-FILTER) are not part of the model.
/// </summary>
public static class KubeProxyIptables
{
    /// <summary>kube-proxy's default --iptables-masquerade-bit.</summary>
    public const int DefaultMasqueradeBit = 14;

    /// <summary>The comments kube-proxy gives the rules of each of its ipsets (pkg/proxy/ipvs/ipset.go).</summary>
    public static readonly IReadOnlyDictionary<string, string> SetComments = new Dictionary<string, string>
    {
        ["KUBE-LOOP-BACK"] = "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose",
        ["KUBE-CLUSTER-IP"] = "Kubernetes service cluster ip + port for masquerade purpose",
        ["KUBE-EXTERNAL-IP"] = "Kubernetes service external ip + port for masquerade and filter purpose",
        ["KUBE-EXTERNAL-IP-LOCAL"] = "Kubernetes service external ip + port with externalTrafficPolicy=local",
        ["KUBE-LOAD-BALANCER"] = "Kubernetes service lb portal",
        ["KUBE-LOAD-BALANCER-LOCAL"] = "Kubernetes service load balancer ip + port with externalTrafficPolicy=local",
        ["KUBE-LOAD-BALANCER-FW"] = "Kubernetes service load balancer ip + port for load balancer with sourceRange",
        ["KUBE-LOAD-BALANCER-SOURCE-IP"] = "Kubernetes service load balancer ip + port + source IP for packet filter purpose",
        ["KUBE-LOAD-BALANCER-SOURCE-CIDR"] = "Kubernetes service load balancer ip + port + source cidr for packet filter purpose",
        ["KUBE-NODE-PORT-TCP"] = "Kubernetes nodeport TCP port for masquerade purpose",
        ["KUBE-NODE-PORT-LOCAL-TCP"] = "Kubernetes nodeport TCP port with externalTrafficPolicy=local",
        ["KUBE-NODE-PORT-UDP"] = "Kubernetes nodeport UDP port for masquerade purpose",
        ["KUBE-NODE-PORT-LOCAL-UDP"] = "Kubernetes nodeport UDP port with externalTrafficPolicy=local",
        ["KUBE-NODE-PORT-SCTP-HASH"] = "Kubernetes nodeport SCTP port for masquerade purpose with type 'hash ip:port'",
        ["KUBE-NODE-PORT-LOCAL-SCTP-HASH"] = "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'",
        ["KUBE-HEALTH-CHECK-NODE-PORT"] = "Kubernetes health check node port",
        ["KUBE-IPVS-IPS"] = "Addresses on the ipvs interface",
    };

    /// <summary>kube-proxy's name of a set in a family: IPv6 sets start KUBE-6- and are cut to 31 characters.</summary>
    public static string SetName(string name, IptablesFamily family)
    {
        if (family != IptablesFamily.IPv6 || !name.StartsWith("KUBE-", StringComparison.Ordinal)) return name;
        var v6 = "KUBE-6-" + name.Substring(5);
        return v6.Length > 31 ? v6.Substring(0, 31) : v6;
    }

    /// <summary>Everything kube-proxy keeps in the iptables of one family.</summary>
    public static IReadOnlyList<KubeIptablesExpectation> Expected(IptablesFamily family, int masqueradeBit = DefaultMasqueradeBit)
    {
        if (masqueradeBit is < 0 or > 31) throw new IpvsToolsException($"The masquerade bit must be 0 to 31, not {masqueradeBit}.", FailureKind.InvalidArgument);
        var mark = "0x" + (1u << masqueradeBit).ToString("x", CultureInfo.InvariantCulture);
        var list = new List<KubeIptablesExpectation>();
        string S(string name) => SetName(name, family);
        string Comment(string set) => Quote(SetComments[set]);

        void Chain(string table, string chain, string purpose) => list.Add(new(KubeIptablesCheckKind.Chain, table, chain, null, purpose, null));
        void Jump(string table, string from, string to, string comment, string purpose)
            => list.Add(new(KubeIptablesCheckKind.Jump, table, from, [$"-m comment --comment {Quote(comment)} -j {to}"], purpose, null));
        void Rule(string table, string chain, string purpose, string? condition, params string[] forms)
            => list.Add(new(KubeIptablesCheckKind.Rule, table, chain, forms, purpose, condition is null ? null : S(condition)));

        Chain("nat", "KUBE-SERVICES", "Service portals: sorts traffic to service addresses");
        Chain("nat", "KUBE-POSTROUTING", "Masquerades traffic marked for SNAT");
        Chain("nat", "KUBE-NODE-PORT", "Marks NodePort traffic for masquerading");
        Chain("nat", "KUBE-LOAD-BALANCER", "Marks load balancer traffic for masquerading");
        Chain("nat", "KUBE-MARK-MASQ", "Sets the masquerade mark");
        Chain("filter", "KUBE-FORWARD", "Accepts forwarded service traffic");
        Chain("filter", "KUBE-NODE-PORT", "Accepts health check node port traffic");
        Chain("filter", "KUBE-PROXY-FIREWALL", "loadBalancerSourceRanges firewall");
        Chain("filter", "KUBE-SOURCE-RANGES-FIREWALL", "Drops load balancer traffic from outside the source ranges");
        Chain("filter", "KUBE-IPVS-FILTER", "Rejects connections to other ports of service addresses");
        Chain("filter", "KUBE-IPVS-OUT-FILTER", "Keeps the node from load balancer addresses it must not reach");

        Jump("nat", "OUTPUT", "KUBE-SERVICES", "kubernetes service portals", "Locally generated service traffic enters KUBE-SERVICES");
        Jump("nat", "PREROUTING", "KUBE-SERVICES", "kubernetes service portals", "Incoming service traffic enters KUBE-SERVICES");
        Jump("nat", "POSTROUTING", "KUBE-POSTROUTING", "kubernetes postrouting rules", "Marked traffic is masqueraded");
        Jump("filter", "FORWARD", "KUBE-FORWARD", "kubernetes forwarding rules", "Forwarded service traffic is accepted");
        Jump("filter", "INPUT", "KUBE-NODE-PORT", "kubernetes health check rules", "Health check node ports are accepted");
        Jump("filter", "INPUT", "KUBE-PROXY-FIREWALL", "kube-proxy firewall rules", "Source ranges apply to incoming traffic");
        Jump("filter", "FORWARD", "KUBE-PROXY-FIREWALL", "kube-proxy firewall rules", "Source ranges apply to forwarded traffic");
        Jump("filter", "INPUT", "KUBE-IPVS-FILTER", "kubernetes ipvs access filter", "Only service ports are open on service addresses");
        Jump("filter", "OUTPUT", "KUBE-IPVS-OUT-FILTER", "kubernetes ipvs access filter", "Node access to load balancer addresses is filtered");

        var loopback = family == IptablesFamily.IPv6 ? "::1/128" : "127.0.0.0/8";
        Rule("nat", "KUBE-SERVICES", "Traffic from localhost is no service traffic", null, $"-s {loopback} -j RETURN");
        foreach (var (set, chain, flags, target, protocol) in new (string, string, string, string, string?)[]
        {
            ("KUBE-LOOP-BACK", "KUBE-POSTROUTING", "dst,dst,src", "MASQUERADE", null),
            ("KUBE-LOAD-BALANCER", "KUBE-SERVICES", "dst,dst", "KUBE-LOAD-BALANCER", null),
            ("KUBE-LOAD-BALANCER-LOCAL", "KUBE-LOAD-BALANCER", "dst,dst", "RETURN", null),
            ("KUBE-NODE-PORT-LOCAL-TCP", "KUBE-NODE-PORT", "dst", "RETURN", "tcp"),
            ("KUBE-NODE-PORT-TCP", "KUBE-NODE-PORT", "dst", "KUBE-MARK-MASQ", "tcp"),
            ("KUBE-NODE-PORT-LOCAL-UDP", "KUBE-NODE-PORT", "dst", "RETURN", "udp"),
            ("KUBE-NODE-PORT-UDP", "KUBE-NODE-PORT", "dst", "KUBE-MARK-MASQ", "udp"),
            ("KUBE-NODE-PORT-LOCAL-SCTP-HASH", "KUBE-NODE-PORT", "dst,dst", "RETURN", "sctp"),
            ("KUBE-NODE-PORT-SCTP-HASH", "KUBE-NODE-PORT", "dst,dst", "KUBE-MARK-MASQ", "sctp"),
        })
        {
            var p = protocol is null ? "" : $"-p {protocol} ";
            Rule("nat", chain, Purpose(set, target), set, $"{p}-m comment --comment {Comment(set)} -m set --match-set {S(set)} {flags} -j {target}");
        }
        foreach (var (set, chain, flags, target) in new[]
        {
            ("KUBE-LOAD-BALANCER-FW", "KUBE-PROXY-FIREWALL", "dst,dst", "KUBE-SOURCE-RANGES-FIREWALL"),
            ("KUBE-LOAD-BALANCER-SOURCE-CIDR", "KUBE-SOURCE-RANGES-FIREWALL", "dst,dst,src", "RETURN"),
            ("KUBE-LOAD-BALANCER-SOURCE-IP", "KUBE-SOURCE-RANGES-FIREWALL", "dst,dst,src", "RETURN"),
        })
        {
            Rule("filter", chain, Purpose(set, target), set, $"-m comment --comment {Comment(set)} -m set --match-set {S(set)} {flags} -j {target}");
        }
        // Without masqueradeAll or a local-traffic detector "src,dst"; with masqueradeAll "dst,dst"; with a
        // detector "dst,dst" plus its own negated match (! -s CLUSTER-CIDR, ! -i BRIDGE...): any of these counts.
        list.Add(new(KubeIptablesCheckKind.Rule, "nat", "KUBE-SERVICES",
            [$"-m comment --comment {Comment("KUBE-CLUSTER-IP")} -m set --match-set {S("KUBE-CLUSTER-IP")} src,dst -j KUBE-MARK-MASQ",
             $"-m comment --comment {Comment("KUBE-CLUSTER-IP")} -m set --match-set {S("KUBE-CLUSTER-IP")} dst,dst -j KUBE-MARK-MASQ"],
            "Traffic to ClusterIPs is marked for masquerading", S("KUBE-CLUSTER-IP"), ClusterIpMasquerade(S("KUBE-CLUSTER-IP"))));
        foreach (var set in new[] { "KUBE-EXTERNAL-IP", "KUBE-EXTERNAL-IP-LOCAL" })
        {
            var match = $"-m comment --comment {Comment(set)} -m set --match-set {S(set)} dst,dst";
            if (set == "KUBE-EXTERNAL-IP") Rule("nat", "KUBE-SERVICES", "Traffic to external IPs is marked for masquerading", set, $"{match} -j KUBE-MARK-MASQ");
            Rule("nat", "KUBE-SERVICES", "External IP traffic from off the node is accepted", set, $"{match} -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT");
            Rule("nat", "KUBE-SERVICES", "External IP traffic to local addresses is accepted", set, $"{match} -m addrtype --dst-type LOCAL -j ACCEPT");
        }
        Rule("nat", "KUBE-SERVICES", "Traffic to local addresses goes to the NodePort rules", null, "-m addrtype --dst-type LOCAL -j KUBE-NODE-PORT");
        Rule("nat", "KUBE-LOAD-BALANCER", "Load balancer traffic is marked for masquerading", null, "-j KUBE-MARK-MASQ");
        Rule("filter", "KUBE-SOURCE-RANGES-FIREWALL", "Load balancer traffic from outside the source ranges is dropped", null, "-j DROP");
        Rule("nat", "KUBE-SERVICES", "Traffic to ClusterIPs is accepted", "KUBE-CLUSTER-IP", $"-m set --match-set {S("KUBE-CLUSTER-IP")} dst,dst -j ACCEPT");
        Rule("nat", "KUBE-SERVICES", "Traffic to load balancer IPs is accepted", "KUBE-LOAD-BALANCER", $"-m set --match-set {S("KUBE-LOAD-BALANCER")} dst,dst -j ACCEPT");
        Rule("filter", "KUBE-FORWARD", "Forwarded traffic marked for masquerading is accepted", null,
            $"-m comment --comment \"kubernetes forwarding rules\" -m mark --mark {mark}/{mark} -j ACCEPT");
        Rule("filter", "KUBE-FORWARD", "Replies of accepted forwarded connections are accepted", null,
            "-m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");
        Rule("filter", "KUBE-NODE-PORT", "Health check node ports are accepted", null,
            $"-m comment --comment {Comment("KUBE-HEALTH-CHECK-NODE-PORT")} -m set --match-set {S("KUBE-HEALTH-CHECK-NODE-PORT")} dst -j ACCEPT");
        foreach (var (set, flags) in new[] { ("KUBE-LOAD-BALANCER", "dst,dst"), ("KUBE-CLUSTER-IP", "dst,dst"), ("KUBE-EXTERNAL-IP", "dst,dst"), ("KUBE-EXTERNAL-IP-LOCAL", "dst,dst"), ("KUBE-HEALTH-CHECK-NODE-PORT", "dst") })
            Rule("filter", "KUBE-IPVS-FILTER", $"Service ports of {S(set)} are let through", null, $"-m set --match-set {S(set)} {flags} -j RETURN");
        var reject = family == IptablesFamily.IPv6 ? "icmp6-port-unreachable" : "icmp-port-unreachable";
        Rule("filter", "KUBE-IPVS-FILTER", "New connections to other ports of service addresses are rejected", null,
            $"-m conntrack --ctstate NEW -m set --match-set {S("KUBE-IPVS-IPS")} dst -j REJECT --reject-with {reject}");
        Rule("nat", "KUBE-POSTROUTING", "Unmarked traffic is not masqueraded", null, $"-m mark ! --mark {mark}/{mark} -j RETURN");
        Rule("nat", "KUBE-POSTROUTING", "The masquerade mark is cleared", null, $"-j MARK --set-xmark {mark}/0x0");
        Rule("nat", "KUBE-POSTROUTING", "Marked traffic is masqueraded", null,
            "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
            "-m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE");
        Rule("nat", "KUBE-MARK-MASQ", "Sets the masquerade mark", null, $"-j MARK --set-xmark {mark}/{mark}");

        foreach (var e in list) e.Prepare(family);
        return list;
    }

    /// <summary>
    /// Checks a ruleset against kube-proxy's model of its family. <paramref name="nonEmptySets"/> names
    /// the ipsets that have members (kube-proxy writes some rules only then); null when unknown.
    /// </summary>
    public static IReadOnlyList<KubeIptablesCheck> Check(IptablesRuleset rules, IReadOnlyCollection<string>? nonEmptySets,
        int masqueradeBit = DefaultMasqueradeBit)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var keys = new Dictionary<(string, string, string), List<IptablesRule>>();
        foreach (var rule in rules.Rules)
        {
            var key = (rule.Table, rule.Chain, RuleKey(rule));
            if (!keys.TryGetValue(key, out var same)) keys[key] = same = new List<IptablesRule>();
            same.Add(rule);
        }
        var results = new List<KubeIptablesCheck>();
        foreach (var e in Expected(rules.Family, masqueradeBit))
        {
            IptablesRule? found = null;
            bool present;
            if (e.Kind == KubeIptablesCheckKind.Chain)
            {
                present = rules.FindChain(e.Table, e.Chain) is not null;
            }
            else
            {
                foreach (var form in e.ParsedForms)
                {
                    if (keys.TryGetValue((e.Table, e.Chain, RuleKey(form)), out var hits))
                    {
                        found = hits[0];
                        break;
                    }
                }
                if (found is null && e.Matcher is not null)
                {
                    foreach (var rule in rules.RulesOf(e.Table, e.Chain))
                    {
                        if (e.Matcher(rule))
                        {
                            found = rule;
                            break;
                        }
                    }
                }
                present = found is not null;
            }
            KubeIptablesCheckStatus status;
            if (e.ConditionSet is null) status = present ? KubeIptablesCheckStatus.Present : KubeIptablesCheckStatus.Missing;
            else if (nonEmptySets is null) status = present ? KubeIptablesCheckStatus.Present : KubeIptablesCheckStatus.Unknown;
            else if (nonEmptySets.Contains(e.ConditionSet)) status = present ? KubeIptablesCheckStatus.Present : KubeIptablesCheckStatus.Missing;
            else status = present ? KubeIptablesCheckStatus.Stale : KubeIptablesCheckStatus.NotRequired;
            results.Add(new KubeIptablesCheck(rules.Family, rules.Backend, e.Kind, e.Table, e.Chain, found?.Specification ?? e.Forms?[0], e.Purpose,
                e.Sets, e.ConditionSet, status, found?.Position, rules.NetworkNamespace));
        }
        return results;
    }

    /// <summary>
    /// What makes two rules the same for the check: criteria, the matches in any order (the nft
    /// backend may print them in another order than written), the target and its options.
    /// </summary>
    internal static string RuleKey(IptablesRule rule)
    {
        var matches = rule.Matches.Select(m => m.ToString()).OrderBy(m => m, StringComparer.Ordinal);
        return string.Join("\u0001", new[] { rule.Source, rule.Destination, rule.InInterface, rule.OutInterface, rule.Protocol, rule.Fragment?.ToString() }
            .Select(v => v ?? "").Concat(matches).Append((rule.IsGoto ? "-g " : "-j ") + rule.Target)
            .Concat(rule.TargetOptions.Select(o => o.ToString())));
    }

    private static Func<IptablesRule, bool> ClusterIpMasquerade(string set) => rule =>
        rule.Target == "KUBE-MARK-MASQ" && rule.ReferencedSets.Any(s => s.Name == set && !s.IsNegated && s.Flags is "dst,dst" or "src,dst");

    private static string Purpose(string set, string target) => target switch
    {
        "RETURN" when set.Contains("LOCAL", StringComparison.Ordinal) => $"Members of {set} keep their source address (externalTrafficPolicy Local)",
        "RETURN" => $"Sources in {set} pass the load balancer firewall",
        "KUBE-MARK-MASQ" => $"Traffic to members of {set} is marked for masquerading",
        "MASQUERADE" => "Hairpin traffic of local endpoints is masqueraded",
        _ => $"Traffic to members of {set} goes to {target}",
    };

    private static string Quote(string text) => IptablesText.QuoteString(text);
}

/// <summary>One chain, jump or rule of kube-proxy's model, in iptables-save's form.</summary>
public sealed class KubeIptablesExpectation
{
    internal KubeIptablesExpectation(KubeIptablesCheckKind kind, string table, string chain, IReadOnlyList<string>? forms, string purpose,
        string? conditionSet, Func<IptablesRule, bool>? matcher = null)
    {
        Kind = kind;
        Table = table;
        Chain = chain;
        Forms = forms;
        Purpose = purpose;
        ConditionSet = conditionSet;
        Matcher = matcher;
    }

    public KubeIptablesCheckKind Kind { get; }
    public string Table { get; }
    public string Chain { get; }

    /// <summary>The accepted forms of the rule (after -A CHAIN), first the one kube-proxy writes by default; null for a chain.</summary>
    public IReadOnlyList<string>? Forms { get; }

    public string Purpose { get; }
    public string? ConditionSet { get; }
    public IReadOnlyList<string> Sets { get; private set; } = Array.Empty<string>();

    internal Func<IptablesRule, bool>? Matcher { get; }
    internal IReadOnlyList<IptablesRule> ParsedForms { get; private set; } = Array.Empty<IptablesRule>();

    internal void Prepare(IptablesFamily family)
    {
        if (Forms is null) return;
        ParsedForms = Forms.Select(f => IptablesSaveParser.ParseRule($"-A {Chain} {f}", family, Table)).ToList();
        Sets = ParsedForms[0].ReferencedSets.Select(s => s.Name).ToList();
    }

    public override string ToString() => $"{Table} {Chain}" + (Forms is null ? "" : ": " + Forms[0]);
}
