using System.Text;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Iptables;

/// <summary>
/// The iptables-restore input kube-proxy in IPVS mode writes at a sync, built line for line as
/// kubernetes pkg/proxy/ipvs/proxier.go writeIptablesRules() builds it (marks as "%#08x" prints them,
/// comments in quotes, --or-mark / --xor-mark, REJECT without --reject-with), and the jumps it inserts
/// with `iptables -w -I`. Test data: it is what a real node would feed the tools.
/// </summary>
internal static class KubeProxyRestoreText
{
    public static string Build(IptablesFamily family, ISet<string> nonEmpty, bool masqueradeAll = false, bool randomFully = true)
    {
        string S(string name) => KubeProxyIptables.SetName(name, family);
        string C(string set) => "\"" + KubeIpsetDefinition.All.Single(d => d.Name == set).Comment + "\"";
        var mark = "0x004000";
        var nat = new StringBuilder("*nat\n");
        var filter = new StringBuilder("*filter\n");
        foreach (var c in new[] { "KUBE-SERVICES", "KUBE-POSTROUTING", "KUBE-NODE-PORT", "KUBE-LOAD-BALANCER", "KUBE-MARK-MASQ" }) nat.Append($":{c} - [0:0]\n");
        foreach (var c in new[] { "KUBE-FORWARD", "KUBE-NODE-PORT", "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL", "KUBE-IPVS-FILTER", "KUBE-IPVS-OUT-FILTER" }) filter.Append($":{c} - [0:0]\n");
        nat.Append($"-A KUBE-SERVICES -s {(family == IptablesFamily.IPv6 ? "::1/128" : "127.0.0.0/8")} -j RETURN\n");
        foreach (var (set, nf, from, to, flags, proto) in new (string, bool, string, string, string, string?)[]
        {
            ("KUBE-LOOP-BACK", true, "KUBE-POSTROUTING", "MASQUERADE", "dst,dst,src", null),
            ("KUBE-LOAD-BALANCER", true, "KUBE-SERVICES", "KUBE-LOAD-BALANCER", "dst,dst", null),
            ("KUBE-LOAD-BALANCER-LOCAL", true, "KUBE-LOAD-BALANCER", "RETURN", "dst,dst", null),
            ("KUBE-NODE-PORT-LOCAL-TCP", true, "KUBE-NODE-PORT", "RETURN", "dst", "tcp"),
            ("KUBE-NODE-PORT-TCP", true, "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "tcp"),
            ("KUBE-NODE-PORT-LOCAL-UDP", true, "KUBE-NODE-PORT", "RETURN", "dst", "udp"),
            ("KUBE-NODE-PORT-UDP", true, "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst", "udp"),
            ("KUBE-NODE-PORT-LOCAL-SCTP-HASH", true, "KUBE-NODE-PORT", "RETURN", "dst,dst", "sctp"),
            ("KUBE-NODE-PORT-SCTP-HASH", true, "KUBE-NODE-PORT", "KUBE-MARK-MASQ", "dst,dst", "sctp"),
            ("KUBE-LOAD-BALANCER-FW", false, "KUBE-PROXY-FIREWALL", "KUBE-SOURCE-RANGES-FIREWALL", "dst,dst", null),
            ("KUBE-LOAD-BALANCER-SOURCE-CIDR", false, "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", null),
            ("KUBE-LOAD-BALANCER-SOURCE-IP", false, "KUBE-SOURCE-RANGES-FIREWALL", "RETURN", "dst,dst,src", null),
        })
        {
            if (!nonEmpty.Contains(S(set))) continue;
            var line = $"-A {from} " + (proto is null ? "" : $"-p {proto} ") + $"-m comment --comment {C(set)} -m set --match-set {S(set)} {flags} -j {to}\n";
            (nf ? nat : filter).Append(line);
        }
        if (nonEmpty.Contains(S("KUBE-CLUSTER-IP")))
            nat.Append($"-A KUBE-SERVICES -m comment --comment {C("KUBE-CLUSTER-IP")} -m set --match-set {S("KUBE-CLUSTER-IP")} {(masqueradeAll ? "dst,dst" : "src,dst")} -j KUBE-MARK-MASQ\n");
        foreach (var set in new[] { "KUBE-EXTERNAL-IP", "KUBE-EXTERNAL-IP-LOCAL" })
        {
            if (!nonEmpty.Contains(S(set))) continue;
            var args = $"-A KUBE-SERVICES -m comment --comment {C(set)} -m set --match-set {S(set)} dst,dst";
            if (set == "KUBE-EXTERNAL-IP") nat.Append(args + " -j KUBE-MARK-MASQ\n");
            nat.Append(args + " -m physdev ! --physdev-is-in -m addrtype ! --src-type LOCAL -j ACCEPT\n");
            nat.Append(args + " -m addrtype --dst-type LOCAL -j ACCEPT\n");
        }
        nat.Append("-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT\n");
        nat.Append("-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ\n");
        filter.Append("-A KUBE-SOURCE-RANGES-FIREWALL -j DROP\n");
        foreach (var set in new[] { "KUBE-CLUSTER-IP", "KUBE-LOAD-BALANCER" })
        {
            if (nonEmpty.Contains(S(set))) nat.Append($"-A KUBE-SERVICES -m set --match-set {S(set)} dst,dst -j ACCEPT\n");
        }
        filter.Append($"-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark {mark}/{mark} -j ACCEPT\n");
        filter.Append("-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\n");
        filter.Append($"-A KUBE-NODE-PORT -m comment --comment {C("KUBE-HEALTH-CHECK-NODE-PORT")} -m set --match-set {S("KUBE-HEALTH-CHECK-NODE-PORT")} dst -j ACCEPT\n");
        foreach (var set in new[] { "KUBE-LOAD-BALANCER", "KUBE-CLUSTER-IP", "KUBE-EXTERNAL-IP", "KUBE-EXTERNAL-IP-LOCAL" })
            filter.Append($"-A KUBE-IPVS-FILTER -m set --match-set {S(set)} dst,dst -j RETURN\n");
        filter.Append($"-A KUBE-IPVS-FILTER -m set --match-set {S("KUBE-HEALTH-CHECK-NODE-PORT")} dst -j RETURN\n");
        filter.Append($"-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set {S("KUBE-IPVS-IPS")} dst -j REJECT\n");
        nat.Append($"-A KUBE-POSTROUTING -m mark ! --mark {mark}/{mark} -j RETURN\n");
        nat.Append($"-A KUBE-POSTROUTING -j MARK --xor-mark {mark}\n");
        nat.Append("-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE" + (randomFully ? " --random-fully" : "") + "\n");
        nat.Append($"-A KUBE-MARK-MASQ -j MARK --or-mark {mark}\n");
        return nat.Append("COMMIT\n").Append(filter).Append("COMMIT\n").ToString();
    }

    /// <summary>The jumps kube-proxy inserts with `iptables -w -t TABLE -I CHAIN -m comment --comment TEXT -j TARGET`.</summary>
    public static readonly (string Table, string From, string To, string Comment)[] Jumps =
    [
        ("nat", "OUTPUT", "KUBE-SERVICES", "kubernetes service portals"),
        ("nat", "PREROUTING", "KUBE-SERVICES", "kubernetes service portals"),
        ("nat", "POSTROUTING", "KUBE-POSTROUTING", "kubernetes postrouting rules"),
        ("filter", "FORWARD", "KUBE-FORWARD", "kubernetes forwarding rules"),
        ("filter", "INPUT", "KUBE-NODE-PORT", "kubernetes health check rules"),
        ("filter", "INPUT", "KUBE-PROXY-FIREWALL", "kube-proxy firewall rules"),
        ("filter", "FORWARD", "KUBE-PROXY-FIREWALL", "kube-proxy firewall rules"),
        ("filter", "INPUT", "KUBE-IPVS-FILTER", "kubernetes ipvs access filter"),
        ("filter", "OUTPUT", "KUBE-IPVS-OUT-FILTER", "kubernetes ipvs access filter"),
    ];

    /// <summary>Every set kube-proxy creates, with its type (ipsetInfo).</summary>
    public static readonly (string Name, string Type)[] Sets =
    [
        ("KUBE-LOOP-BACK", "hash:ip,port,ip"), ("KUBE-CLUSTER-IP", "hash:ip,port"), ("KUBE-EXTERNAL-IP", "hash:ip,port"),
        ("KUBE-EXTERNAL-IP-LOCAL", "hash:ip,port"), ("KUBE-LOAD-BALANCER", "hash:ip,port"), ("KUBE-LOAD-BALANCER-FW", "hash:ip,port"),
        ("KUBE-LOAD-BALANCER-LOCAL", "hash:ip,port"), ("KUBE-LOAD-BALANCER-SOURCE-IP", "hash:ip,port,ip"),
        ("KUBE-LOAD-BALANCER-SOURCE-CIDR", "hash:ip,port,net"), ("KUBE-NODE-PORT-TCP", "bitmap:port"), ("KUBE-NODE-PORT-LOCAL-TCP", "bitmap:port"),
        ("KUBE-NODE-PORT-UDP", "bitmap:port"), ("KUBE-NODE-PORT-LOCAL-UDP", "bitmap:port"), ("KUBE-NODE-PORT-SCTP-HASH", "hash:ip,port"),
        ("KUBE-NODE-PORT-LOCAL-SCTP-HASH", "hash:ip,port"), ("KUBE-HEALTH-CHECK-NODE-PORT", "bitmap:port"), ("KUBE-IPVS-IPS", "hash:ip"),
    ];
}
