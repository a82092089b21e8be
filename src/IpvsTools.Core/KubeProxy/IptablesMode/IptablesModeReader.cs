using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.IptablesMode;

/// <summary>
/// Reads kube-proxy's iptables-mode data plane as Service front ends. From the nat table: every rule of
/// KUBE-SERVICES that jumps to a KUBE-SVC-, KUBE-SVL-, KUBE-EXT- or KUBE-FW- chain is a ClusterIP, external IP or
/// load-balancer front end (kube-proxy's comment "ns/name:port cluster IP|external IP|loadbalancer IP" names it),
/// every rule of KUBE-NODEPORTS a node port; the chains are followed down to the KUBE-SEP- chains' DNAT targets.
/// From the filter table: the REJECT and DROP rules kube-proxy writes for front ends with no (local) endpoints.
/// </summary>
/// <remarks>
/// The walk follows what an external client's packet meets: in a KUBE-EXT- chain the rules that match on the
/// source (pod traffic, LOCAL traffic) are passed over; in a KUBE-FW- chain the load-balancer source ranges do not
/// change the endpoints; in a KUBE-SVC-/KUBE-SVL- chain the statistic matches give each endpoint its share, and the
/// recent-match rules the affinity timeout. Chains no rule of KUBE-SERVICES or KUBE-NODEPORTS reaches (stale
/// chains) are not front ends.
/// </remarks>
public static class IptablesModeReader
{
    private const string Nat = "nat";
    private const string Filter = "filter";

    /// <summary>Reads both families with the system's iptables-save and ip6tables-save in the namespace.</summary>
    public static IReadOnlyList<KubeProxyService> Read(NetworkNamespace? ns = null, IptablesBackend? backend = null)
    {
        var services = new List<KubeProxyService>();
        foreach (var family in new[] { IptablesFamily.IPv4, IptablesFamily.IPv6 })
            services.AddRange(Read(IptablesClient.Open(family, backend, ns).Read()));
        return services;
    }

    /// <summary>The front ends of one family's ruleset (what iptables-save or ip6tables-save printed).</summary>
    public static IReadOnlyList<KubeProxyService> Read(IptablesRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var family = ruleset.Family == IptablesFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var builder = new KubeProxyServiceBuilder(KubeProxyMode.Iptables, ruleset.NetworkNamespace);
        var walker = new ChainWalker(ruleset);

        foreach (var rule in ruleset.RulesOf(Nat, "KUBE-SERVICES"))
        {
            if (!IsServiceChain(rule.Target)) continue;
            if (Protocol(rule) is not { } protocol || DestinationPort(rule) is not { } port || Host(rule.Destination) is not { } address) continue;
            var (name, portName, kind) = ReadComment(rule.Comment);
            var (endpoints, affinity) = walker.Resolve(rule.Target!);
            builder.Add(protocol, address, port, kind ?? KubeProxyServiceKind.External, name, portName, endpoints, affinity);
        }
        foreach (var rule in ruleset.RulesOf(Nat, "KUBE-NODEPORTS"))
        {
            if (!IsServiceChain(rule.Target)) continue;
            if (Protocol(rule) is not { } protocol || DestinationPort(rule) is not { } port) continue;
            var (name, portName) = KubeProxyServiceBuilder.SplitServicePortName(FirstWord(rule.Comment));
            var (endpoints, affinity) = walker.Resolve(rule.Target!);
            builder.Add(protocol, KubeProxyServiceBuilder.AnyAddress(family), port, KubeProxyServiceKind.NodePort, name, portName, endpoints, affinity);
        }
        // Front ends kube-proxy rejects or drops: no endpoints at all (ClusterIPs in KUBE-SERVICES, the others in
        // KUBE-EXTERNAL-SERVICES), or Local policy without a local endpoint.
        foreach (var chain in new[] { "KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES" })
        {
            foreach (var rule in ruleset.RulesOf(Filter, chain))
            {
                if (rule.Target is not ("REJECT" or "DROP")) continue;
                var comment = rule.Comment ?? "";
                if (!comment.EndsWith(" has no endpoints", StringComparison.Ordinal) && !comment.EndsWith(" has no local endpoints", StringComparison.Ordinal)) continue;
                if (Protocol(rule) is not { } protocol || DestinationPort(rule) is not { } port) continue;
                var (name, portName) = KubeProxyServiceBuilder.SplitServicePortName(FirstWord(comment));
                var isNodePort = rule.Destination is null && rule.MatchOption("addrtype", "--dst-type")?.Value == "LOCAL";
                if (isNodePort)
                {
                    builder.Add(protocol, KubeProxyServiceBuilder.AnyAddress(family), port, KubeProxyServiceKind.NodePort, name, portName, Array.Empty<KubeProxyEndpoint>(), null);
                    continue;
                }
                if (Host(rule.Destination) is not { } address) continue;
                // The filter rule does not say whether an external address is an external IP or a load balancer's.
                var kind = chain == "KUBE-SERVICES" ? KubeProxyServiceKind.ClusterIP : KubeProxyServiceKind.External;
                builder.Add(protocol, address, port, kind, name, portName, Array.Empty<KubeProxyEndpoint>(), null);
            }
        }
        return builder.Build();
    }

