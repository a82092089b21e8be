using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.IpvsMode;

/// <summary>One iptables rule as kube-proxy writes it: table, chain and the arguments after "-A CHAIN".</summary>
public sealed class KubeIptablesRule
{
    /// <summary>A rule.</summary>
    public KubeIptablesRule(string table, string chain, IReadOnlyList<string> arguments)
    {
        Table = table;
        Chain = chain;
        Arguments = arguments;
    }

    /// <summary>nat or filter.</summary>
    public string Table { get; }

    /// <summary>The chain it is appended to (for jumps: the built-in chain it is inserted into).</summary>
    public string Chain { get; }

    /// <summary>The match and target arguments, as kube-proxy writes them (comments in double quotes).</summary>
    public IReadOnlyList<string> Arguments { get; }

    /// <summary>"-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN".</summary>
    public override string ToString() => "-A " + Chain + " " + string.Join(" ", Arguments);

    /// <summary>The arguments as a process argument list (for `iptables -I`): comments without their quotes.</summary>
    public IReadOnlyList<string> ArgumentVector()
        => Arguments.Select(a => a.Length >= 2 && a[0] == '"' && a[^1] == '"' ? a.Substring(1, a.Length - 2) : a).ToList();

    /// <summary>
    /// The rule as iptables-save prints it back (measured with iptables 1.8.9, nft and legacy): marks
    /// without leading zeros, --or-mark X as --set-xmark X/X, --xor-mark X as --set-xmark X/0x0, and
    /// REJECT with its default --reject-with.
    /// </summary>
    public string SavedForm(AddressFamily family)
    {
        var args = new List<string>(Arguments.Count + 2);
        for (var i = 0; i < Arguments.Count; i++)
        {
            var a = Arguments[i];
            var next = i + 1 < Arguments.Count ? Arguments[i + 1] : null;
            if (a == "--mark" && next is not null)
            {
                args.Add(a);
                args.Add(string.Join("/", next.Split('/').Select(TrimHex)));
                i++;
            }
            else if (a == "--or-mark" && next is not null)
            {
                args.Add("--set-xmark");
                args.Add(TrimHex(next) + "/" + TrimHex(next));
                i++;
            }
            else if (a == "--xor-mark" && next is not null)
            {
                args.Add("--set-xmark");
                args.Add(TrimHex(next) + "/0x0");
                i++;
            }
            else
            {
                args.Add(a);
                if (a == "REJECT" && i > 0 && Arguments[i - 1] == "-j" && !Arguments.Contains("--reject-with"))
                {
                    args.Add("--reject-with");
                    args.Add(family == AddressFamily.InterNetworkV6 ? "icmp6-port-unreachable" : "icmp-port-unreachable");
                }
            }
        }
        return "-A " + Chain + " " + string.Join(" ", args);
    }

    private static string TrimHex(string value)
    {
        if (!value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) return value;
        var digits = value.Substring(2).TrimStart('0');
        return "0x" + (digits.Length == 0 ? "0" : digits.ToLowerInvariant());
    }
}

/// <summary>
/// The iptables (IPv4) or ip6tables (IPv6) state kube-proxy's IPVS mode writes for one family
/// (pkg/proxy/ipvs/proxier.go: createAndLinkKubeChain, writeIptablesRules): the KUBE-* chains it
/// owns (rewritten whole with iptables-restore --noflush), the jumps it inserts into the built-in
/// chains, and the rules of its chains.
/// </summary>
public sealed class KubeIptablesRules
{
    /// <summary>The rules of a family.</summary>
    public KubeIptablesRules(AddressFamily family, IReadOnlyList<KubeIptablesRule> jumps, IReadOnlyList<KubeIptablesRule> rules)
    {
        AddressFamily = family;
        Jumps = jumps;
        Rules = rules;
    }

    /// <summary>The chains kube-proxy owns in the nat table.</summary>
    public static IReadOnlyList<string> NatChains { get; } = new[] { "KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-NODE-PORT", "KUBE-LOAD-BALANCER", "KUBE-MARK-MASQ" };

