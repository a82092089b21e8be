using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IpvsTools.Cluster;
using IpvsTools.Iptables;
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
    /// without leading zeros, --or-mark X as --set-xmark X/X, --xor-mark X as --set-xmark X/0x0,
    /// REJECT with its default --reject-with, comments quoted as iptables-save quotes them.
    /// </summary>
    public string SavedForm(AddressFamily family) => "-A " + Chain + " " + SavedSpecification(family);

    /// <summary><see cref="SavedForm"/> without "-A CHAIN ": the form Test-KubeIptablesRule shows.</summary>
    public string SavedSpecification(AddressFamily family)
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
            else if (a.Length >= 2 && a[0] == '"' && a[^1] == '"')
            {
                args.Add(IptablesText.QuoteString(a.Substring(1, a.Length - 2)));
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
        return string.Join(" ", args);
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
    public static IReadOnlyList<string> NatChains { get; } = KubeProxyIptables.ChainsOf("nat");

    /// <summary>The chains kube-proxy owns in the filter table.</summary>
    public static IReadOnlyList<string> FilterChains { get; } = KubeProxyIptables.ChainsOf("filter");

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

/// <summary>Writes kube-proxy's IPVS-mode iptables rules for one family from <see cref="KubeProxyIptables.Model"/>.</summary>
internal static class KubeIptablesRuleBuilder
{
    /// <summary>
    /// The rules for a family: the model under the node's options, without the rules of the family's
    /// sets that have no members (kube-proxy writes those only for a set with members).
    /// </summary>
    public static KubeIptablesRules Build(AddressFamily family, IEnumerable<KubeDesiredIpset> sets,
        IReadOnlyList<(IPAddress Ip, IpvsProtocol Protocol, int Port)> lbNoNodeAccess, KubeProxyOptions options, KubeNode? node = null)
    {
        var nonEmpty = sets.Where(s => s.Members.Count > 0).Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var variant = new KubeProxyIptablesVariant(options.MasqueradeBit, options.MasqueradeAll, KubeLocalDetector.IfNotLocal(options, family, node), options.RandomFully);
        var model = KubeProxyIptables.Model(family, variant, lbNoNodeAccess);
        var jumps = model.Where(i => i.Kind == KubeIptablesCheckKind.Jump).Select(i => i.Rule!).ToList();
        var rules = model.Where(i => i.Kind == KubeIptablesCheckKind.Rule && (i.ConditionSet is null || nonEmpty.Contains(i.ConditionSet))).Select(i => i.Rule!).ToList();
        return new KubeIptablesRules(family, jumps, rules.Where(r => r.Table == "nat").Concat(rules.Where(r => r.Table == "filter")).ToList());
    }
}
