using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// The IPVS client's changes against the lab kernel, cross-checked with ipvsadm in the same namespace:
/// what the client makes, `ipvsadm -Sn` lists exactly as IpvsadmSaveText formats it; what ipvsadm makes,
/// the client reads back to the same text; refusals name what they refused and change nothing.
/// </summary>
[Trait("Tier", "Lab")]
public class IpvsClientWriteLabTests
{
    public IpvsClientWriteLabTests() => Lab.RequireIpvs();

    private static IPAddress Ip(string text) => IPAddress.Parse(text);

    private static IpvsServiceKey Tcp(string address, ushort port) => IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, Ip(address), port);

    private static IpvsServiceKey Udp(string address, ushort port) => IpvsServiceKey.ForAddress(IpvsProtocol.Udp, Ip(address), port);

    private static IpvsClient Open(TestNamespace ns) => IpvsClient.Open(NetworkNamespace.Resolve(ns.Name));

    /// <summary>Every kind of service and real server the issue names, made through the client.</summary>
    internal static void BuildEverything(IpvsClient client)
    {
        var dns = Tcp("10.96.0.10", 53);
        client.AddService(new IpvsServiceSettings(dns, "rr"));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.1.5"), 53, IpvsForwardingMethod.Masquerade));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("192.168.7.7"), 5353, IpvsForwardingMethod.Masquerade, 0));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.0.3"), 53, IpvsForwardingMethod.Tunnel));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.0.4"), 53, IpvsForwardingMethod.Tunnel, 1, 0, 0, IpvsTunnelType.Gue, 6080, IpvsTunnelChecksum.Checksum));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.0.5"), 53, IpvsForwardingMethod.Tunnel, 1, 0, 0, IpvsTunnelType.Gue, 6081, IpvsTunnelChecksum.RemoteChecksum));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.0.6"), 53, IpvsForwardingMethod.Tunnel, 1, 0, 0, IpvsTunnelType.Gue, 6082));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.0.7"), 53, IpvsForwardingMethod.Tunnel, 2, 0, 0, IpvsTunnelType.Gre, 0, IpvsTunnelChecksum.Checksum));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.0.8"), 53, IpvsForwardingMethod.Tunnel, 2, 0, 0, IpvsTunnelType.Gre));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("fd00::8"), 53, IpvsForwardingMethod.Tunnel, 1, 0, 0, IpvsTunnelType.Gre));
        var udp = Udp("10.96.0.10", 53);
        client.AddService(new IpvsServiceSettings(udp, "wrr"));
        client.AddDestination(udp, new IpvsDestinationSettings(Ip("10.244.1.5"), 53, IpvsForwardingMethod.Masquerade, 3));
        var route = Tcp("192.168.10.1", 443);
        client.AddService(new IpvsServiceSettings(route, "wlc", 1, 10800, "255.255.255.0"));
        client.AddDestination(route, new IpvsDestinationSettings(Ip("10.0.0.1"), 443, IpvsForwardingMethod.Route, 5, 100, 10));
        client.AddService(new IpvsServiceSettings(Tcp("10.96.0.20", 80), "sh", IpvsSchedulers.ParseFlags("sh", ["sh-fallback", "sh-port"])));
        client.AddService(new IpvsServiceSettings(Tcp("10.96.0.21", 80), "mh", IpvsSchedulers.ParseFlags("mh", ["mh-port"])));
        client.AddService(new IpvsServiceSettings(Tcp("10.96.0.22", 80), "sh", IpvsSchedulers.ParseFlags("sh", ["flag-3"])));
        client.AddService(new IpvsServiceSettings(Udp("10.96.0.30", 9000), "rr", 0x4 | 0x1, 360));
        client.AddService(new IpvsServiceSettings(Udp("10.96.0.31", 5060), "rr", 0x1, 30, persistenceEngine: "sip"));
        client.AddService(new IpvsServiceSettings(IpvsServiceKey.ForAddress(IpvsProtocol.Sctp, Ip("10.96.50.3"), 3868), "rr"));
        var mark = IpvsServiceKey.ForFirewallMark(5);
        client.AddService(new IpvsServiceSettings(mark, "rr", 0x4));
        client.AddDestination(mark, new IpvsDestinationSettings(Ip("10.0.0.9"), 0, IpvsForwardingMethod.Tunnel, 2));
        var mark6 = IpvsServiceKey.ForFirewallMark(6, AddressFamily.InterNetworkV6);
        client.AddService(new IpvsServiceSettings(mark6, "rr", 0x1, 20, "64"));
        client.AddDestination(mark6, new IpvsDestinationSettings(Ip("fd00::9"), 80, IpvsForwardingMethod.Route));
        var v6 = Tcp("fd00:10:96::a", 53);
        client.AddService(new IpvsServiceSettings(v6, "rr", 0x1, 60, "64"));
        client.AddDestination(v6, new IpvsDestinationSettings(Ip("fd00:10:244::5"), 53, IpvsForwardingMethod.Masquerade));
        client.AddService(new IpvsServiceSettings(Tcp("0.0.0.1", 80), "rr"));
        client.AddService(new IpvsServiceSettings(Tcp("96.0.0.1", 80), "rr"));
        client.AddService(new IpvsServiceSettings(Tcp("192.0.0.1", 0), "rr", 0x1, 100));
    }

    [Fact]
    public void WhatTheClientMakesIpvsadmSavesAsFormatted()
    {
        using var ns = new TestNamespace();
        using var client = Open(ns);
        BuildEverything(client);
        var services = client.GetServices();
        Assert.Equal(ns.Exec("ipvsadm", "-Sn"), IpvsadmSaveText.Format(services));
        Assert.Equal(ns.Exec("ipvsadm", "-Ln"), IpvsadmText.FormatList(client.GetInfo(), services));
        // Thresholds are not in the save text: they must have arrived all the same.
        var route = client.GetService(Tcp("192.168.10.1", 443))!;
        Assert.Equal((5, 100u, 10u), (route.Destinations[0].Weight, route.Destinations[0].UpperThreshold, route.Destinations[0].LowerThreshold));
        Assert.Matches(@"-> 10\.0\.0\.1:443\s+100\s+10\s", ns.Exec("ipvsadm", "-Ln", "--thresholds"));
    }

    [Fact]
    public void WhatIpvsadmMakesTheClientSavesAsIpvsadmDoes()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable + """
            -A -u 10.96.0.1:5060 -s sh -b sh-port -o -p 30 --pe sip -M 255.255.255.0
            -A -u 10.96.0.14:5060 -s rr --pe sip
            -A -t 10.96.0.5:80 -s sh -b flag-3
            -a -t 10.96.0.40:80 -r 10.0.0.51:80 -i --tun-type gre --tun-csum
            -a -t 10.96.0.40:80 -r 10.0.0.52:80 -i --tun-type gue --tun-port 7000 --tun-remcsum
            -a -t 10.96.0.40:80 -r [fd00::52]:80 -i --tun-type ipip
            -A -f 4294967295 -s rr

            """);
        using var client = Open(ns);
        Assert.Equal(ns.Exec("ipvsadm", "-Sn"), IpvsadmSaveText.Format(client.GetServices()));
    }

    [Fact]
    public void UpdatesReplaceTheSettingsAndRemovalsRemove()
    {
        using var ns = new TestNamespace();
        using var client = Open(ns);
        var key = Tcp("10.96.0.10", 80);
        client.AddService(new IpvsServiceSettings(key, "rr"));
        client.AddDestination(key, new IpvsDestinationSettings(Ip("10.244.1.5"), 8080, IpvsForwardingMethod.Masquerade));
        client.AddDestination(key, new IpvsDestinationSettings(Ip("10.244.1.6"), 8080, IpvsForwardingMethod.Masquerade));
        client.UpdateService(new IpvsServiceSettings(key, "sh", IpvsSchedulers.ParseFlags("sh", ["sh-port"]) | 0x1, 600, "16"));
        client.UpdateDestination(key, new IpvsDestinationSettings(Ip("10.244.1.5"), 8080, IpvsForwardingMethod.Masquerade, 0, 50, 5));
        Assert.Equal("""
            -A -t 10.96.0.10:80 -s sh -p 600 -M 255.255.0.0 -b sh-port
            -a -t 10.96.0.10:80 -r 10.244.1.5:8080 -m -w 0
            -a -t 10.96.0.10:80 -r 10.244.1.6:8080 -m -w 1

            """.Replace("\r\n", "\n"), ns.Exec("ipvsadm", "-Sn"));
        var changed = client.GetDestinations(key).Single(d => d.Address.Equals(Ip("10.244.1.5")));
        Assert.Equal((0, 50u, 5u), (changed.Weight, changed.UpperThreshold, changed.LowerThreshold));

        client.RemoveDestination(key, Ip("10.244.1.6"), 8080);
        Assert.Equal("-A -t 10.96.0.10:80 -s sh -p 600 -M 255.255.0.0 -b sh-port\n-a -t 10.96.0.10:80 -r 10.244.1.5:8080 -m -w 0\n", ns.Exec("ipvsadm", "-Sn"));
        client.RemoveService(key);
        Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));

        BuildEverything(client);
        Assert.NotEqual("", ns.Exec("ipvsadm", "-Sn"));
        client.Clear();
        Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));
        Assert.Empty(client.GetServices());
    }

    [Fact]
    public void TimeoutsChangeOnlyWhereGiven()
    {
        using var ns = new TestNamespace();
        using var client = Open(ns);
        client.SetTimeouts(new IpvsTimeouts(800, 0, 200));
        Assert.Equal("Timeout (tcp tcpfin udp): 800 120 200\n", ns.Exec("ipvsadm", "-L", "--timeout"));
        client.SetTimeouts(new IpvsTimeouts(0, 60, 0));
        Assert.Equal("Timeout (tcp tcpfin udp): 800 60 200\n", ns.Exec("ipvsadm", "-L", "--timeout"));
        Assert.Equal((800u, 60u, 200u), (client.GetTimeouts().Tcp, client.GetTimeouts().TcpFin, client.GetTimeouts().Udp));
    }

    [Fact]
    public void CountersAreZeroedForOneServiceOrAll()
    {
        using var ns = new TestNamespace();
        Lab.Dataplane(ns);
        using var client = Open(ns);
        var dns = Udp("10.96.0.10", 53);
        var web = Udp("10.96.0.10", 80);
        client.AddService(new IpvsServiceSettings(dns, "rr"));
        client.AddDestination(dns, new IpvsDestinationSettings(Ip("10.244.0.2"), 53, IpvsForwardingMethod.Masquerade));
        client.AddService(new IpvsServiceSettings(web, "rr"));
        client.AddDestination(web, new IpvsDestinationSettings(Ip("10.244.0.2"), 80, IpvsForwardingMethod.Masquerade));
        Lab.SendUdp(ns, "10.96.0.10", 53);
        Lab.SendUdp(ns, "10.96.0.10", 80);
        // The kernel folds its per-CPU counters into what it reports every 2 s (the estimator timer).
        Lab.WaitUntil(() => client.GetService(dns)!.Statistics.IncomingPackets == 1 && client.GetService(web)!.Statistics.IncomingPackets == 1,
            "both services count their packet");
        client.ResetStatistics(dns);
        Assert.Equal(0ul, client.GetService(dns)!.Statistics.IncomingPackets);
        Assert.Equal(0ul, client.GetService(dns)!.Destinations[0].Statistics.IncomingPackets);
        Assert.Equal(1ul, client.GetService(web)!.Statistics.IncomingPackets);
        client.ResetStatistics();
        Assert.Equal(0ul, client.GetService(web)!.Statistics.IncomingPackets);
        Assert.Matches(@"UDP\s+10\.96\.0\.10:80\s+0\s+0\s+0\s+0\s+0", ns.Exec("ipvsadm", "-Ln", "--stats"));
    }

    [Fact]
    public void RefusalsNameWhatTheyRefusedAndChangeNothing()
    {
        using var ns = new TestNamespace();
        using var client = Open(ns);
        var key = Tcp("10.96.0.10", 53);
        client.AddService(new IpvsServiceSettings(key, "rr"));
        client.AddDestination(key, new IpvsDestinationSettings(Ip("10.244.1.5"), 53, IpvsForwardingMethod.Masquerade));
        var before = ns.Exec("ipvsadm", "-Sn");

        IpvsToolsException Refused(Action change)
        {
            var error = Assert.Throws<NetlinkException>(change);
            Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));
            Assert.Contains($"in network namespace '{ns.Name}'", error.Message);
            return error;
        }

        var exists = Refused(() => client.AddService(new IpvsServiceSettings(key, "wrr")));
        Assert.Equal(FailureKind.AlreadyExists, exists.Kind);
        Assert.Contains("IPVS service TCP 10.96.0.10:53 already exists", exists.Message);

        var missing = Refused(() => client.RemoveService(Tcp("10.96.0.99", 53)));
        Assert.Equal(FailureKind.NotFound, missing.Kind);
        Assert.Contains("there is no IPVS service TCP 10.96.0.99:53", missing.Message);
        Assert.Equal(FailureKind.NotFound, Refused(() => client.AddDestination(Tcp("10.96.0.99", 53), new IpvsDestinationSettings(Ip("10.0.0.1"), 53, IpvsForwardingMethod.Masquerade))).Kind);

        var scheduler = Refused(() => client.UpdateService(new IpvsServiceSettings(key, "nosuch")));
        Assert.Equal(FailureKind.ModuleMissing, scheduler.Kind);
        Assert.Contains("module ip_vs_nosuch", scheduler.Message);
        Assert.Contains("modprobe ip_vs_nosuch", scheduler.Message);

        var noDestination = Refused(() => client.RemoveDestination(key, Ip("10.244.1.9"), 53));
        Assert.Equal(FailureKind.NotFound, noDestination.Kind);
        Assert.Contains("IPVS service TCP 10.96.0.10:53 has no real server 10.244.1.9:53", noDestination.Message);
        Assert.Equal(FailureKind.NotFound, Refused(() => client.UpdateDestination(key, new IpvsDestinationSettings(Ip("10.244.1.9"), 53, IpvsForwardingMethod.Masquerade))).Kind);

        var twice = Refused(() => client.AddDestination(key, new IpvsDestinationSettings(Ip("10.244.1.5"), 53, IpvsForwardingMethod.Route)));
        Assert.Equal(FailureKind.AlreadyExists, twice.Kind);
        Assert.Contains("already has real server 10.244.1.5:53", twice.Message);

        var range = Refused(() => client.UpdateDestination(key, IpvsDestinationSettings.Unchecked(Ip("10.244.1.5"), 53, IpvsForwardingMethod.Masquerade, 1, 5, 10)));
        Assert.Equal((FailureKind.InvalidArgument, Errno.ERANGE), (range.Kind, ((NetlinkException)range).Errno));
        Assert.Contains("lower threshold 10", range.Message);

        var multicast = Refused(() => client.AddDestination(key, new IpvsDestinationSettings(Ip("224.0.0.1"), 53, IpvsForwardingMethod.Masquerade)));
        Assert.Equal((FailureKind.InvalidArgument, Errno.EINVAL), (multicast.Kind, ((NetlinkException)multicast).Errno));
        var family = Refused(() => client.AddDestination(key, new IpvsDestinationSettings(Ip("fd00::5"), 53, IpvsForwardingMethod.Masquerade)));
        Assert.Contains("needs Tunnel forwarding", family.Message);
    }

    [Fact]
    public void SyncDaemonsStartListAndStopAsIpvsadmSeesThem()
    {
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb");
        ns.Exec("ip", "addr", "add", "192.0.2.1/24", "dev", "va");
        ns.Exec("ip", "link", "set", "va", "up");
        ns.Exec("ip", "link", "set", "vb", "up");
        using var client = Open(ns);
        Assert.Empty(client.GetSyncDaemons());
        client.StartSyncDaemon(new IpvsSyncDaemonSettings(IpvsSyncState.Master, "va", 5));
        client.StartSyncDaemon(new IpvsSyncDaemonSettings(IpvsSyncState.Backup, "vb", 6, 1200, Ip("239.1.1.1"), 9000, 3));
        var daemons = client.GetSyncDaemons();
        Assert.Equal(ns.Exec("ipvsadm", "-L", "--daemon"), string.Concat(daemons.Select(d => d + "\n")));
        Assert.Equal("backup sync daemon (mcast=vb, syncid=6, maxlen=1200, group=239.1.1.1, port=9000, ttl=3)", daemons.Single(d => d.State == IpvsSyncState.Backup).ToString());
        Assert.Equal(ns.Name, daemons[0].NetworkNamespace);

        var again = Assert.Throws<NetlinkException>(() => client.StartSyncDaemon(new IpvsSyncDaemonSettings(IpvsSyncState.Master, "va")));
        Assert.Equal(FailureKind.AlreadyExists, again.Kind);
        client.StopSyncDaemon(IpvsSyncState.Master);
        Assert.Equal("backup sync daemon (mcast=vb, syncid=6, maxlen=1200, group=239.1.1.1, port=9000, ttl=3)\n", ns.Exec("ipvsadm", "-L", "--daemon"));
        var stopped = Assert.Throws<NetlinkException>(() => client.StopSyncDaemon(IpvsSyncState.Master));
        Assert.Equal(FailureKind.NotFound, stopped.Kind);
        Assert.Contains("no master sync daemon is running", stopped.Message);
        var noDevice = Assert.Throws<NetlinkException>(() => client.StartSyncDaemon(new IpvsSyncDaemonSettings(IpvsSyncState.Master, "nosuch0")));
        Assert.Equal(FailureKind.NotFound, noDevice.Kind);
        Assert.Contains("on nosuch0", noDevice.Message);
        client.StopSyncDaemon(IpvsSyncState.Backup);
        Assert.Empty(client.GetSyncDaemons());
    }
}
