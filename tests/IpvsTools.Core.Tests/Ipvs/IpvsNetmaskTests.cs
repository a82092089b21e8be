using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>The persistence netmask is parsed once into what the kernel takes; the settings carry it typed to the wire.</summary>
public class IpvsNetmaskTests
{
    private static readonly IpvsServiceKey Tcp80 = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.1"), 80);
    private static readonly IpvsServiceKey Tcp6 = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("fd00::1"), 80);

    [Theory]
    [InlineData(AddressFamily.InterNetwork, "24", new byte[] { 255, 255, 255, 0 })]
    [InlineData(AddressFamily.InterNetwork, "255.0.255.0", new byte[] { 255, 0, 255, 0 })]
    [InlineData(AddressFamily.InterNetwork, null, new byte[] { 255, 255, 255, 255 })]
    public void AnIPv4MaskIsSentAsItsBytesInOrder(AddressFamily family, string? given, byte[] wire)
        => Assert.Equal(BitConverter.ToUInt32(wire, 0), IpvsNetmask.Parse(family, given).Attribute);

    [Fact]
    public void AnIPv6MaskIsSentAsItsPrefixLengthAndBothReadAsBefore()
    {
        Assert.Equal(64u, IpvsNetmask.Parse(AddressFamily.InterNetworkV6, "/64").Attribute);
        Assert.Equal("64", IpvsNetmask.Parse(AddressFamily.InterNetworkV6, "/64").ToString());
        Assert.Equal(IpvsNetmask.AllOnes(AddressFamily.InterNetworkV6), IpvsNetmask.Parse(AddressFamily.InterNetworkV6, null));
        Assert.Equal("255.255.255.255", IpvsNetmask.AllOnes(AddressFamily.InterNetwork).ToString());
    }

    [Fact]
    public void SettingsBuiltFromTextOrTypedAreTheSameAndAMaskOfTheOtherFamilyIsRefused()
    {
        var text = new IpvsServiceSettings(Tcp80, "rr", 1, 300, "255.255.0.0");
        var typed = new IpvsServiceSettings(Tcp80, "rr", 1, 300, IpvsNetmask.Parse(AddressFamily.InterNetwork, "16"));
        Assert.Equal((text.Netmask, text.NetmaskAttribute), (typed.Netmask, typed.NetmaskAttribute));
        Assert.Equal(text.NetmaskValue, typed.NetmaskValue);
        var wrong = Assert.Throws<IpvsToolsException>(() => new IpvsServiceSettings(Tcp6, "rr", 1, 300, IpvsNetmask.Parse(AddressFamily.InterNetwork, "16")));
        Assert.Equal(FailureKind.InvalidArgument, wrong.Kind);
    }
}
