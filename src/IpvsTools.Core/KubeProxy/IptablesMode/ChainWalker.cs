using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using IpvsTools.Iptables;

namespace IpvsTools.KubeProxy.IptablesMode;

/// <summary>
/// Follows kube-proxy's nat chains from a front end's chain down to the DNAT targets an external client's
/// connections reach, with each endpoint's share and the affinity timeout.
/// </summary>
internal sealed class ChainWalker
{
    private const int MaxDepth = 8;
    private readonly IptablesRuleset _ruleset;

    public ChainWalker(IptablesRuleset ruleset) => _ruleset = ruleset;

    public (IReadOnlyList<KubeProxyEndpoint> Endpoints, TimeSpan? Affinity) Resolve(string chain)
    {
        var endpoints = new List<KubeProxyEndpoint>();
        TimeSpan? affinity = null;
        Walk(chain, 0, endpoints, ref affinity);
        return (endpoints, affinity);
    }

    private void Walk(string chain, int depth, List<KubeProxyEndpoint> endpoints, ref TimeSpan? affinity)
    {
        if (depth > MaxDepth) return;
        if (chain.StartsWith("KUBE-FW-", StringComparison.Ordinal) || chain.StartsWith("KUBE-EXT-", StringComparison.Ordinal))
        {
            // KUBE-FW-: "-s RANGE -j KUBE-EXT-" per allowed range, then a rule that only counts (the filter table
            // drops the rest); source ranges do not change the endpoints, so the first jump onwards is the path.
            // KUBE-EXT-: short-circuits for pod and LOCAL sources, a KUBE-MARK-MASQ, then the jump every other
            // source takes; under Local policy with no local endpoint there is none (or older kube-proxy's
            // KUBE-SVL- chain that marks for drop).
            var isFirewall = chain.StartsWith("KUBE-FW-", StringComparison.Ordinal);
            foreach (var rule in _ruleset.RulesOf("nat", chain))
            {
                if (!IptablesModeReader.IsServiceChain(rule.Target) || rule.Target == chain) continue;
                if (!isFirewall && MatchesOnSource(rule)) continue;
                Walk(rule.Target!, depth + 1, endpoints, ref affinity);
                return;
            }
            return;
        }
        if (chain.StartsWith("KUBE-SVC-", StringComparison.Ordinal) || chain.StartsWith("KUBE-SVL-", StringComparison.Ordinal))
        {
            var remaining = 1.0;
            foreach (var rule in _ruleset.RulesOf("nat", chain))
            {
                if (rule.Target is not { } target || !target.StartsWith("KUBE-SEP-", StringComparison.Ordinal)) continue;
                if (rule.MatchOption("recent", "--rcheck") is not null)
                {
                    // Affinity: a connection from a client seen within --seconds goes back to the same endpoint.
                    if (affinity is null && rule.MatchOption("recent", "--seconds")?.Value is { } seconds
                        && uint.TryParse(seconds, NumberStyles.None, CultureInfo.InvariantCulture, out var s))
                        affinity = TimeSpan.FromSeconds(s);
                    continue;
                }
                if (remaining <= 0) break;
                double share;
                var probability = rule.MatchOption("statistic", "--probability")?.Value;
                if (probability is not null && double.TryParse(probability, NumberStyles.Float, CultureInfo.InvariantCulture, out var p))
                {
                    share = remaining * p;
                    remaining -= share;
                }
                else
                {
                    share = remaining;
                    remaining = 0;
                }
                if (Destination(target) is { } endpoint)
                    endpoints.Add(endpoint with { Probability = Math.Round(share, KubeProxyServiceBuilder.ProbabilityDigits) });
            }
        }
    }

    /// <summary>A rule for some sources only: by address (-s, pod CIDR), by incoming interface (-i, kube-proxy's
    /// interface-based local detection), or LOCAL source addresses.</summary>
    private static bool MatchesOnSource(IptablesRule rule)
        => rule.Source is not null || rule.InInterface is not null || rule.MatchOption("addrtype", "--src-type") is not null;

    /// <summary>The DNAT target of a KUBE-SEP- chain.</summary>
    private KubeProxyEndpoint? Destination(string sepChain)
    {
        foreach (var rule in _ruleset.RulesOf("nat", sepChain))
        {
            if (rule.Target != "DNAT") continue;
            foreach (var option in rule.TargetOptions)
            {
                if (option.Name == "--to-destination" && option.Value is { } value && ParseEndpoint(value) is { } endpoint) return endpoint;
            }
        }
        return null;
    }

    /// <summary>"10.180.0.1:80" or "[fd00::1]:80".</summary>
    internal static KubeProxyEndpoint? ParseEndpoint(string text)
    {
        string host, port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0) return null;
            host = text.Substring(1, close - 1);
            port = text.Substring(close + 2);
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon < 0) return null;
            host = text.Substring(0, colon);
            port = text.Substring(colon + 1);
        }
        return IPAddress.TryParse(host, out var address) && ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p)
            ? new KubeProxyEndpoint(address, p)
            : null;
    }
}
