using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IptablesMode;
using IpvsTools.KubeProxy.NftablesMode;

namespace IpvsTools.Diagnostics;

/// <summary>One hook that brings packets to kube-proxy's rules (a jump from a built-in chain, or a base chain of its
/// nftables table), what it is for, and whether the node has it.</summary>
/// <param name="Description">"nat PREROUTING -j KUBE-SERVICES" or "chain nat-output (type nat hook output) jump services".</param>
/// <param name="Purpose">Which traffic needs it: "traffic from pods and other hosts", "traffic from the node itself", "masquerade".</param>
/// <param name="Present">Whether the node has it.</param>
public sealed record ProxyModeHook(string Description, string Purpose, bool Present);

/// <summary>
/// What Test-ServiceReachability needs of kube-proxy's iptables-mode or nftables-mode rules for one IP family, beyond the
/// front ends themselves: the hooks that bring packets to them, the rule or map element that rejects or drops a front end
/// with no endpoints, and which node addresses take node ports.
/// </summary>
/// <remarks>
/// iptables mode (kubernetes pkg/proxy/iptables): nat PREROUTING and OUTPUT jump to KUBE-SERVICES ("kubernetes service
/// portals"), nat POSTROUTING to KUBE-POSTROUTING; KUBE-SERVICES ends with <c>-m addrtype --dst-type LOCAL -j
/// KUBE-NODEPORTS</c>; front ends without endpoints are rejected or dropped in the filter table's KUBE-SERVICES
/// (reached from filter OUTPUT and FORWARD) and KUBE-EXTERNAL-SERVICES (from filter INPUT and FORWARD), with comments
/// "ns/name:port has no endpoints" or "... has no local endpoints". Node ports on 127.0.0.0/8 have rules of their own
/// and need net.ipv4.conf.all.route_localnet=1.
/// nftables mode (pkg/proxy/nftables): table <c>ip kube-proxy</c> / <c>ip6 kube-proxy</c>, base chains nat-prerouting
/// and nat-output (type nat, hooks prerouting and output) jumping to <c>services</c>, nat-postrouting (hook postrouting)
/// jumping to <c>masquerading</c>; the maps no-endpoint-services and no-endpoint-nodeports send front ends without
/// endpoints to drop or to reject-chain; node ports are taken on the addresses of the nodeport-ips set, or on every local
/// address when the services chain matches <c>fib daddr type local</c>.
/// </remarks>
public sealed class ProxyModeRules
{
    private readonly Func<IpvsProtocol, IPAddress?, ushort, string?> _noEndpointRule;

    private ProxyModeRules(KubeProxyMode mode, AddressFamily family, bool present, IReadOnlyList<ProxyModeHook> hooks,
        Func<IpvsProtocol, IPAddress?, ushort, string?> noEndpointRule, IReadOnlyList<IPAddress>? nodePortAddresses, bool localhostNodePorts)
    {
        Mode = mode;
        AddressFamily = family;
        Present = present;
        Hooks = hooks;
        _noEndpointRule = noEndpointRule;
        NodePortAddresses = nodePortAddresses;
        LocalhostNodePorts = localhostNodePorts;
    }

    public KubeProxyMode Mode { get; }
    public AddressFamily AddressFamily { get; }

    /// <summary>kube-proxy's rules of this mode exist for the family (nftables: the table; iptables: nat KUBE-SERVICES).</summary>
    public bool Present { get; }

    /// <summary>The hooks that bring packets to the rules.</summary>
    public IReadOnlyList<ProxyModeHook> Hooks { get; }

    /// <summary>The addresses node ports are taken on (nftables' nodeport-ips); null when every local address takes them.</summary>
    public IReadOnlyList<IPAddress>? NodePortAddresses { get; }

    /// <summary>iptables mode: KUBE-NODEPORTS has rules for 127.0.0.0/8 (node ports on localhost, which need route_localnet=1).</summary>
    public bool LocalhostNodePorts { get; }

