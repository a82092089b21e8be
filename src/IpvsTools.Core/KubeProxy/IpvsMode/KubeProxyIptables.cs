using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>
/// THE model of the iptables state kube-proxy in IPVS mode keeps (kubernetes pkg/proxy/ipvs/proxier.go:
/// iptablesChains, iptablesJumpChain, ipsetWithIptablesChain, writeIptablesRules): its chains, the jumps
/// into them, and its rules in the order and form kube-proxy writes them, each with its purpose and the
/// set whose members make kube-proxy write it. Sync writes it (<see cref="KubeIptablesRules"/>),
/// Compare-KubeIpvs and the planner compare with it, and Test-KubeIptablesRule checks a read ruleset
/// against it (<see cref="Check"/>).
/// </summary>
public static class KubeProxyIptables
{
    /// <summary>kube-proxy's default --iptables-masquerade-bit.</summary>
    public const int DefaultMasqueradeBit = 14;

    /// <summary>kube-proxy's chains, nat then filter, each table in kube-proxy's order, with what each is for.</summary>
    private static readonly (string Table, string Chain, string Purpose)[] ChainTable =
    [
        ("nat", "KUBE-SERVICES", "Service portals: sorts traffic to service addresses"),
        ("nat", "KUBE-POSTROUTING", "Masquerades traffic marked for SNAT"),
        ("nat", "KUBE-NODE-PORT", "Marks NodePort traffic for masquerading"),
        ("nat", "KUBE-LOAD-BALANCER", "Marks load balancer traffic for masquerading"),
        ("nat", "KUBE-MARK-MASQ", "Sets the masquerade mark"),
        ("filter", "KUBE-FORWARD", "Accepts forwarded service traffic"),
        ("filter", "KUBE-NODE-PORT", "Accepts health check node port traffic"),
        ("filter", "KUBE-PROXY-FIREWALL", "loadBalancerSourceRanges firewall"),
        ("filter", "KUBE-SOURCE-RANGES-FIREWALL", "Drops load balancer traffic from outside the source ranges"),
        ("filter", "KUBE-IPVS-FILTER", "Rejects connections to other ports of service addresses"),
        ("filter", "KUBE-IPVS-OUT-FILTER", "Keeps the node from load balancer addresses it must not reach"),
    ];

    /// <summary>The jumps kube-proxy inserts first in built-in chains (`iptables -w -I CHAIN -m comment --comment TEXT -j TARGET`).</summary>
    private static readonly (string Table, string From, string To, string Comment, string Purpose)[] JumpTable =
    [
        ("nat", "OUTPUT", "KUBE-SERVICES", "kubernetes service portals", "Locally generated service traffic enters KUBE-SERVICES"),
        ("nat", "PREROUTING", "KUBE-SERVICES", "kubernetes service portals", "Incoming service traffic enters KUBE-SERVICES"),
        ("nat", "POSTROUTING", "KUBE-POSTROUTING", "kubernetes postrouting rules", "Marked traffic is masqueraded"),
        ("filter", "FORWARD", "KUBE-FORWARD", "kubernetes forwarding rules", "Forwarded service traffic is accepted"),
        ("filter", "INPUT", "KUBE-NODE-PORT", "kubernetes health check rules", "Health check node ports are accepted"),
        ("filter", "INPUT", "KUBE-PROXY-FIREWALL", "kube-proxy firewall rules", "Source ranges apply to incoming traffic"),
        ("filter", "FORWARD", "KUBE-PROXY-FIREWALL", "kube-proxy firewall rules", "Source ranges apply to forwarded traffic"),
        ("filter", "INPUT", "KUBE-IPVS-FILTER", "kubernetes ipvs access filter", "Only service ports are open on service addresses"),
        ("filter", "OUTPUT", "KUBE-IPVS-OUT-FILTER", "kubernetes ipvs access filter", "Node access to load balancer addresses is filtered"),
    ];

