using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.KubeProxy.Migration;
using Xunit;

namespace IpvsTools.Tests.KubeProxy.Migration;

/// <summary>
/// Test-KubeProxyMigration's checks on facts written here (the unit tier has no IPVS): a node in IPVS mode with
/// kube-proxy's virtual servers on kube-ipvs0 (10.96.0.0/16) and on its node addresses (192.168.0.2 primary,
/// 192.168.1.2 secondary, 127.0.0.1), and a keepalived-style foreign service.
/// </summary>
public class MigrationChecksTests
{
    private static IpvsService Service(string address, ushort port, string scheduler = "rr", uint persistence = 0, IpvsProtocol protocol = IpvsProtocol.Tcp)
    {
        var key = IpvsServiceKey.ForAddress(protocol, IPAddress.Parse(address), port);
        var dest = new IpvsDestination(key, AddressFamily.InterNetwork, IPAddress.Parse("10.244.0.5"), 8080, IpvsForwardingMethod.Masquerade, 1, 0, 0, 0, 0, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero);
        return new IpvsService(key, scheduler, persistence > 0 ? 1u : 0u, persistence, "255.255.255.255", null, [dest], IpvsStatistics.Zero, IpvsRates.Zero);
    }

    private static IPAddress[] Ips(params string[] a) => a.Select(IPAddress.Parse).ToArray();

    private static MigrationFacts Before(params IpvsService[] extra) => new()
    {
        KernelRelease = "6.1.0-28-amd64",
        NftVersion = "1.0.6",
        NftJson = true,
        VirtualServers = [Service("10.96.0.10", 53), Service("10.96.0.20", 80, persistence: 10800), Service("192.168.0.2", 30080), Service("192.168.1.2", 30080), Service("127.0.0.1", 30080), .. extra],
        IpvsTimeouts = new IpvsTimeouts(900, 120, 300),
        Ipsets = [new KubeActualIpset("KUBE-CLUSTER-IP", "hash:ip,port", ["10.96.0.10,tcp:53", "10.96.0.20,tcp:80"])],
        HasKubeIpvs0 = true,
        KubeIpvs0Addresses = Ips("10.96.0.10", "10.96.0.20"),
        NodeAddresses = Ips("192.168.0.2", "192.168.1.2", "127.0.0.1"),
        PrimaryAddresses = Ips("192.168.0.2"),
        PrimarySource = "the default route's interface eth0",
        ArpIgnore = "0",
        ArpAnnounce = "0",
        ModesFound = [KubeProxyMode.Ipvs],
    };

    private static IReadOnlyList<MigrationFinding> Run(MigrationFacts facts, KubeProxyMode target = KubeProxyMode.Nftables)
        => MigrationChecks.Evaluate(facts, new MigrationOptions { TargetMode = target });

    private static MigrationFinding One(IEnumerable<MigrationFinding> findings, string check) => Assert.Single(findings, f => f.Check == check);

    [Fact]
    public void AForeignKeepalivedServiceIsABlockerForNftablesModeWithTheExportAndRestore()
    {
        var findings = Run(Before(Service("192.168.0.100", 443, "wlc", 300)));
        var foreign = One(findings, "ForeignVirtualServer");
        Assert.Equal(MigrationStatus.Blocker, foreign.Status);
        Assert.Equal("TCP 192.168.0.100:443 wlc persistent 300", foreign.Target);
        Assert.Contains("Export-IpvsConfig -Foreign -NodePortRange 30000-32767 -Path /root/ipvs-foreign.rules", foreign.Remedy);
        Assert.Contains("ipvsadm -R < /root/ipvs-foreign.rules", foreign.Remedy);
        Assert.Contains("Import-IpvsConfig -Path /root/ipvs-foreign.rules", foreign.Remedy);
        // The foreign service's scheduler and persistence are not kube-proxy's: they are not reported as changing behaviour.
        Assert.Equal(MigrationStatus.Pass, One(findings, "Scheduler").Status);
        Assert.Equal("1 virtual servers", One(findings, "Persistence").Target);
    }

    [Fact]
    public void IptablesModeDoesNotFlushIpvsSoForeignServicesPass()
    {
        var foreign = One(Run(Before(Service("192.168.0.100", 443, "wlc")), KubeProxyMode.Iptables), "ForeignVirtualServer");
        Assert.Equal(MigrationStatus.Pass, foreign.Status);
        Assert.Contains("iptables mode does not flush IPVS", foreign.Detail);
    }