    /// <summary>
    /// The rule or map element that rejects or drops the front end because it has no (local) endpoints, as the node holds
    /// it; null when there is none. <paramref name="address"/> null: a node port.
    /// </summary>
    public string? NoEndpointRule(IpvsProtocol protocol, IPAddress? address, ushort port) => _noEndpointRule(protocol, address, port);

    /// <summary>kube-proxy's iptables-mode rules in one family's ruleset (iptables-save or ip6tables-save).</summary>
    public static ProxyModeRules FromIptables(IptablesRuleset ruleset)
    {
        ArgumentNullException.ThrowIfNull(ruleset);
        var family = ruleset.Family == IptablesFamily.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        bool Jumps(string table, string chain, string target) => ruleset.RulesOf(table, chain).Any(r => r.Target == target);
        var hooks = new List<ProxyModeHook>
        {
            new("nat PREROUTING -j KUBE-SERVICES", "traffic from pods and other hosts", Jumps("nat", "PREROUTING", "KUBE-SERVICES")),
            new("nat OUTPUT -j KUBE-SERVICES", "traffic from the node itself", Jumps("nat", "OUTPUT", "KUBE-SERVICES")),
            new("nat POSTROUTING -j KUBE-POSTROUTING", "masquerade (node ports, external and hairpin traffic)", Jumps("nat", "POSTROUTING", "KUBE-POSTROUTING")),
            new("nat KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS", "node ports", Jumps("nat", "KUBE-SERVICES", "KUBE-NODEPORTS")),
        };
        var present = ruleset.FindChain("nat", "KUBE-SERVICES") is not null;
        var localhost = ruleset.RulesOf("nat", "KUBE-NODEPORTS").Any(r => r.Destination is "127.0.0.0/8");

        string? NoEndpoint(IpvsProtocol protocol, IPAddress? address, ushort port)
        {
            foreach (var chain in new[] { "KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES" })
            {
                foreach (var rule in ruleset.RulesOf("filter", chain))
                {
                    if (rule.Target is not ("REJECT" or "DROP")) continue;
                    if (IptablesModeReader.Protocol(rule) != protocol || IptablesModeReader.DestinationPort(rule) != port) continue;
                    var matches = address is null
                        ? rule.Destination is null && rule.MatchOption("addrtype", "--dst-type")?.Value == "LOCAL"
                        : IptablesModeReader.Host(rule.Destination) is { } host && host.Equals(address);
                    if (matches) return "filter " + rule;
                }
            }
            return null;
        }
        return new ProxyModeRules(KubeProxyMode.Iptables, family, present, hooks, NoEndpoint, null, localhost);
    }

    /// <summary>
    /// kube-proxy's nftables-mode rules of one family, from what <c>nft -j list table ip|ip6 kube-proxy</c> printed
    /// (null: the table does not exist).
    /// </summary>
    public static ProxyModeRules FromNftables(string? json, AddressFamily family)
    {
        var tableName = (family == AddressFamily.InterNetworkV6 ? "ip6 " : "ip ") + NftablesModeReader.TableName;
        if (json is null)
        {
            var missing = new List<ProxyModeHook>
            {
                new($"table {tableName}", "every Service front end", false),
            };
            return new ProxyModeRules(KubeProxyMode.Nftables, family, false, missing, (_, _, _) => null, null, false);
        }
        using var document = JsonDocument.Parse(json);
        var chains = new Dictionary<string, (string? Type, string? Hook)>(StringComparer.Ordinal);
        var rules = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var noEndpoint = new List<(NftablesMapElement Element, string Verdict, bool NodePort)>();
        var nodePortIps = new List<IPAddress>();
        if (document.RootElement.TryGetProperty("nftables", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                if (item.TryGetProperty("chain", out var chain) && Text(chain, "name") is { } chainName)
                {
                    chains[chainName] = (Text(chain, "type"), Text(chain, "hook"));
                }
                else if (item.TryGetProperty("rule", out var rule) && Text(rule, "chain") is { } ruleChain && rule.TryGetProperty("expr", out var expr))
                {
                    if (!rules.TryGetValue(ruleChain, out var list)) rules[ruleChain] = list = new List<string>();
                    list.Add(expr.GetRawText());
                }
                else if (item.TryGetProperty("map", out var map) && Text(map, "name") is "no-endpoint-services" or "no-endpoint-nodeports"
                         && map.TryGetProperty("elem", out var elems) && elems.ValueKind == JsonValueKind.Array)
                {
                    var nodePort = Text(map, "name") == "no-endpoint-nodeports";
                    foreach (var pair in elems.EnumerateArray())
                    {
                        if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2) continue;
                        noEndpoint.Add((NftablesMapElement.Read(pair[0], pair[1]), VerdictText(pair[1]), nodePort));
                    }
                }
                else if (item.TryGetProperty("set", out var set) && Text(set, "name") == "nodeport-ips"
                         && set.TryGetProperty("elem", out var addresses) && addresses.ValueKind == JsonValueKind.Array)
                {
                    foreach (var a in addresses.EnumerateArray())
                    {
                        if (a.ValueKind == JsonValueKind.String && IPAddress.TryParse(a.GetString(), out var address)) nodePortIps.Add(address);
                    }
                }
            }
        }

