using System;
using System.Collections.Generic;
using System.Linq;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Diagnostics;

/// <summary>
/// What a missing part of kube-proxy's IPVS-mode state breaks when the VIP still answers (its writeIptablesRules
/// and ipset comments say what each part is for): masquerade of NodePort, external and off-cluster traffic
/// (KUBE-MARK-MASQ, KUBE-POSTROUTING), hairpin through KUBE-LOOP-BACK, loadBalancerSourceRanges
/// (KUBE-PROXY-FIREWALL), the filter of other clients (KUBE-IPVS-FILTER rejects what arrives from off the node
/// for a Service address:port it does not know), forwarding, health-check node ports.
/// </summary>
internal static class ReachabilityEffects
{
    public const string Masquerade = "masquerade of NodePort, external and off-cluster traffic";
    public const string Hairpin = "hairpin through KUBE-LOOP-BACK (a pod reaching itself through the Service)";
    public const string SourceRanges = "loadBalancerSourceRanges";
    public const string OtherClients = "clients off the node, pods included (KUBE-IPVS-FILTER rejects them)";
    public const string OtherPorts = "the rejection of other ports of Service addresses";
    public const string LocalPolicy = "the client address kept by externalTrafficPolicy Local";
    public const string Forwarding = "forwarding of Service traffic when the FORWARD policy drops";
    public const string HealthCheck = "health-check node ports";

    /// <summary>The effects of missing members of these sets (KUBE-* or KUBE-6-* names).</summary>
    public static IReadOnlyList<string> OfIpsets(IEnumerable<string> sets)
    {
        var result = new List<string>();
        foreach (var name in sets.Select(n => n.Replace("KUBE-6-", "KUBE-", StringComparison.Ordinal)).Distinct())
        {
            switch (name)
            {
                case "KUBE-LOOP-BACK": result.Add(Hairpin); break;
                case "KUBE-CLUSTER-IP" or "KUBE-EXTERNAL-IP" or "KUBE-LOAD-BALANCER": result.Add(OtherClients); result.Add(Masquerade); break;
                case "KUBE-NODE-PORT-TCP" or "KUBE-NODE-PORT-UDP" or "KUBE-NODE-PORT-SCTP-HASH": result.Add(Masquerade); break;
                case "KUBE-IPVS-IPS": result.Add(OtherPorts); break;
                case "KUBE-LOAD-BALANCER-FW" or "KUBE-LOAD-BALANCER-SOURCE-CIDR" or "KUBE-LOAD-BALANCER-SOURCE-IP": result.Add(SourceRanges); break;
                case "KUBE-HEALTH-CHECK-NODE-PORT": result.Add(HealthCheck); break;
                default:
                    if (name.EndsWith("-LOCAL", StringComparison.Ordinal) || name.Contains("-LOCAL-", StringComparison.Ordinal)) result.Add(LocalPolicy);
                    break;
            }
        }
        return result.Distinct().ToList();
    }

    /// <summary>The effects of these missing chains, jumps and rules.</summary>
    public static IReadOnlyList<string> OfIptables(IEnumerable<KubeIptablesCheck> missing)
    {
        var result = new List<string>();
        foreach (var c in missing)
        {
            var target = c.Kind == KubeIptablesCheckKind.Jump ? TargetOf(c.Rule) : c.Chain;
            if (c.Sets.Any(s => s.EndsWith("LOOP-BACK", StringComparison.Ordinal))) result.Add(Hairpin);
            else if (c.Sets.Any(s => s.Contains("-LOCAL", StringComparison.Ordinal))) result.Add(LocalPolicy);
            else if (target is "KUBE-PROXY-FIREWALL" or "KUBE-SOURCE-RANGES-FIREWALL" || c.Chain is "KUBE-PROXY-FIREWALL" or "KUBE-SOURCE-RANGES-FIREWALL"
                     || c.Sets.Any(s => s.Contains("LOAD-BALANCER-FW", StringComparison.Ordinal) || s.Contains("SOURCE-", StringComparison.Ordinal)))
                result.Add(SourceRanges);
            else if (target == "KUBE-FORWARD") result.Add(Forwarding);
            else if (target is "KUBE-IPVS-FILTER" or "KUBE-IPVS-OUT-FILTER") result.Add(OtherPorts);
            else if (c.Table == "filter" && target == "KUBE-NODE-PORT") result.Add(HealthCheck);
            else if (c.Table == "nat") result.Add(Masquerade);
        }
        return result.Distinct().ToList();
    }

    private static string? TargetOf(string? rule)
    {
        if (rule is null) return null;
        var at = rule.LastIndexOf("-j ", StringComparison.Ordinal);
        return at < 0 ? null : rule[(at + 3)..].Split(' ')[0];
    }
}
