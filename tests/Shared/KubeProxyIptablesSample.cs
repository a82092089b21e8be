namespace IpvsTools.Testing;

/// <summary>
/// A node's iptables rules as kube-proxy in IPVS mode leaves them (iptables-restore input), with the
/// ipsets they use and members for exactly the sets whose rules are present, so that every chain,
/// jump and rule kube-proxy would have is there.
/// </summary>
public static class KubeProxyIptablesSample
{
    /// <summary>kube-proxy's rules of a node with a ClusterIP, a NodePort, a local endpoint and a load balancer with source ranges.</summary>
    public const string Rules = """
        *nat
        :KUBE-SERVICES - [0:0]
        :KUBE-POSTROUTING - [0:0]
        :KUBE-NODE-PORT - [0:0]
        :KUBE-LOAD-BALANCER - [0:0]
        :KUBE-MARK-MASQ - [0:0]
        -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
        -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
        -A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN
        -A KUBE-SERVICES -m comment --comment "Kubernetes service lb portal" -m set --match-set KUBE-LOAD-BALANCER dst,dst -j KUBE-LOAD-BALANCER
        -A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ
        -A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT
        -A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT
        -A KUBE-SERVICES -m set --match-set KUBE-LOAD-BALANCER dst,dst -j ACCEPT
        -A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ
        -A KUBE-NODE-PORT -p sctp -m comment --comment "Kubernetes nodeport SCTP port with externalTrafficPolicy=local with type 'hash ip:port'" -m set --match-set KUBE-NODE-PORT-LOCAL-SCTP-HASH dst,dst -j RETURN
        -A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ
        -A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE
        -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
        -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
        -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
        -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
        COMMIT
        *filter
        :KUBE-FORWARD - [0:0]
        :KUBE-NODE-PORT - [0:0]
        :KUBE-PROXY-FIREWALL - [0:0]
        :KUBE-SOURCE-RANGES-FIREWALL - [0:0]
        :KUBE-IPVS-FILTER - [0:0]
        :KUBE-IPVS-OUT-FILTER - [0:0]
        -A INPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-FILTER
        -A INPUT -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
        -A INPUT -m comment --comment "kubernetes health check rules" -j KUBE-NODE-PORT
        -A FORWARD -m comment --comment "kube-proxy firewall rules" -j KUBE-PROXY-FIREWALL
        -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
        -A OUTPUT -m comment --comment "kubernetes ipvs access filter" -j KUBE-IPVS-OUT-FILTER
        -A KUBE-PROXY-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port for load balancer with sourceRange" -m set --match-set KUBE-LOAD-BALANCER-FW dst,dst -j KUBE-SOURCE-RANGES-FIREWALL
        -A KUBE-SOURCE-RANGES-FIREWALL -m comment --comment "Kubernetes service load balancer ip + port + source cidr for packet filter purpose" -m set --match-set KUBE-LOAD-BALANCER-SOURCE-CIDR dst,dst,src -j RETURN
        -A KUBE-SOURCE-RANGES-FIREWALL -j DROP
        -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
        -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
        -A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT
        -A KUBE-IPVS-FILTER -m set --match-set KUBE-LOAD-BALANCER dst,dst -j RETURN
        -A KUBE-IPVS-FILTER -m set --match-set KUBE-CLUSTER-IP dst,dst -j RETURN
        -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP dst,dst -j RETURN
        -A KUBE-IPVS-FILTER -m set --match-set KUBE-EXTERNAL-IP-LOCAL dst,dst -j RETURN
        -A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN
        -A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT
        COMMIT

        """;

    /// <summary>The sets those rules refer to (iptables refuses a rule naming a set that does not exist).</summary>
    public static readonly string[][] Sets =
    [
        ["KUBE-CLUSTER-IP", "hash:ip,port"], ["KUBE-LOAD-BALANCER", "hash:ip,port"], ["KUBE-LOAD-BALANCER-FW", "hash:ip,port"],
        ["KUBE-LOAD-BALANCER-SOURCE-CIDR", "hash:ip,port,net"], ["KUBE-LOOP-BACK", "hash:ip,port,ip"], ["KUBE-EXTERNAL-IP", "hash:ip,port"],
        ["KUBE-EXTERNAL-IP-LOCAL", "hash:ip,port"], ["KUBE-NODE-PORT-LOCAL-SCTP-HASH", "hash:ip,port"], ["KUBE-IPVS-IPS", "hash:ip"],
        ["KUBE-NODE-PORT-TCP", "bitmap:port"], ["KUBE-HEALTH-CHECK-NODE-PORT", "bitmap:port"],
    ];

    /// <summary>One member for each set whose conditional rules <see cref="Rules"/> holds (the others stay empty).</summary>
    public static readonly string[][] Members =
    [
        ["KUBE-CLUSTER-IP", "10.96.0.10,tcp:53"], ["KUBE-LOAD-BALANCER", "203.0.113.10,tcp:80"], ["KUBE-LOAD-BALANCER-FW", "203.0.113.10,tcp:80"],
        ["KUBE-LOAD-BALANCER-SOURCE-CIDR", "203.0.113.10,tcp:80,192.168.0.0/16"], ["KUBE-LOOP-BACK", "10.244.0.5,tcp:53,10.244.0.5"],
        ["KUBE-NODE-PORT-LOCAL-SCTP-HASH", "192.168.1.10,sctp:30300"], ["KUBE-NODE-PORT-TCP", "30080"], ["KUBE-IPVS-IPS", "10.96.0.10"],
    ];

    /// <summary>Creates the sets in the namespace (with their members when asked), then restores the rules with the given restore tool.</summary>
    public static void Apply(TestNamespace ns, string restoreTool = "iptables-restore", bool withMembers = true)
    {
        foreach (var s in Sets)
        {
            if (s[1] == "bitmap:port") ns.Exec("ipset", "create", s[0], s[1], "range", "0-65535");
            else ns.Exec("ipset", "create", s[0], s[1]);
        }
        if (withMembers)
        {
            foreach (var m in Members) ns.Exec("ipset", "add", m[0], m[1]);
        }
        var path = System.IO.Path.GetTempFileName();
        System.IO.File.WriteAllText(path, Rules);
        try { ns.Exec(restoreTool, "-w", "--noflush", path); } finally { System.IO.File.Delete(path); }
    }
}