    /// <summary>The sets whose rules differ only in set, chain, match flags, target and protocol (ipsetWithIptablesChain).</summary>
    private static readonly (string Set, string Table, string From, string To, string Match, string? Protocol)[] SetRuleTable =
    [
        (KubeIpsetDefinition.LoopBack, "nat", "KUBE-POSTROUTING", "MASQUERADE", "dst,dst,src", null),
        (KubeIpsetDefinition.LoadBalancer, "nat", "KUBE-SERVICES", "KUBE-LOAD-BALANCER", "dst,dst", null),
        (KubeIpsetDefinition.LoadBalancerLocal, "nat", "KUBE-LOAD-BALANCER", "RETURN", "dst,dst", null),
        (KubeIpsetDefinition.NodePortLocalTcp, "nat", "KUBE-NODE-PORT", "RETURN", "dst", "tcp"),
        (KubeIpsetDefinition.NodePortTcp, "nat", "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "tcp"),
        (KubeIpsetDefinition.NodePortLocalUdp, "nat", "KUBE-NODE-PORT", "RETURN", "dst", "udp"),
        (KubeIpsetDefinition.NodePortUdp, "nat", "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "udp"),
        (KubeIpsetDefinition.NodePortLocalSctp, "nat", "KUBE-NODE-PORT", "RETURN", "dst,dst", "sctp"),
        (KubeIpsetDefinition.NodePortSctp, "nat", "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst,dst", "sctp"),
        (KubeIpsetDefinition.LoadBalancerFirewall, "filter", "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL", "dst,dst", null),
        (KubeIpsetDefinition.LoadBalancerSourceCidr, "filter", "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", null),
        (KubeIpsetDefinition.LoadBalancerSourceIP, "filter", "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", null),
    ];

    /// <summary>The chains kube-proxy owns in a table (nat or filter), in its order.</summary>
    public static IReadOnlyList<string> ChainsOf(string table) => ChainTable.Where(c => c.Table == table).Select(c => c.Chain).ToArray();

    /// <summary>kube-proxy's name of a set in a family: IPv6 sets start KUBE-6- and are cut to 31 characters.</summary>
    public static string SetName(string name, IptablesFamily family) => KubeIpsetDefinition.NameFor(name, AddressFamilyOf(family));

    /// <summary>
    /// The model for one family and one set of kube-proxy's options: every chain, jump and rule in
    /// kube-proxy's order, rules in the form kube-proxy writes them (comments in double quotes, marks as
    /// "%#08x" prints them, --or-mark and --xor-mark, REJECT without --reject-with). Rules written only
    /// while a set has members name it in <see cref="KubeProxyIptablesItem.ConditionSet"/>; the -m ipvs
    /// DROP rules of KUBE-IPVS-OUT-FILTER, one per load-balancer port the node may not reach
    /// (<paramref name="lbNoNodeAccess"/>), are marked <see cref="KubeProxyIptablesItem.PerService"/>.
    /// </summary>
    internal static IReadOnlyList<KubeProxyIptablesItem> Model(AddressFamily family, KubeProxyIptablesVariant variant,
        IReadOnlyList<(IPAddress Ip, IpvsProtocol Protocol, int Port)>? lbNoNodeAccess = null)
    {
        var list = new List<KubeProxyIptablesItem>();
        var mark = "0x" + (1u << variant.MasqueradeBit).ToString("x6", CultureInfo.InvariantCulture);
        string S(string set) => KubeIpsetDefinition.NameFor(set, family);
        string Comment(string set) => "\"" + KubeIpsetDefinition.All.First(d => d.Name == set).Comment + "\"";
        void Rule(string table, string chain, string purpose, string? condition, params string[] args)
            => list.Add(new(KubeIptablesCheckKind.Rule, table, chain, new KubeIptablesRule(table, chain, args), purpose, condition is null ? null : S(condition)));

        foreach (var (table, chain, purpose) in ChainTable) list.Add(new(KubeIptablesCheckKind.Chain, table, chain, null, purpose, null));
        foreach (var (table, from, to, comment, purpose) in JumpTable)
            list.Add(new(KubeIptablesCheckKind.Jump, table, from, new KubeIptablesRule(table, from, ["-m", "comment", "--comment", "\"" + comment + "\"", "-j", to]), purpose, null));

        Rule("nat", "KUBE-SERVICES", "Traffic from localhost is no service traffic", null,
            "-s", family == AddressFamily.InterNetworkV6 ? "::1/128" : "127.0.0.0/8", "-j", "RETURN");
        foreach (var (set, table, from, to, match, protocol) in SetRuleTable)
        {
            var args = new List<string>();
            if (protocol is not null) args.AddRange(["-p", protocol]);
            args.AddRange(["-m", "comment", "--comment", Comment(set), "-m", "set", "--match-set", S(set), match, "-j", to]);
            Rule(table, from, Purpose(set, to), set, [.. args]);
        }

        // Without masqueradeAll or a local-traffic detector "src,dst"; with masqueradeAll "dst,dst"; with a
        // detector "dst,dst" plus its own negated match (! -s CLUSTER-CIDR, ! -i BRIDGE...).
        var clusterIP = new List<string> { "-m", "comment", "--comment", Comment(KubeIpsetDefinition.ClusterIP), "-m", "set", "--match-set", S(KubeIpsetDefinition.ClusterIP) };
        if (variant.MasqueradeAll) clusterIP.Add("dst,dst");
        else if (variant.IfNotLocal is { } notLocal) { clusterIP.Add("dst,dst"); clusterIP.AddRange(notLocal); }
        else clusterIP.Add("src,dst");
        clusterIP.AddRange(["-j", "KUBE-MARK-MASQ"]);
        list.Add(new(KubeIptablesCheckKind.Rule, "nat", "KUBE-SERVICES", new KubeIptablesRule("nat", "KUBE-SERVICES", clusterIP),
            "Traffic to ClusterIPs is marked for masquerading", S(KubeIpsetDefinition.ClusterIP), ClusterIpMasquerade(S(KubeIpsetDefinition.ClusterIP))));

        foreach (var set in new[] { KubeIpsetDefinition.ExternalIP, KubeIpsetDefinition.ExternalIPLocal })
        {
            string[] match = ["-m", "comment", "--comment", Comment(set), "-m", "set", "--match-set", S(set), "dst,dst"];
            if (set == KubeIpsetDefinition.ExternalIP) Rule("nat", "KUBE-SERVICES", "Traffic to external IPs is marked for masquerading", set, [.. match, "-j", "KUBE-MARK-MASQ"]);
            Rule("nat", "KUBE-SERVICES", "External IP traffic from off the node is accepted", set,
                [.. match, "-m", "physdev", "!", "--physdev-is-in", "-m", "addrtype", "!", "--src-type", "LOCAL", "-j", "ACCEPT"]);
            Rule("nat", "KUBE-SERVICES", "External IP traffic to local addresses is accepted", set, [.. match, "-m", "addrtype", "--dst-type", "LOCAL", "-j", "ACCEPT"]);
        }

        Rule("nat", "KUBE-SERVICES", "Traffic to local addresses goes to the NodePort rules", null, "-m", "addrtype", "--dst-type", "LOCAL", "-j", "KUBE-NODE-PORT");
        Rule("nat", "KUBE-LOAD-BALANCER", "Load balancer traffic is marked for masquerading", null, "-j", "KUBE-MARK-MASQ");
        Rule("filter", "KUBE-SOURCE-RANGES-FIREWALL", "Load balancer traffic from outside the source ranges is dropped", null, "-j", "DROP");
        foreach (var (ip, protocol, port) in lbNoNodeAccess ?? [])
        {
            var rule = new KubeIptablesRule("filter", "KUBE-IPVS-OUT-FILTER", ["-s", ip.ToString(), "-m", "ipvs", "--vaddr", ip.ToString(),
                "--vproto", KubeIpsetMember.ProtocolName(protocol), "--vport", port.ToString(CultureInfo.InvariantCulture), "-j", "DROP"]);
            list.Add(new(KubeIptablesCheckKind.Rule, "filter", "KUBE-IPVS-OUT-FILTER", rule, "The node may not reach this load balancer port", null) { PerService = true });
        }
        Rule("nat", "KUBE-SERVICES", "Traffic to ClusterIPs is accepted", KubeIpsetDefinition.ClusterIP,
            "-m", "set", "--match-set", S(KubeIpsetDefinition.ClusterIP), "dst,dst", "-j", "ACCEPT");
        Rule("nat", "KUBE-SERVICES", "Traffic to load balancer IPs is accepted", KubeIpsetDefinition.LoadBalancer,
            "-m", "set", "--match-set", S(KubeIpsetDefinition.LoadBalancer), "dst,dst", "-j", "ACCEPT");
        Rule("filter", "KUBE-FORWARD", "Forwarded traffic marked for masquerading is accepted", null,
            "-m", "comment", "--comment", "\"kubernetes forwarding rules\"", "-m", "mark", "--mark", mark + "/" + mark, "-j", "ACCEPT");
        Rule("filter", "KUBE-FORWARD", "Replies of accepted forwarded connections are accepted", null,
            "-m", "comment", "--comment", "\"kubernetes forwarding conntrack rule\"", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT");
        Rule("filter", "KUBE-NODE-PORT", "Health check node ports are accepted", null,
            "-m", "comment", "--comment", Comment(KubeIpsetDefinition.HealthCheckNodePort), "-m", "set", "--match-set", S(KubeIpsetDefinition.HealthCheckNodePort), "dst", "-j", "ACCEPT");
        foreach (var (set, flags) in new[]
        {
            (KubeIpsetDefinition.LoadBalancer, "dst,dst"), (KubeIpsetDefinition.ClusterIP, "dst,dst"), (KubeIpsetDefinition.ExternalIP, "dst,dst"),
            (KubeIpsetDefinition.ExternalIPLocal, "dst,dst"), (KubeIpsetDefinition.HealthCheckNodePort, "dst"),
        })
            Rule("filter", "KUBE-IPVS-FILTER", $"Service ports of {S(set)} are let through", null, "-m", "set", "--match-set", S(set), flags, "-j", "RETURN");
        Rule("filter", "KUBE-IPVS-FILTER", "New connections to other ports of service addresses are rejected", null,
            "-m", "conntrack", "--ctstate", "NEW", "-m", "set", "--match-set", S(KubeIpsetDefinition.IpvsIPs), "dst", "-j", "REJECT");
        Rule("nat", "KUBE-POSTROUTING", "Unmarked traffic is not masqueraded", null, "-m", "mark", "!", "--mark", mark + "/" + mark, "-j", "RETURN");
        Rule("nat", "KUBE-POSTROUTING", "The masquerade mark is cleared", null, "-j", "MARK", "--xor-mark", mark);
        string[] masquerade = ["-m", "comment", "--comment", "\"kubernetes service traffic requiring SNAT\"", "-j", "MASQUERADE"];
        Rule("nat", "KUBE-POSTROUTING", "Marked traffic is masqueraded", null, variant.RandomFully ? [.. masquerade, "--random-fully"] : masquerade);
        Rule("nat", "KUBE-MARK-MASQ", "Sets the masquerade mark", null, "-j", "MARK", "--or-mark", mark);
        return list;
    }

    /// <summary>Everything kube-proxy keeps in the iptables of one family, in iptables-save's form.</summary>
    public static IReadOnlyList<KubeIptablesExpectation> Expected(IptablesFamily family, int masqueradeBit = DefaultMasqueradeBit)
    {
        if (masqueradeBit is < 0 or > 31) throw new IpvsToolsException($"The masquerade bit must be 0 to 31, not {masqueradeBit}.", FailureKind.InvalidArgument);
        var addressFamily = AddressFamilyOf(family);
        // The forms kube-proxy writes with its default options come first; masqueradeAll and a kube-proxy
        // without MASQUERADE --random-fully write other forms, accepted as well (a local-traffic detector's
        // form is open-ended: the ClusterIP rule's matcher takes it).
        var variants = new[]
        {
            new KubeProxyIptablesVariant(masqueradeBit, false, null, true),
            new KubeProxyIptablesVariant(masqueradeBit, true, null, true),
            new KubeProxyIptablesVariant(masqueradeBit, false, null, false),
        }.Select(v => Model(addressFamily, v)).ToList();
        var list = new List<KubeIptablesExpectation>();
        for (var i = 0; i < variants[0].Count; i++)
        {
            var item = variants[0][i];
            var forms = item.Rule is null ? null : variants.Select(v => v[i].Rule!.SavedSpecification(addressFamily)).Distinct(StringComparer.Ordinal).ToList();
            var e = new KubeIptablesExpectation(item.Kind, item.Table, item.Chain, forms, item.Purpose, item.ConditionSet, item.Matcher);
            e.Prepare(family);
            list.Add(e);
        }
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

    internal static AddressFamily AddressFamilyOf(IptablesFamily family)
        => family == IptablesFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;

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
}

/// <summary>The options of kube-proxy that change the form of its rules.</summary>
/// <param name="MasqueradeBit">--iptables-masquerade-bit.</param>
/// <param name="MasqueradeAll">--masquerade-all.</param>
/// <param name="IfNotLocal">The local-traffic detector's negated match (! -s CIDR, ! -i BRIDGE...), or null.</param>
/// <param name="RandomFully">Whether MASQUERADE takes --random-fully.</param>
internal sealed record KubeProxyIptablesVariant(int MasqueradeBit, bool MasqueradeAll, IReadOnlyList<string>? IfNotLocal, bool RandomFully);

/// <summary>One chain, jump or rule of <see cref="KubeProxyIptables.Model"/>: the rule as kube-proxy writes it, what it is for, when it is written.</summary>
internal sealed record KubeProxyIptablesItem(KubeIptablesCheckKind Kind, string Table, string Chain, KubeIptablesRule? Rule, string Purpose,
    string? ConditionSet, Func<IptablesRule, bool>? Matcher = null)
{
    /// <summary>A rule kube-proxy writes per Service (KUBE-IPVS-OUT-FILTER's -m ipvs DROP rules): not checked.</summary>
    public bool PerService { get; init; }
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
