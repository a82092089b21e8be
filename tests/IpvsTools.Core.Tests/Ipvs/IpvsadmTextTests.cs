using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>ipvsadm's names, order and `-Ln` text, derived from ipvsadm 1.31's print_service_entry and libipvs.</summary>
public class IpvsadmTextTests
{
    private static IpvsServiceKey Tcp(string address, ushort port) => IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse(address), port);

    private static IpvsServiceKey Udp(string address, ushort port) => IpvsServiceKey.ForAddress(IpvsProtocol.Udp, IPAddress.Parse(address), port);

    private static IpvsService Service(IpvsServiceKey key, string scheduler = "rr", uint flags = 0, uint timeout = 0,
        string? netmask = null, string? engine = null, params IpvsDestination[] destinations)
        => new(key, scheduler, flags, timeout, netmask ?? (key.AddressFamily == AddressFamily.InterNetwork ? "255.255.255.255" : "128"),
            engine, destinations, IpvsStatistics.Zero, IpvsRates.Zero);

    private static IpvsDestination Dest(IpvsServiceKey service, string address, ushort port, IpvsForwardingMethod method = IpvsForwardingMethod.Masquerade,
        int weight = 1, uint active = 0, uint inactive = 0)
    {
        var ip = IPAddress.Parse(address);
        return new IpvsDestination(service, ip.AddressFamily, ip, port, method, weight, 0, 0, active, inactive, 0,
            method == IpvsForwardingMethod.Tunnel ? IpvsTunnelType.Ipip : null, null, null, IpvsStatistics.Zero, IpvsRates.Zero);
    }

    [Theory]
    [InlineData(0x1u | 0x4u | 0x8u | 0x10u | 0x20u, "rr", new[] { "persistent", "one-packet", "flag-1", "flag-2", "flag-3" })]
    [InlineData(0x2u | 0x8u | 0x10u, "sh", new[] { "sh-fallback", "sh-port" })]
    [InlineData(0x20u, "sh", new[] { "flag-3" })]
    [InlineData(0x10u, "mh", new[] { "mh-port" })]
    [InlineData(0x8u | 0x10u, "mh", new[] { "mh-fallback", "mh-port" })]
    [InlineData(0x2u, "wlc", new string[0])]
    [InlineData(0x40u | 0x1u, "rr", new[] { "persistent", "0x40" })]
    public void FlagNames(uint flags, string scheduler, string[] names)
    {
        Assert.Equal(names, IpvsServiceFlags.Names(flags, scheduler));
        Assert.Equal(names, Service(Tcp("10.0.0.1", 80), scheduler, flags).Flags);
    }

    [Fact]
    public void SchedulerFlagTextAsIpvsadmPrintsIt()
    {
        Assert.Equal("sh-fallback,sh-port", IpvsServiceFlags.SchedulerFlagText(0x18, "sh"));
        Assert.Equal("flag-1,flag-3", IpvsServiceFlags.SchedulerFlagText(0x28, "wrr"));
        // sh and mh know only their two flags: a lone SCHED3 prints empty parentheses.
        Assert.Equal("TCP  10.0.0.1:80 sh ()", IpvsadmText.FormatServiceLine(Service(Tcp("10.0.0.1", 80), "sh", 0x20)));
    }

    [Theory]
    [InlineData("::", "::")]
    [InlineData("::1", "::1")]
    [InlineData("fd00::10", "fd00::10")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7")]
    [InlineData("1:0:2:0:0:0:0:0", "1:0:2::")]
    [InlineData("::ffff:10.1.2.3", "::ffff:10.1.2.3")]
    [InlineData("::a01:203", "::10.1.2.3")]
    [InlineData("::1:2", "::0.1.0.2")]
    [InlineData("FD00:0:0:1::ABCD", "fd00:0:0:1::abcd")]
    public void IPv6AsGlibcPrintsIt(string address, string expected)
    {
        Assert.Equal(expected, IpvsAddressText.Format(IPAddress.Parse(address)));
    }

    [Fact]
    public void AddressesCompareAsWrappingDifferences()
    {
        // (int)(ntohl(10.96.0.10) - ntohl(192.168.1.1)) = (int)0x49b7ff09 > 0: 192.168.x sorts first.
        Assert.True(IpvsadmText.CompareServices(Tcp("10.96.0.10", 53), Tcp("192.168.1.1", 80)) > 0);
        Assert.True(IpvsadmText.CompareServices(Tcp("192.168.1.1", 80), Tcp("10.96.0.10", 53)) < 0);
        // Without wrapping the order is the natural one.
        Assert.True(IpvsadmText.CompareServices(Tcp("10.96.0.1", 443), Tcp("10.96.0.10", 53)) < 0);
        // Fwmark, then family, then protocol, then address, then port.
        Assert.True(IpvsadmText.CompareServices(IpvsServiceKey.ForFirewallMark(1), Tcp("10.0.0.1", 80)) > 0);
        Assert.True(IpvsadmText.CompareServices(Tcp("fd00::1", 80), Tcp("10.0.0.1", 80)) > 0);
        Assert.True(IpvsadmText.CompareServices(Udp("10.0.0.1", 53), Tcp("10.0.0.1", 53)) > 0);
        Assert.True(IpvsadmText.CompareServices(Tcp("10.0.0.1", 53), Tcp("10.0.0.1", 9153)) < 0);
        // The fwmark difference wraps too.
        Assert.True(IpvsadmText.CompareServices(IpvsServiceKey.ForFirewallMark(1), IpvsServiceKey.ForFirewallMark(0x80000002)) > 0);
    }

    [Fact]
    public void SortingWraps()
    {
        var services = new[] { Service(Tcp("10.96.0.10", 53)), Service(Tcp("192.168.49.2", 30080)) };
        Assert.Equal(["TCP 192.168.49.2:30080", "TCP 10.96.0.10:53"], IpvsadmText.SortServices(services).Select(s => s.ToString()));
    }

    [Fact]
    public void TheOrderIsGlibcMergeSortOfTheKernelOrder()
    {
        // 0.0.0.1 < 96.0.0.1 < 192.0.0.1 < 0.0.0.1: a cycle, so the result depends on the input order
        // and the algorithm (glibc's qsort is a merge sort taking the left element on ties).
        var a = Service(Tcp("0.0.0.1", 80));
        var b = Service(Tcp("96.0.0.1", 80));
        var c = Service(Tcp("192.0.0.1", 80));
        string Order(params IpvsService[] input) => string.Join(" ", IpvsadmText.SortServices(input).Select(s => s.Address!.ToString()));
        Assert.Equal("0.0.0.1 96.0.0.1 192.0.0.1", Order(a, b, c));
        Assert.Equal("192.0.0.1 0.0.0.1 96.0.0.1", Order(c, b, a));
        Assert.Equal("96.0.0.1 192.0.0.1 0.0.0.1", Order(b, c, a));
    }

    [Fact]
    public void DestinationsSortByAddressThenPort()
    {
        var key = Tcp("10.96.0.10", 53);
        var sorted = IpvsadmText.SortDestinations([Dest(key, "10.244.2.3", 53), Dest(key, "10.244.1.7", 9153), Dest(key, "10.244.1.7", 53)]);
        Assert.Equal(["10.244.1.7:53", "10.244.1.7:9153", "10.244.2.3:53"], sorted.Select(d => d.ToString()));
    }

    [Fact]
    public void ListMatchesIpvsadmLn()
    {
        var dns = Tcp("10.96.0.10", 53);
        var dnsUdp = Udp("10.96.0.10", 53);
        var nodePort = Tcp("192.168.49.2", 30080);
        var fwm = IpvsServiceKey.ForFirewallMark(5);
        var v6 = Tcp("fd00::10", 80);
        var api = Tcp("10.96.0.1", 443);
        var syslog = Udp("10.96.0.20", 514);
        // In the kernel's (hash) order.
        var services = new[]
        {
            Service(dns, destinations: [Dest(dns, "10.244.2.3", 53), Dest(dns, "10.244.1.7", 53, active: 2, inactive: 5)]),
            Service(dnsUdp, destinations: [Dest(dnsUdp, "10.244.1.7", 53)]),
            Service(nodePort, flags: 0x1, timeout: 10800, destinations: [Dest(nodePort, "10.244.1.9", 8080, weight: 0, inactive: 3)]),
            Service(fwm, "wlc", destinations: [Dest(fwm, "10.0.0.2", 0, IpvsForwardingMethod.Route, weight: 2)]),
            Service(v6, "mh", 0x10, destinations: [Dest(v6, "fd00::2", 80), Dest(v6, "10.0.0.5", 80, IpvsForwardingMethod.Tunnel)]),
            Service(api, "sh", 0x1 | 0x8 | 0x10, 300, "255.255.255.0", "sip"),
            Service(syslog, flags: 0x4, destinations: [Dest(syslog, "10.244.3.4", 514, inactive: 1)]),
        };
        var expected =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  192.168.49.2:30080 rr persistent 10800\n" +
            "  -> 10.244.1.9:8080              Masq    0      0          3         \n" +
            "TCP  10.96.0.1:443 sh (sh-fallback,sh-port) persistent 300 mask 255.255.255.0 pe sip\n" +
            "TCP  10.96.0.10:53 rr\n" +
            "  -> 10.244.1.7:53                Masq    1      2          5         \n" +
            "  -> 10.244.2.3:53                Masq    1      0          0         \n" +
            "UDP  10.96.0.10:53 rr\n" +
            "  -> 10.244.1.7:53                Masq    1      0          0         \n" +
            "UDP  10.96.0.20:514 rr ops\n" +
            "  -> 10.244.3.4:514               Masq    1      0          1         \n" +
            "TCP  [fd00::10]:80 mh (mh-port)\n" +
            "  -> [fd00::2]:80                 Masq    1      0          0         \n" +
            "  -> 10.0.0.5:80                  Tunnel  1      0          0         \n" +
            "FWM  5 wlc\n" +
            "  -> 10.0.0.2:0                   Route   2      0          0         \n";
        Assert.Equal(expected, IpvsadmText.FormatList(new IpvsInfo(0x010201, 4096), services));
    }

    [Fact]
    public void EmptyTableIsTheHeaderOnly()
    {
        Assert.Equal(
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n",
            IpvsadmText.FormatList(new IpvsInfo(0x010201, 4096), []));
    }

    [Fact]
    public void IPv6PersistenceMaskAndLongNames()
    {
        var v6 = Service(Tcp("2001:db8:1234:5678:9abc:def0:1234:5678", 8443), flags: 0x1, timeout: 60, netmask: "64");
        Assert.Equal("TCP  [2001:db8:1234:5678:9abc:def0:1234:5678]:8443 rr persistent 60 mask 64", IpvsadmText.FormatServiceLine(v6));
        // An IPv6 destination name longer than the column is not cut, only no longer padded.
        var d = Dest(v6.Key, "2001:db8:1234:5678:9abc:def0:1234:5679", 8443, weight: 10);
        Assert.Equal("  -> [2001:db8:1234:5678:9abc:def0:1234:5679]:8443 Masq    10     0          0         ", IpvsadmText.FormatDestinationLine(d));
    }
}