    /// <summary>The chains kube-proxy owns in the filter table.</summary>
    public static IReadOnlyList<string> FilterChains { get; } = new[]
    {
        "KUBE-FORWARD", "KUBE-NODE-PORT", "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL", "KUBE-IPVS-FILTER", "KUBE-IPVS-OUT-FILTER",
    };

    /// <summary>InterNetwork (iptables) or InterNetworkV6 (ip6tables).</summary>
    public AddressFamily AddressFamily { get; }

    /// <summary>"iptables" or "ip6tables".</summary>
    public string Command => AddressFamily == AddressFamily.InterNetworkV6 ? "ip6tables" : "iptables";

    /// <summary>The jumps from built-in chains, inserted first in them (`iptables -w -I CHAIN ...`).</summary>
    public IReadOnlyList<KubeIptablesRule> Jumps { get; }

    /// <summary>The rules of kube-proxy's own chains, nat first, each table in kube-proxy's order.</summary>
    public IReadOnlyList<KubeIptablesRule> Rules { get; }

    /// <summary>What kube-proxy hands `iptables-restore -w --noflush --counters`: both tables, chains declared, rules, COMMIT.</summary>
    public string RestoreInput()
    {
        var text = new StringBuilder();
        foreach (var (table, chains) in new[] { ("nat", NatChains), ("filter", FilterChains) })
        {
            text.Append('*').Append(table).Append('\n');
            foreach (var c in chains) text.Append(':').Append(c).Append(" - [0:0]\n");
            foreach (var r in Rules.Where(r => r.Table == table)) text.Append(r).Append('\n');
            text.Append("COMMIT\n");
        }
        return text.ToString();
    }

    /// <summary>The restore input.</summary>
    public override string ToString() => RestoreInput();
}

/// <summary>Writes kube-proxy's IPVS-mode iptables rules for one family from the family's sets.</summary>
internal static class KubeIptablesRuleBuilder
{
    /// <summary>kube-proxy's default --iptables-masquerade-bit (14), as it prints it ("%#08x").</summary>
    private static string MasqueradeMark(int bit) => "0x" + (1 << bit).ToString("x6", CultureInfo.InvariantCulture);

