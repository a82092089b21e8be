using System;
using System.Collections.Generic;
using System.Net;
using System.Text.Json;

namespace IpvsTools.KubeProxy.NftablesMode;

/// <summary>
/// Follows kube-proxy's nftables chains from a map element's chain down to the endpoint- chains' DNAT targets an
/// external client's connections reach, with each endpoint's share of the numgen vmap and the affinity timeout.
/// </summary>
internal sealed class NftablesChainWalker
{
    private const int MaxDepth = 8;
    private readonly NftablesTable _table;

    public NftablesChainWalker(NftablesTable table) => _table = table;

    public (IReadOnlyList<KubeProxyEndpoint> Endpoints, TimeSpan? Affinity) Resolve(string chain)
    {
        var endpoints = new List<KubeProxyEndpoint>();
        TimeSpan? affinity = null;
        Walk(chain, 0, endpoints, ref affinity);
        return (endpoints, affinity);
    }

    /// <summary>
    /// The Service and port name in a chain's name: <c>service-HASH-ns/name/tcp/portname</c> (likewise external-,
    /// local-, firewall-, and endpoint- with a <c>__IP/PORT</c> tail).
    /// </summary>
    public static (string? Service, string PortName) NameOf(string chain)
    {
        var first = chain.IndexOf('-');
        var second = first < 0 ? -1 : chain.IndexOf('-', first + 1);
        if (second < 0) return (null, "");
        var rest = chain.Substring(second + 1);
        var tail = rest.IndexOf("__", StringComparison.Ordinal);
        if (tail >= 0) rest = rest.Substring(0, tail);
        var parts = rest.Split('/');
        return parts.Length == 4 ? (parts[0] + "/" + parts[1], parts[3]) : (null, "");
    }

    private void Walk(string chain, int depth, List<KubeProxyEndpoint> endpoints, ref TimeSpan? affinity)
    {
        if (depth > MaxDepth) return;
        if (chain.StartsWith("external-", StringComparison.Ordinal))
        {
            // Short-circuits for pod and local sources, the masquerade mark, then the goto every other source
            // takes (to service- under Cluster policy, to local- under Local); none when Local has no local endpoint.
            foreach (var rule in _table.Rules(chain))
            {
                if (MatchesOnSource(rule)) continue;
                if (Verdict(rule) is { } target && IsPolicyChain(target))
                {
                    Walk(target, depth + 1, endpoints, ref affinity);
                    return;
                }
            }
            return;
        }
        if (!IsPolicyChain(chain)) return;
        foreach (var rule in _table.Rules(chain))
        {
            if (AffinitySet(rule) is { } set)
            {
                if (affinity is null && _table.SetTimeout(set) is { } seconds) affinity = TimeSpan.FromSeconds(seconds);
                continue;
            }
            if (NumgenChoices(rule) is not { } choices) continue;
            var (modulus, targets) = choices;
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            var order = new List<string>();
            foreach (var target in targets)
            {
                if (!counts.TryGetValue(target, out var count)) order.Add(target);
                counts[target] = count + 1;
            }
            foreach (var target in order)
            {
                if (Destination(target) is { } endpoint)
                    endpoints.Add(endpoint with { Probability = Math.Round((double)counts[target] / modulus, KubeProxyServiceBuilder.ProbabilityDigits) });
            }
            return;
        }
    }

    private static bool IsPolicyChain(string chain)
        => chain.StartsWith("service-", StringComparison.Ordinal) || chain.StartsWith("local-", StringComparison.Ordinal);

    /// <summary>True when the rule matches on the packet's source: ip saddr, ip6 saddr, fib saddr, or the incoming
    /// interface (meta iifname / iif, kube-proxy's interface-based local detection).</summary>
    private static bool MatchesOnSource(JsonElement rule)
    {
        foreach (var expr in rule.EnumerateArray())
        {
            if (!expr.TryGetProperty("match", out var match) || !match.TryGetProperty("left", out var left)) continue;
            if (left.TryGetProperty("payload", out var payload) && payload.TryGetProperty("field", out var field) && field.GetString() == "saddr") return true;
            if (left.TryGetProperty("meta", out var meta) && meta.TryGetProperty("key", out var key) && key.GetString() is "iifname" or "iif") return true;
            if (left.TryGetProperty("fib", out var fib) && fib.TryGetProperty("flags", out var flags) && flags.ValueKind == JsonValueKind.Array)
            {
                foreach (var flag in flags.EnumerateArray())
                {
                    if (flag.GetString() == "saddr") return true;
                }
            }
        }
        return false;
    }

    /// <summary>The chain of the rule's goto or jump verdict (its last statement).</summary>
    private static string? Verdict(JsonElement rule)
    {
        string? target = null;
        foreach (var expr in rule.EnumerateArray()) target = NftablesTable.VerdictTarget(expr) ?? target;
        return target;
    }

    /// <summary>The affinity set a rule <c>ip saddr @affinity-X goto endpoint-X</c> checks; null for other rules.</summary>
    private static string? AffinitySet(JsonElement rule)
    {
        foreach (var expr in rule.EnumerateArray())
        {
            if (expr.TryGetProperty("match", out var match) && match.TryGetProperty("right", out var right) && right.ValueKind == JsonValueKind.String
                && right.GetString() is { } text && text.StartsWith("@affinity-", StringComparison.Ordinal))
                return text.Substring(1);
        }
        return null;
    }

    /// <summary>The modulus and, value by value, the chains of <c>numgen random mod N vmap { 0 : goto A, 1 : goto B }</c>.</summary>
    private static (int Modulus, List<string> Targets)? NumgenChoices(JsonElement rule)
    {
        foreach (var expr in rule.EnumerateArray())
        {
            if (!expr.TryGetProperty("vmap", out var vmap) || !vmap.TryGetProperty("key", out var key) || !key.TryGetProperty("numgen", out var numgen)) continue;
            if (!numgen.TryGetProperty("mod", out var mod) || !mod.TryGetInt32(out var modulus) || modulus <= 0) continue;
            if (!vmap.TryGetProperty("data", out var data) || !data.TryGetProperty("set", out var set) || set.ValueKind != JsonValueKind.Array) continue;
            var targets = new List<string>();
            foreach (var pair in set.EnumerateArray())
            {
                if (pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2 && NftablesTable.VerdictTarget(pair[1]) is { } target) targets.Add(target);
            }
            return (modulus, targets);
        }
        return null;
    }

    /// <summary>The <c>dnat to IP:PORT</c> of an endpoint- chain.</summary>
    private KubeProxyEndpoint? Destination(string chain)
    {
        foreach (var rule in _table.Rules(chain))
        {
            foreach (var expr in rule.EnumerateArray())
            {
                if (!expr.TryGetProperty("dnat", out var dnat) || dnat.ValueKind != JsonValueKind.Object) continue;
                if (!dnat.TryGetProperty("addr", out var addr) || addr.ValueKind != JsonValueKind.String || !IPAddress.TryParse(addr.GetString(), out var address)) continue;
                if (!dnat.TryGetProperty("port", out var portValue) || NftablesTable.ReadPort(portValue) is not { } port) continue;
                return new KubeProxyEndpoint(address, port);
            }
        }
        return null;
    }
}
