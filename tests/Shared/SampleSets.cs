namespace IpvsTools.Testing;

/// <summary>Sample ipsets for host tests, as `ipset restore` reads them.</summary>
public static class SampleSets
{
    /// <summary>Every set type kube-proxy uses, inet and inet6 (IPv6 names cut at 31 characters as kube-proxy cuts them), plus extensions and nets.</summary>
    public const string KubeProxy = """
        create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
        add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
        add KUBE-CLUSTER-IP 10.96.0.10,udp:53
        add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
        add KUBE-CLUSTER-IP 10.96.0.10,tcp:9153
        add KUBE-CLUSTER-IP 10.96.200.7,sctp:3868
        create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
        add KUBE-LOOP-BACK 10.244.0.5,tcp:53,10.244.0.5
        add KUBE-LOOP-BACK 10.244.0.5,udp:53,10.244.0.5
        create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
        add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.0.0/16
        add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,10.1.2.3
        create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
        add KUBE-NODE-PORT-TCP 30080
        add KUBE-NODE-PORT-TCP 31999
        create KUBE-HEALTH-CHECK-NODE-PORT bitmap:port range 0-65535
        create KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536
        add KUBE-IPVS-IPS 10.96.0.1
        add KUBE-IPVS-IPS 10.96.0.10
        create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-CLUSTER-IP fd00:10:96::1,tcp:443
        add KUBE-6-CLUSTER-IP fd00:10:96::a,udp:53
        create KUBE-6-LOOP-BACK hash:ip,port,ip family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-LOOP-BACK fd00:10:244::5,tcp:53,fd00:10:244::5
        create KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8::10,tcp:443,2001:db8:1::/48
        create KUBE-6-IPVS-IPS hash:ip family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-IPVS-IPS fd00:10:96::1
        create EXTRAS hash:ip,port family inet hashsize 64 maxelem 1000 counters comment
        add EXTRAS 10.0.0.1,tcp:80 packets 5 bytes 300 comment "from the test"
        create NETS hash:net family inet hashsize 1024 maxelem 65536
        add NETS 10.1.0.0/16
        add NETS 10.2.2.2

        """;
}