    [Fact]
    public void ANodePortRangePortOnANodeAddressIsKubeProxysAndAnotherPortIsForeign()
    {
        var findings = Run(Before(Service("192.168.0.2", 8443)));
        Assert.Equal("TCP 192.168.0.2:8443 rr", One(findings, "ForeignVirtualServer").Target);
    }

    [Fact]
    public void SchedulersOtherThanRrAreAWarningPerScheduler()
    {
        var facts = Before() with { VirtualServers = [Service("10.96.0.10", 53, "wlc"), Service("10.96.0.20", 80, "wlc"), Service("192.168.0.2", 30080, "lc")] };
        var schedulers = Run(facts).Where(f => f.Check == "Scheduler").ToList();
        Assert.Equal(["lc", "wlc"], schedulers.Select(f => f.Target));
        Assert.All(schedulers, f => Assert.Equal(MigrationStatus.Warning, f.Status));
        Assert.Contains("2 of kube-proxy's virtual servers use the wlc scheduler", schedulers[1].Detail);
    }

    [Fact]
    public void LocalhostAndSecondaryAddressNodePortsAreWarningsForNftablesAndPassForIptables()
    {
        var nft = Run(Before());
        Assert.Equal(MigrationStatus.Warning, One(nft, "LocalhostNodePort").Status);
        var secondary = One(nft, "SecondaryAddressNodePort");
        Assert.Equal(MigrationStatus.Warning, secondary.Status);
        Assert.Equal("192.168.1.2", secondary.Target);
        Assert.Contains("192.168.1.2/32", secondary.Remedy);

        var ipt = Run(Before(), KubeProxyMode.Iptables);
        Assert.Equal(MigrationStatus.Pass, One(ipt, "LocalhostNodePort").Status);
        Assert.Equal(MigrationStatus.Pass, One(ipt, "SecondaryAddressNodePort").Status);
    }

    [Fact]
    public void StrictArpAndNonDefaultIpvsTimeoutsAreWarnings()
    {
        var findings = Run(Before() with { ArpIgnore = "1", ArpAnnounce = "2", IpvsTimeouts = new IpvsTimeouts(3600, 120, 300) });
        Assert.Equal(MigrationStatus.Warning, One(findings, "StrictArp").Status);
        var timeouts = One(findings, "IpvsTimeouts");
        Assert.Equal(MigrationStatus.Warning, timeouts.Status);
        Assert.Equal("3600 120 300", timeouts.Target);
    }

    [Fact]
    public void AHostListenerOnEveryAddressAnswersThroughClusterIPsUnlessKubeIpvsFilterRejects()
    {
        var facts = Before() with { Listeners = [new HostListener(IpvsProtocol.Tcp, IPAddress.Any, 22), new HostListener(IpvsProtocol.Tcp, IPAddress.Any, 80), new HostListener(IpvsProtocol.Tcp, IPAddress.Loopback, 9000)] };
        var listeners = Run(facts).Where(f => f.Check == "HostListener").ToList();
        // 0.0.0.0:22 answers on both ClusterIPs; 0.0.0.0:80 on 10.96.0.10 only (10.96.0.20:80 is a Service port); 127.0.0.1:9000 on none.
        Assert.Equal(["TCP 0.0.0.0:22", "TCP 0.0.0.0:80"], listeners.Select(f => f.Target));
        Assert.All(listeners, f => Assert.Equal(MigrationStatus.Warning, f.Status));
        Assert.Contains("2 ClusterIPs", listeners[0].Detail);
        Assert.Contains("(10.96.0.10:80)", listeners[1].Detail);

        var filter = IptablesSaveParser.Parse("*filter\n:INPUT ACCEPT [0:0]\n:KUBE-IPVS-FILTER - [0:0]\n-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n", IptablesFamily.IPv4);
        var filtered = Run(facts with { Iptables = [filter] }).Single(f => f.Check == "HostListener");
        Assert.Equal(MigrationStatus.Pass, filtered.Status);
    }

