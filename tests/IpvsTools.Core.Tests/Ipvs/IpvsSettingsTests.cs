using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>Settings refuse what ipvsadm or the kernel would refuse, before anything is sent.</summary>
public class IpvsSettingsTests
{
    private static readonly IpvsServiceKey Tcp80 = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.1"), 80);

    private static FailureKind Refusal(Action build) => Assert.Throws<IpvsToolsException>(build).Kind;

    [Fact]
    public void ServiceSettingsFollowIpvsadmsRules()
    {
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsServiceSettings(Tcp80, "")));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsServiceSettings(Tcp80, "a-scheduler-name-too-long")));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsServiceSettings(Tcp80, "r r")));
        // persistent needs a timeout; one-packet is for UDP and fwmark only; port 0 only when persistent.
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsServiceSettings(Tcp80, "rr", flags: 1)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsServiceSettings(Tcp80, "rr", flags: 4)));
        var all = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.1"), 0);
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsServiceSettings(all, "rr")));
        Assert.True(new IpvsServiceSettings(all, "rr", 1, 300).IsPersistent);
        Assert.Equal(4u, new IpvsServiceSettings(IpvsServiceKey.ForFirewallMark(3), "rr", 4).Flags);
        // HASHED (2) is kernel-internal and never sent.
        Assert.Equal(0u, new IpvsServiceSettings(Tcp80, "rr", 2).Flags);
    }

    [Theory]
    [InlineData(AddressFamily.InterNetwork, null, "255.255.255.255")]
    [InlineData(AddressFamily.InterNetwork, "255.255.0.0", "255.255.0.0")]
    [InlineData(AddressFamily.InterNetwork, "24", "255.255.255.0")]
    [InlineData(AddressFamily.InterNetwork, "/0", "0.0.0.0")]
    [InlineData(AddressFamily.InterNetworkV6, null, "128")]
    [InlineData(AddressFamily.InterNetworkV6, "64", "64")]
    [InlineData(AddressFamily.InterNetworkV6, "/96", "96")]
    public void NetmasksNormalize(AddressFamily family, string? given, string expected)
        => Assert.Equal(expected, IpvsServiceSettings.NormalizeNetmask(family, given));

    [Theory]
    [InlineData(AddressFamily.InterNetwork, "33")]
    [InlineData(AddressFamily.InterNetwork, "255.255.0")]
    [InlineData(AddressFamily.InterNetwork, "ffff::")]
    [InlineData(AddressFamily.InterNetworkV6, "0")]
    [InlineData(AddressFamily.InterNetworkV6, "129")]
    [InlineData(AddressFamily.InterNetworkV6, "255.255.255.0")]
    public void BadNetmasksAreRefused(AddressFamily family, string given)
        => Assert.Equal(FailureKind.InvalidArgument, Refusal(() => IpvsServiceSettings.NormalizeNetmask(family, given)));

    [Fact]
    public void SchedulerFlagsAreNamedForTheirScheduler()
    {
        Assert.Equal(0x18u, IpvsSchedulers.ParseFlags("sh", ["sh-fallback", "SH-PORT"]));
        Assert.Equal(0x10u, IpvsSchedulers.ParseFlags("mh", ["mh-port"]));
        Assert.Equal(0x28u, IpvsSchedulers.ParseFlags("wrr", ["flag-1", "flag-3"]));
        var wrong = Assert.Throws<IpvsToolsException>(() => IpvsSchedulers.ParseFlags("rr", ["sh-port"]));
        Assert.Contains("belongs to the sh scheduler", wrong.Message);
        Assert.Contains("flag-1", wrong.Message);
        Assert.Throws<IpvsToolsException>(() => IpvsSchedulers.ParseFlags("sh", ["sh-ports"]));
        Assert.Contains("mh", IpvsSchedulers.KernelSchedulers);
        Assert.Equal("ip_vs_wrr", IpvsSchedulers.ModuleName("wrr"));
    }

    [Fact]
    public void DestinationSettingsFollowTheKernelsRules()
    {
        var ip = IPAddress.Parse("10.244.0.5");
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Masquerade, -1)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Masquerade, 1, 5, 10)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Masquerade, 1, 0, 1)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Bypass)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Masquerade, tunnelType: IpvsTunnelType.Gue, tunnelPort: 1)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Tunnel, tunnelType: IpvsTunnelType.Gue)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Tunnel, tunnelPort: 5)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Tunnel, tunnelChecksum: IpvsTunnelChecksum.Checksum)));
        Assert.Equal(FailureKind.InvalidArgument, Refusal(() => new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Tunnel, tunnelType: IpvsTunnelType.Gre, tunnelChecksum: IpvsTunnelChecksum.RemoteChecksum)));
        var gre = new IpvsDestinationSettings(ip, 80, IpvsForwardingMethod.Tunnel, tunnelType: IpvsTunnelType.Gre, tunnelChecksum: IpvsTunnelChecksum.Checksum);
        Assert.Equal("10.244.0.5:80", gre.ToString());
    }

    [Theory]
    [InlineData("TCP 10.96.0.10:53", "TCP 10.96.0.10:53")]
    [InlineData("tcp  10.96.0.10:53", "TCP 10.96.0.10:53")]
    [InlineData("UDP [fd00::10]:53", "UDP [fd00::10]:53")]
    [InlineData("SCTP 10.0.0.1:3868", "SCTP 10.0.0.1:3868")]
    [InlineData("FWM 5", "FWM 5")]
    [InlineData("FWM  5 IPv6", "FWM 5 IPv6")]
    [InlineData("FWM -1", "FWM -1")]
    public void ServiceNamesParseBack(string text, string display)
    {
        Assert.True(IpvsServiceKey.TryParse(text, out var key));
        Assert.Equal(display, key!.DisplayName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("TCP")]
    [InlineData("TCP 10.96.0.10")]
    [InlineData("TCP 10.96.0.10:70000")]
    [InlineData("ICMP 10.96.0.10:53")]
    [InlineData("FWM 0")]
    [InlineData("FWM x")]
    [InlineData("FWM 5 IPv4")]
    [InlineData("TCP [10.0.0.1]:53")]
    [InlineData("TCP 10.0.0.256:53")]
    public void OtherTextIsNotAServiceName(string text) => Assert.False(IpvsServiceKey.TryParse(text, out _));
}
