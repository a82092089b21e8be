using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy;

/// <summary>
/// Compares the front ends a node holds with the ones kube-proxy would program (both as <see cref="KubeProxyService"/>),
/// by value: matched by (protocol, address, port); then kind, endpoints (address and port, in any order) and affinity.
/// </summary>
/// <remarks>
/// What a mode cannot tell is not a difference: in nftables mode an external IP and a load-balancer ingress IP go
/// through the same chain (the reader's kind External matches either); node ports in iptables and nftables mode are
/// one front end at 0.0.0.0 or :: on both sides. Endpoint weights and probabilities are not compared: kube-proxy
/// always gives every endpoint an equal share.
/// </remarks>
public static class KubeProxyServiceComparison
{
    /// <summary>The differences, ordered as the expected front ends are, unexpected ones last; with
    /// <paramref name="includeEqual"/> one Equal entry for each front end that matches.</summary>
    public static IReadOnlyList<KubeProxyServiceDifference> Compare(IReadOnlyList<KubeProxyService> expected, IReadOnlyList<KubeProxyService> actual,
        KubeProxyMode mode, string? networkNamespace = null, bool includeEqual = false)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        var byKey = new Dictionary<(IpvsProtocol, IPAddress, ushort), KubeProxyService>();
        foreach (var a in actual) byKey.TryAdd((a.Protocol, a.Address, a.Port), a);
        var matched = new HashSet<(IpvsProtocol, IPAddress, ushort)>();
        var result = new List<KubeProxyServiceDifference>();
        KubeProxyServiceDifference Diff(KubeProxyService e, KubeProxyService? a, KubeProxyServiceDifferenceKind kind, string expectedText, string actualText)
            => new(mode, e.Protocol, e.Address, e.Port, e.Kind, e.Service ?? a?.Service, e.Service is not null ? e.PortName : a?.PortName ?? "",
                kind, expectedText, actualText, networkNamespace);

        foreach (var e in expected)
        {
            var key = (e.Protocol, e.Address, e.Port);
            if (!byKey.TryGetValue(key, out var a))
            {
                result.Add(Diff(e, null, KubeProxyServiceDifferenceKind.Missing, Describe(e), ""));
                continue;
            }
            matched.Add(key);
            var before = result.Count;
            if (!SameKind(e.Kind, a.Kind, mode))
                result.Add(Diff(e, a, KubeProxyServiceDifferenceKind.Kind, e.Kind.ToString(), a.Kind.ToString()));
            var expectedEndpoints = EndpointSet(e);
            var actualEndpoints = EndpointSet(a);
            if (!expectedEndpoints.SequenceEqual(actualEndpoints, StringComparer.Ordinal))
                result.Add(Diff(e, a, KubeProxyServiceDifferenceKind.Endpoints, Join(expectedEndpoints), Join(actualEndpoints)));
            if (e.Affinity != a.Affinity)
                result.Add(Diff(e, a, KubeProxyServiceDifferenceKind.Affinity, AffinityText(e.Affinity), AffinityText(a.Affinity)));
            if (includeEqual && result.Count == before)
                result.Add(Diff(e, a, KubeProxyServiceDifferenceKind.Equal, Describe(e), Describe(a)));
        }
        foreach (var a in actual)
        {
            if (matched.Contains((a.Protocol, a.Address, a.Port))) continue;
            result.Add(new KubeProxyServiceDifference(mode, a.Protocol, a.Address, a.Port, a.Kind, a.Service, a.PortName,
                KubeProxyServiceDifferenceKind.Unexpected, "", Describe(a), networkNamespace));
        }
        return result;
    }

    /// <summary>Whether the node's kind is the expected one, as far as the mode can tell.</summary>
    public static bool SameKind(KubeProxyServiceKind expected, KubeProxyServiceKind actual, KubeProxyMode mode)
        => expected == actual
           || (actual == KubeProxyServiceKind.External && expected is KubeProxyServiceKind.ExternalIP or KubeProxyServiceKind.LoadBalancer)
           || (expected == KubeProxyServiceKind.External && actual is KubeProxyServiceKind.ExternalIP or KubeProxyServiceKind.LoadBalancer);

    /// <summary><c>ClusterIP -> 10.180.0.1:80, 10.180.0.2:80 (affinity 10800 s)</c>; <c>-> (rejected)</c> without endpoints
    /// (the Service is the difference's own property).</summary>
    public static string Describe(KubeProxyService s)
        => s.Kind + " -> " + Join(EndpointSet(s)) + (s.Affinity is { } t ? " (affinity " + t.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s)" : "");

    private static List<string> EndpointSet(KubeProxyService s)
    {
        var list = s.Endpoints.Select(e => e.ToString()).Distinct(StringComparer.Ordinal).ToList();
        list.Sort(StringComparer.Ordinal);
        return list;
    }

    private static string Join(List<string> endpoints) => endpoints.Count == 0 ? "(rejected)" : string.Join(", ", endpoints);

    private static string AffinityText(TimeSpan? affinity)
        => affinity is { } t ? "ClientIP " + t.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s" : "none";
}