    internal static bool IsServiceChain(string? target)
        => target is not null && (target.StartsWith("KUBE-SVC-", StringComparison.Ordinal) || target.StartsWith("KUBE-SVL-", StringComparison.Ordinal)
            || target.StartsWith("KUBE-EXT-", StringComparison.Ordinal) || target.StartsWith("KUBE-FW-", StringComparison.Ordinal));

    /// <summary>kube-proxy's comment on a KUBE-SERVICES rule: "ns/name:port cluster IP" and the like.</summary>
    private static (string? Service, string PortName, KubeProxyServiceKind? Kind) ReadComment(string? comment)
    {
        var (service, portName) = KubeProxyServiceBuilder.SplitServicePortName(FirstWord(comment));
        KubeProxyServiceKind? kind = null;
        if (comment is not null)
        {
            if (comment.EndsWith(" cluster IP", StringComparison.Ordinal)) kind = KubeProxyServiceKind.ClusterIP;
            else if (comment.EndsWith(" external IP", StringComparison.Ordinal)) kind = KubeProxyServiceKind.ExternalIP;
            else if (comment.EndsWith(" loadbalancer IP", StringComparison.Ordinal)) kind = KubeProxyServiceKind.LoadBalancer;
        }
        return (service, portName, kind);
    }

    private static string? FirstWord(string? text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        var space = text.IndexOf(' ');
        return space < 0 ? text : text.Substring(0, space);
    }

    internal static IpvsProtocol? Protocol(IptablesRule rule)
        => rule.Protocol is { } p && !p.StartsWith('!') ? KubeProxyServiceBuilder.ParseProtocol(p) : null;

    internal static ushort? DestinationPort(IptablesRule rule)
    {
        foreach (var module in new[] { "tcp", "udp", "sctp", "multiport" })
        {
            var option = rule.MatchOption(module, "--dport") ?? rule.MatchOption(module, "--destination-port");
            if (option is { IsNegated: false, Value: { } value } && ushort.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
                return port;
        }
        return null;
    }

    /// <summary>The address of a single-host destination (a /32 or /128, or no prefix); null otherwise.</summary>
    internal static IPAddress? Host(string? destination)
    {
        if (destination is null || destination.StartsWith('!')) return null;
        var slash = destination.IndexOf('/');
        var text = slash < 0 ? destination : destination.Substring(0, slash);
        if (!IPAddress.TryParse(text, out var address)) return null;
        if (slash >= 0)
        {
            var full = address.AddressFamily == AddressFamily.InterNetworkV6 ? 128 : 32;
            if (!int.TryParse(destination.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length != full) return null;
        }
        return address;
    }
}