    private static readonly (string Set, string Table, string From, string To, string Match, string? Protocol)[] SetRules =
    {
        (KubeIpsets.LoopBack, "nat", "KUBE-POSTROUTING", "MASQUERADE", "dst,dst,src", null),
        (KubeIpsets.LoadBalancer, "nat", "KUBE-SERVICES", "KUBE-LOAD-BALANCER", "dst,dst", null),
        (KubeIpsets.LoadBalancerLocal, "nat", "KUBE-LOAD-BALANCER", "RETURN", "dst,dst", null),
        (KubeIpsets.NodePortLocalTcp, "nat", "KUBE-NODE-PORT", "RETURN", "dst", "tcp"),
        (KubeIpsets.NodePortTcp, "nat", "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "tcp"),
        (KubeIpsets.NodePortLocalUdp, "nat", "KUBE-NODE-PORT", "RETURN", "dst", "udp"),
        (KubeIpsets.NodePortUdp, "nat", "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "udp"),
        (KubeIpsets.NodePortLocalSctp, "nat", "KUBE-NODE-PORT", "RETURN", "dst,dst", "sctp"),
        (KubeIpsets.NodePortSctp, "nat", "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst,dst", "sctp"),
        (KubeIpsets.LoadBalancerFirewall, "filter", "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL", "dst,dst", null),
        (KubeIpsets.LoadBalancerSourceCidr, "filter", "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", null),
        (KubeIpsets.LoadBalancerSourceIP, "filter", "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", null),
    };

    public static IReadOnlyList<KubeIptablesRule> Jumps { get; } = new[]
    {
        Rule("nat", "OUTPUT", "-m", "comment", "--comment", "\"kubernetes service portals\"", "-j", "KUBE-SERVICES"),
        Rule("nat", "PREROUTING", "-m", "comment", "--comment", "\"kubernetes service portals\"", "-j", "KUBE-SERVICES"),
        Rule("nat", "POSTROUTING", "-m", "comment", "--comment", "\"kubernetes postrouting rules\"", "-j", "KUBE-POSTROUTING"),
        Rule("filter", "FORWARD", "-m", "comment", "--comment", "\"kubernetes forwarding rules\"", "-j", "KUBE-FORWARD"),
        Rule("filter", "INPUT", "-m", "comment", "--comment", "\"kubernetes health check rules\"", "-j", "KUBE-NODE-PORT"),
        Rule("filter", "INPUT", "-m", "comment", "--comment", "\"kube-proxy firewall rules\"", "-j", "KUBE-PROXY-FIREWALL"),
        Rule("filter", "FORWARD", "-m", "comment", "--comment", "\"kube-proxy firewall rules\"", "-j", "KUBE-PROXY-FIREWALL"),
        Rule("filter", "INPUT", "-m", "comment", "--comment", "\"kubernetes ipvs access filter\"", "-j", "KUBE-IPVS-FILTER"),
        Rule("filter", "OUTPUT", "-m", "comment", "--comment", "\"kubernetes ipvs access filter\"", "-j", "KUBE-IPVS-OUT-FILTER"),
    };

    /// <summary>The rules for a family; <paramref name="sets"/> maps base set names to the family's sets.</summary>
    public static KubeIptablesRules Build(AddressFamily family, IReadOnlyDictionary<string, KubeIpsetSpec> sets,
        IReadOnlyList<(IPAddress Ip, IpvsProtocol Protocol, int Port)> lbNoNodeAccess, KubeProxyOptions options, KubeNode? node = null)
    {
        var nat = new List<KubeIptablesRule>();
        var filter = new List<KubeIptablesRule>();
        string Name(string set) => sets[set].Name;
        string Comment(string set) => "\"" + sets[set].Comment + "\"";
        bool Empty(string set) => sets[set].Members.Count == 0;
        var mark = MasqueradeMark(options.MasqueradeBit);

        nat.Add(Rule("nat", "KUBE-SERVICES", "-s", family == AddressFamily.InterNetworkV6 ? "::1/128" : "127.0.0.0/8", "-j", "RETURN"));
        foreach (var (set, table, from, to, match, protocol) in SetRules)
        {
            if (Empty(set)) continue;
            var args = new List<string>();
            if (protocol is not null) args.AddRange(new[] { "-p", protocol });
            args.AddRange(new[] { "-m", "comment", "--comment", Comment(set), "-m", "set", "--match-set", Name(set), match, "-j", to });
            (table == "nat" ? nat : filter).Add(new KubeIptablesRule(table, from, args));
        }

        if (!Empty(KubeIpsets.ClusterIP))
        {
            var args = new List<string> { "-m", "comment", "--comment", Comment(KubeIpsets.ClusterIP), "-m", "set", "--match-set", Name(KubeIpsets.ClusterIP) };
            var notLocal = KubeLocalDetector.IfNotLocal(options, family, node);
            if (options.MasqueradeAll) args.Add("dst,dst");
            else if (notLocal is not null) { args.Add("dst,dst"); args.AddRange(notLocal); }
            else args.Add("src,dst");
            args.AddRange(new[] { "-j", "KUBE-MARK-MASQ" });
            nat.Add(new KubeIptablesRule("nat", "KUBE-SERVICES", args));
        }

        void ExternalIPRules(List<string> match)
        {
            nat.Add(new KubeIptablesRule("nat", "KUBE-SERVICES", match.Concat(new[] { "-m", "physdev", "!", "--physdev-is-in", "-m", "addrtype", "!", "--src-type", "LOCAL", "-j", "ACCEPT" }).ToList()));
            nat.Add(new KubeIptablesRule("nat", "KUBE-SERVICES", match.Concat(new[] { "-m", "addrtype", "--dst-type", "LOCAL", "-j", "ACCEPT" }).ToList()));
        }
        foreach (var set in new[] { KubeIpsets.ExternalIP, KubeIpsets.ExternalIPLocal })
        {
            if (Empty(set)) continue;
            var match = new List<string> { "-m", "comment", "--comment", Comment(set), "-m", "set", "--match-set", Name(set), "dst,dst" };
            if (set == KubeIpsets.ExternalIP) nat.Add(new KubeIptablesRule("nat", "KUBE-SERVICES", match.Concat(new[] { "-j", "KUBE-MARK-MASQ" }).ToList()));
            ExternalIPRules(match);
        }

        nat.Add(Rule("nat", "KUBE-SERVICES", "-m", "addrtype", "--dst-type", "LOCAL", "-j", "KUBE-NODE-PORT"));
        nat.Add(Rule("nat", "KUBE-LOAD-BALANCER", "-j", "KUBE-MARK-MASQ"));
        filter.Add(Rule("filter", "KUBE-SOURCE-RANGES-FIREWALL", "-j", "DROP"));
        foreach (var (ip, protocol, port) in lbNoNodeAccess)
        {
            filter.Add(Rule("filter", "KUBE-IPVS-OUT-FILTER", "-s", ip.ToString(), "-m", "ipvs", "--vaddr", ip.ToString(),
                "--vproto", KubeIpsets.ProtocolName(protocol), "--vport", port.ToString(CultureInfo.InvariantCulture), "-j", "DROP"));
        }
        foreach (var set in new[] { KubeIpsets.ClusterIP, KubeIpsets.LoadBalancer })
        {
            if (!Empty(set)) nat.Add(Rule("nat", "KUBE-SERVICES", "-m", "set", "--match-set", Name(set), "dst,dst", "-j", "ACCEPT"));
        }
        filter.Add(Rule("filter", "KUBE-FORWARD", "-m", "comment", "--comment", "\"kubernetes forwarding rules\"", "-m", "mark", "--mark", mark + "/" + mark, "-j", "ACCEPT"));
        filter.Add(Rule("filter", "KUBE-FORWARD", "-m", "comment", "--comment", "\"kubernetes forwarding conntrack rule\"", "-m", "conntrack", "--ctstate", "RELATED,ESTABLISHED", "-j", "ACCEPT"));
        filter.Add(Rule("filter", "KUBE-NODE-PORT", "-m", "comment", "--comment", Comment(KubeIpsets.HealthCheckNodePort),
            "-m", "set", "--match-set", Name(KubeIpsets.HealthCheckNodePort), "dst", "-j", "ACCEPT"));
        foreach (var set in new[] { KubeIpsets.LoadBalancer, KubeIpsets.ClusterIP, KubeIpsets.ExternalIP, KubeIpsets.ExternalIPLocal })
            filter.Add(Rule("filter", "KUBE-IPVS-FILTER", "-m", "set", "--match-set", Name(set), "dst,dst", "-j", "RETURN"));
        filter.Add(Rule("filter", "KUBE-IPVS-FILTER", "-m", "set", "--match-set", Name(KubeIpsets.HealthCheckNodePort), "dst", "-j", "RETURN"));
        filter.Add(Rule("filter", "KUBE-IPVS-FILTER", "-m", "conntrack", "--ctstate", "NEW", "-m", "set", "--match-set", Name(KubeIpsets.IpvsIPs), "dst", "-j", "REJECT"));
        nat.Add(Rule("nat", "KUBE-POSTROUTING", "-m", "mark", "!", "--mark", mark + "/" + mark, "-j", "RETURN"));
        nat.Add(Rule("nat", "KUBE-POSTROUTING", "-j", "MARK", "--xor-mark", mark));
        var masq = new List<string> { "-m", "comment", "--comment", "\"kubernetes service traffic requiring SNAT\"", "-j", "MASQUERADE" };
        if (options.RandomFully) masq.Add("--random-fully");
        nat.Add(new KubeIptablesRule("nat", "KUBE-POSTROUTING", masq));
        nat.Add(Rule("nat", "KUBE-MARK-MASQ", "-j", "MARK", "--or-mark", mark));
        return new KubeIptablesRules(family, Jumps, nat.Concat(filter).ToList());
    }

    private static KubeIptablesRule Rule(string table, string chain, params string[] args) => new(table, chain, args);
}