        ProxyModeHook BaseChain(string name, string type, string hook, string target, string purpose)
        {
            var found = chains.TryGetValue(name, out var c) && c.Type == type && c.Hook == hook;
            var jumps = rules.TryGetValue(name, out var list) && list.Any(r => r.Contains($"\"target\": \"{target}\"", StringComparison.Ordinal)
                                                                             || r.Contains($"\"target\":\"{target}\"", StringComparison.Ordinal));
            return new ProxyModeHook($"chain {name} (type {type} hook {hook}) jump {target}", purpose, found && jumps);
        }
        var hooks = new List<ProxyModeHook>
        {
            new($"table {tableName}", "every Service front end", true),
            BaseChain("nat-prerouting", "nat", "prerouting", "services", "traffic from pods and other hosts"),
            BaseChain("nat-output", "nat", "output", "services", "traffic from the node itself"),
            BaseChain("nat-postrouting", "nat", "postrouting", "masquerading", "masquerade (node ports, external and hairpin traffic)"),
        };
        // Node ports: on nodeport-ips when the services chain matches it, else (fib daddr type local) on every local address.
        var usesSet = rules.TryGetValue("services", out var services) && services.Any(r => r.Contains("@nodeport-ips", StringComparison.Ordinal));

        string? NoEndpoint(IpvsProtocol protocol, IPAddress? address, ushort port)
        {
            foreach (var (element, verdict, nodePort) in noEndpoint)
            {
                if (nodePort != (address is null) || element.Protocol != protocol || element.Port != port) continue;
                if (address is not null && !address.Equals(element.Address)) continue;
                var key = (address is null ? "" : address + " . ") + IpvsServiceKey.ProtocolNameOf(protocol).ToLowerInvariant() + " . " + port.ToString(CultureInfo.InvariantCulture);
                return $"{tableName} map {(nodePort ? "no-endpoint-nodeports" : "no-endpoint-services")} element {{ {key}"
                    + (element.Comment is null ? "" : $" comment \"{element.Comment}\"") + $" : {verdict} }}";
            }
            return null;
        }
        return new ProxyModeRules(KubeProxyMode.Nftables, family, true, hooks, NoEndpoint, usesSet ? nodePortIps : null, false);
    }

    private static string? Text(JsonElement item, string property)
        => item.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>A verdict as nft prints it: "drop", "goto reject-chain".</summary>
    private static string VerdictText(JsonElement verdict)
    {
        if (verdict.ValueKind != JsonValueKind.Object) return verdict.ToString();
        foreach (var property in verdict.EnumerateObject())
        {
            var target = NftablesTable.VerdictTarget(verdict);
            return target is null ? property.Name : property.Name + " " + target;
        }
        return verdict.GetRawText();
    }
}
