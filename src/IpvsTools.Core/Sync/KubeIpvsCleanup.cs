using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>
/// What `kube-proxy --cleanup` removes in IPVS mode, planned from a fresh read of the node and done
/// safely: first, per family, the jumps into kube-proxy's chains and the chains themselves (one
/// iptables-restore: rules go before the sets they reference), then the virtual servers that are the
/// cluster's by the planner's rule (address on kube-ipvs0, or a node address with a port in the NodePort
/// range; never an excluded address), then kube-proxy's KUBE-* sets, then kube-ipvs0 with its addresses.
/// Other virtual servers are foreign and left alone unless <c>includeForeign</c>; other chains and sets
/// (kubelet's KUBE-FIREWALL, anyone's own) are never touched.
/// </summary>
public static class KubeIpvsCleanup
{
    private static readonly (string Table, IReadOnlyList<string> Chains)[] Owned =
    [
        ("nat", KubeIptablesRules.NatChains),
        ("filter", KubeIptablesRules.FilterChains),
    ];

    /// <summary>The removals for <paramref name="actual"/>; <paramref name="options"/> gives the node addresses, NodePort range and excluded CIDRs.</summary>
    public static KubeIpvsPlan Plan(KubeNodeActualState actual, KubeProxyOptions options, bool includeForeign = false)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(options);
        var operations = new List<KubeIpvsOperation>();
        foreach (var ruleset in actual.Iptables ?? Array.Empty<IptablesRuleset>())
        {
            var (input, chains) = DeletionInput(ruleset);
            if (chains.Count > 0) operations.Add(KubeIptablesOperation.DeleteChains(ruleset.Family, input, chains));
        }

        var foreign = new List<IpvsServiceKey>();
        KubeIpvsPlanner.PlanStaleServers(actual.Services, new HashSet<IPAddress>(actual.DummyAddresses), options, includeForeign, operations, foreign);

        foreach (var set in actual.Ipsets.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            if (KubeIpsetDefinition.Find(set.Name) is not null) operations.Add(KubeIpsetOperation.DestroySet(set.Name, "kube-proxy's"));
        }
        if (actual.DummyLinkExists) operations.Add(KubeLinkOperation.DeleteDummyLink());
        return new KubeIpvsPlan(operations, Array.Empty<KubeDrainingDestination>(), foreign);
    }

    /// <summary>
    /// iptables-restore --noflush input that deletes every rule outside kube-proxy's chains that jumps into
    /// one, then flushes and deletes the chains that exist; and the chains as "table/chain".
    /// </summary>
    internal static (string Input, IReadOnlyList<string> Chains) DeletionInput(IptablesRuleset ruleset)
    {
        var text = new StringBuilder();
        var deleted = new List<string>();
        foreach (var (table, owned) in Owned)
        {
            var present = owned.Where(c => ruleset.FindChain(table, c) is not null).ToList();
            if (present.Count == 0) continue;
            var ownedSet = new HashSet<string>(owned, StringComparer.Ordinal);
            text.Append('*').Append(table).Append('\n');
            foreach (var rule in ruleset.Rules.Where(r => r.Table == table && !ownedSet.Contains(r.Chain) && r.Target is { } t && ownedSet.Contains(t)))
                text.Append("-D ").Append(rule.Chain).Append(' ').Append(rule.Specification).Append('\n');
            foreach (var c in present) text.Append(':').Append(c).Append(" - [0:0]\n");
            foreach (var c in present) text.Append("-X ").Append(c).Append('\n');
            text.Append("COMMIT\n");
            deleted.AddRange(present.Select(c => table + "/" + c));
        }
        return (text.ToString(), deleted);
    }
}