    [Fact]
    public void KernelNftAndModulesBlockWhenMissingOrTooOld()
    {
        var root = Directory.CreateTempSubdirectory("ipvstools-modules-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "proc"));
            Directory.CreateDirectory(Path.Combine(root, "lib/modules/5.10.0-1"));
            File.WriteAllText(Path.Combine(root, "proc/modules"), "nf_tables 253952 0 - Live 0x0\nnft_ct 20480 0 - Live 0x0\n");
            File.WriteAllText(Path.Combine(root, "lib/modules/5.10.0-1/modules.builtin"), "kernel/net/netfilter/nft_nat.ko\n");
            File.WriteAllText(Path.Combine(root, "lib/modules/5.10.0-1/modules.dep"),
                "kernel/net/netfilter/nft_numgen.ko.xz: kernel/net/netfilter/nf_tables.ko.xz\nkernel/net/netfilter/nft_fib.ko.xz:\nkernel/net/ipv4/netfilter/nft_fib_ipv4.ko.xz:\nkernel/net/netfilter/nft_chain_nat.ko:\nkernel/net/netfilter/nft_masq.ko:\nkernel/net/netfilter/nft_reject.ko:\n");
            var modules = KernelModuleFacts.Read(root, "5.10.0-1");
            Assert.Equal(["/proc/modules", "/lib/modules/5.10.0-1/modules.builtin", "/lib/modules/5.10.0-1/modules.dep"], modules.Sources);
            var findings = Run(Before() with { KernelRelease = "5.10.0-1", Modules = modules, NftVersion = "0.9.8", NftJson = false, NftJsonProblem = "JSON support not compiled-in" });
            Assert.Equal(MigrationStatus.Blocker, One(findings, "KernelVersion").Status);
            Assert.Equal(MigrationStatus.Blocker, One(findings, "NftVersion").Status);
            Assert.Equal(MigrationStatus.Blocker, One(findings, "NftJson").Status);
            var missing = findings.Where(f => f.Check == "KernelModule" && f.Status == MigrationStatus.Blocker).Select(f => f.Target).ToList();
            Assert.Equal(["nft_reject_ipv4"], missing);
            var present = findings.Single(f => f.Check == "KernelModule" && f.Status == MigrationStatus.Pass);
            Assert.Equal("The kernel has what nftables mode's rules use: loaded (/proc/modules): nf_tables, nft_ct; "
                + "loadable (/lib/modules/5.10.0-1/modules.dep): nft_fib, nft_fib_ipv4, nft_numgen, nft_chain_nat, nft_masq, nft_reject; "
                + "built in (/lib/modules/5.10.0-1/modules.builtin): nft_nat.", present.Detail);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void KernelConfigGzSaysBuiltInOrModule()
    {
        var root = Directory.CreateTempSubdirectory("ipvstools-config-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "proc"));
            using (var file = File.Create(Path.Combine(root, "proc/config.gz")))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
                gzip.Write(Encoding.ASCII.GetBytes("CONFIG_NF_TABLES=y\nCONFIG_NFT_CT=m\n# CONFIG_NFT_NUMGEN is not set\n"));
            var modules = KernelModuleFacts.Read(root, "6.1.0");
            Assert.Equal((KernelModuleState.BuiltIn, "/proc/config.gz"), modules.Find("nf_tables", "CONFIG_NF_TABLES"));
            Assert.Equal((KernelModuleState.Loadable, "/proc/config.gz"), modules.Find("nft_ct", "CONFIG_NFT_CT"));
            Assert.Equal(KernelModuleState.Missing, modules.Find("nft_numgen", "CONFIG_NFT_NUMGEN").State);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void AfterTheSwitchLeftoversAreWhatRemoveKubeIpvsWouldRemove()
    {
        var iptables = IptablesSaveParser.Parse("*filter\n:INPUT ACCEPT [0:0]\n:KUBE-IPVS-FILTER - [0:0]\n:KUBE-FORWARD - [0:0]\n-A INPUT -m comment --comment \"kubernetes ipvs access filter\" -j KUBE-IPVS-FILTER\nCOMMIT\n", IptablesFamily.IPv4);
        var facts = Before(Service("192.168.0.100", 443)) with { ModesFound = [KubeProxyMode.Nftables, KubeProxyMode.Ipvs], Iptables = [iptables] };
        var findings = Run(facts);
        Assert.Equal("After", One(findings, "Phase").Target);
        var leftovers = findings.Where(f => f.Check == "Leftover").Select(f => f.Target).ToList();
        Assert.Contains("kube-ipvs0", leftovers);
        Assert.Contains("KUBE-CLUSTER-IP", leftovers);
        Assert.Contains("TCP 10.96.0.10:53", leftovers);
        Assert.Contains("filter/KUBE-IPVS-FILTER (iptables)", leftovers);
        Assert.Contains("filter/KUBE-FORWARD (iptables)", leftovers);
        Assert.DoesNotContain("TCP 192.168.0.100:443", leftovers);
        Assert.All(findings.Where(f => f.Check == "Leftover"), f => Assert.StartsWith("Remove-KubeIpvs -Force", f.Remedy));
        Assert.Equal(MigrationStatus.Warning, One(findings, "ForeignVirtualServer").Status);
        Assert.DoesNotContain(findings, f => f.Check == "Scheduler");

        // In iptables mode the chains it shares with IPVS mode are not leftovers, and Remove-KubeIpvs is not the remedy.
        var ipt = Run(facts with { ModesFound = [KubeProxyMode.Iptables, KubeProxyMode.Ipvs] }, KubeProxyMode.Iptables);
        var iptLeftovers = ipt.Where(f => f.Check == "Leftover").ToList();
        Assert.DoesNotContain(iptLeftovers, f => f.Target.Contains("KUBE-FORWARD", StringComparison.Ordinal));
        Assert.Contains(iptLeftovers, f => f.Target == "filter/KUBE-IPVS-FILTER (iptables)");
        Assert.All(iptLeftovers, f => Assert.Contains("do not run Remove-KubeIpvs", f.Remedy));
        Assert.Contains("ip link delete kube-ipvs0", iptLeftovers.Single(f => f.Target == "kube-ipvs0").Remedy);
    }

    [Fact]
    public void NothingLeftIsOnePass()
    {
        var facts = new MigrationFacts { ModesFound = [KubeProxyMode.Nftables], NftVersion = "1.0.6", NftJson = true, KernelRelease = "6.1.0" };
        var leftover = One(Run(facts), "Leftover");
        Assert.Equal(MigrationStatus.Pass, leftover.Status);
    }

    [Fact]
    public void ACclusterSourceNamesTheServices()
    {
        var cluster = new IpvsTools.Cluster.ClusterSnapshot([
            new IpvsTools.Cluster.KubeService { Namespace = "kube-system", Name = "kube-dns", ClusterIPs = Ips("10.96.0.10"), Ports = [new IpvsTools.Cluster.KubeServicePort("dns-tcp", IpvsProtocol.Tcp, 53)] },
            new IpvsTools.Cluster.KubeService { Namespace = "shop", Name = "web", Type = IpvsTools.Cluster.KubeServiceType.NodePort, ClusterIPs = Ips("10.96.0.20"), Ports = [new IpvsTools.Cluster.KubeServicePort("http", IpvsProtocol.Tcp, 80, 30080)] },
        ], null, null);
        var facts = Before() with { VirtualServers = [Service("10.96.0.10", 53, "wlc"), Service("10.96.0.20", 80, "wlc"), Service("192.168.1.2", 30080)] };
        var findings = MigrationChecks.Evaluate(facts, new MigrationOptions { Cluster = cluster });
        Assert.Equal(["kube-system/kube-dns", "shop/web"], One(findings, "Scheduler").Services);
        Assert.Equal(["shop/web"], One(findings, "SecondaryAddressNodePort").Services);
    }

    [Fact]
    public void ForeignServicesAreSelectedInIpvsadmsOrderAndExcludedCidrsAreForeign()
    {
        var services = new[] { Service("192.168.0.100", 443), Service("10.96.0.10", 53), Service("10.0.0.5", 80), Service("192.168.0.2", 30080), Service("10.96.5.5", 80) };
        var options = new KubeProxyOptions { NodeAddresses = Ips("192.168.0.2"), ExcludeCidrs = [IpNetwork.Parse("10.96.5.0/24")] };
        var foreign = KubeProxyForeignServices.Select(services, Ips("10.96.0.10", "10.96.5.5"), options);
        // ipvsadm's order compares addresses as a wrapping subtraction: 192.168.x sorts before 10.x.
        Assert.Equal(["TCP 192.168.0.100:443", "TCP 10.0.0.5:80", "TCP 10.96.5.5:80"], foreign.Select(s => s.Key.DisplayName));
    }

    [Fact]
    public void ListenersParseFromProcNet()
    {
        const string tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 100 0 0 10 0
               1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0000000000000000 100 0 0 10 0
               2: 0200A8C0:0016 0500A8C0:D431 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0000000000000000 100 0 0 10 0
            """;
        var listeners = HostListener.Parse(tcp, IpvsProtocol.Tcp);
        Assert.Equal(["TCP 0.0.0.0:22", "TCP 127.0.0.1:8080"], listeners.Select(l => l.ToString()));
        const string tcp6 = "  0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1\n";
        Assert.Equal("TCP [::]:80", Assert.Single(HostListener.Parse(tcp6, IpvsProtocol.Tcp)).ToString());
    }

    [Fact]
    public void DefaultRoutesNameTheirInterfaces()
    {
        const string route = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\neth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        Assert.Equal(["eth0"], DefaultRouteInterfaces.ParseIPv4(route));
        const string route6 = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000001 00000000 00000003 eth1\n00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n";
        Assert.Equal(["eth1"], DefaultRouteInterfaces.ParseIPv6(route6));
    }
}
