using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>`ipvsadm -Sn` text as ipvsadm 1.31 writes it (seen in the lab: tests/.../IpvsClientWriteLabTests compare with the real tool).</summary>
public class IpvsadmSaveTextTests
{
    private static IpvsService Service(IpvsServiceKey key, string scheduler = "rr", uint flags = 0, uint timeout = 0,
        string? netmask = null, string? engine = null, Func<IpvsServiceKey, IpvsDestination[]>? destinations = null)
        => new(key, scheduler, flags, timeout, netmask ?? (key.AddressFamily == AddressFamily.InterNetwork ? "255.255.255.255" : "128"),
            engine, destinations?.Invoke(key), IpvsStatistics.Zero, IpvsRates.Zero);

    private static IpvsDestination Dest(IpvsServiceKey service, string address, ushort port, IpvsForwardingMethod method, int weight = 1,
        IpvsTunnelType? tunnel = null, ushort? tunnelPort = null, string? tunnelFlags = null)
    {
        var ip = IPAddress.Parse(address);
        return new IpvsDestination(service, ip.AddressFamily, ip, port, method, weight, 50, 5, 0, 0, 0, tunnel, tunnelPort, tunnelFlags,
            IpvsStatistics.Zero, IpvsRates.Zero);
    }

    private static IpvsServiceKey Key(IpvsProtocol protocol, string address, ushort port) => IpvsServiceKey.ForAddress(protocol, IPAddress.Parse(address), port);

    [Fact]
    public void EverySettingInIpvsadmsOrder()
    {
        var services = new[]
        {
            Service(Key(IpvsProtocol.Udp, "10.96.0.1", 5060), "sh", 0x1 | 0x4 | 0x10, 30, "255.255.255.0", "sip"),
            Service(Key(IpvsProtocol.Tcp, "10.96.0.10", 53), destinations: k =>
            [
                Dest(k, "10.244.0.2", 5353, IpvsForwardingMethod.Masquerade, 0),
                Dest(k, "fd00::8", 53, IpvsForwardingMethod.Tunnel, 1, IpvsTunnelType.Gre, null, "nocsum"),
                Dest(k, "10.244.0.4", 53, IpvsForwardingMethod.Tunnel, 1, IpvsTunnelType.Gue, 6080, "csum"),
                Dest(k, "10.244.0.3", 53, IpvsForwardingMethod.Tunnel, 1, IpvsTunnelType.Ipip),
                Dest(k, "10.244.0.1", 53, IpvsForwardingMethod.Route),
            ]),
            Service(Key(IpvsProtocol.Tcp, "10.96.0.5", 80), "sh", 0x20),
            Service(Key(IpvsProtocol.Udp, "10.96.0.14", 5060), engine: "sip"),
            Service(Key(IpvsProtocol.Tcp, "fd00::1", 80), timeout: 10, flags: 1, netmask: "96"),
            Service(Key(IpvsProtocol.Tcp, "fd00::3", 80), netmask: "64"),
            Service(IpvsServiceKey.ForFirewallMark(7, AddressFamily.InterNetworkV6), flags: 1, timeout: 20, netmask: "64"),
            Service(IpvsServiceKey.ForFirewallMark(8), flags: 4, destinations: k => [Dest(k, "10.244.0.9", 0, IpvsForwardingMethod.Masquerade)]),
            Service(Key(IpvsProtocol.Sctp, "10.96.0.18", 3868)),
        };
        Assert.Equal("""
            -A -t 10.96.0.5:80 -s sh -b 
            -A -t 10.96.0.10:53 -s rr
            -a -t 10.96.0.10:53 -r [fd00::8]:53 -i -w 1 --tun-type gre --tun-nocsum
            -a -t 10.96.0.10:53 -r 10.244.0.1:53 -g -w 1
            -a -t 10.96.0.10:53 -r 10.244.0.2:5353 -m -w 0
            -a -t 10.96.0.10:53 -r 10.244.0.3:53 -i -w 1 --tun-type ipip
            -a -t 10.96.0.10:53 -r 10.244.0.4:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
            -A -u 10.96.0.1:5060 -s sh -p 30 -M 255.255.255.0 --pe sip -o -b sh-port
            -A -u 10.96.0.14:5060 -s rr --pe sip
            -A --sctp-service 10.96.0.18:3868 -s rr
            -A -t [fd00::1]:80 -s rr -p 10 -M 96
            -A -t [fd00::3]:80 -s rr
            -A -f 7 -6 -s rr -p 20 -M 64
            -A -f 8 -s rr -o
            -a -f 8 -r 10.244.0.9:0 -m -w 1

            """.Replace("\r\n", "\n"), IpvsadmSaveText.Format(services));
    }

    [Fact]
    public void MarksAboveTwoToThe31PrintNegative()
        => Assert.Equal("-A -f -2147483648 -6 -s rr",
            IpvsadmSaveText.FormatServiceRule(Service(IpvsServiceKey.ForFirewallMark(0x80000000, AddressFamily.InterNetworkV6))));

    [Fact]
    public void AnEmptyTableSavesAsNothing() => Assert.Equal("", IpvsadmSaveText.Format([]));
}
