using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IptablesMode;
using IpvsTools.KubeProxy.NftablesMode;
using Xunit;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>The names kube-proxy puts in comments and chain names, and the DNAT targets, taken apart (no kernel).</summary>
public class KubeProxyNamesTests
{
    [Theory]
    [InlineData("ns1/svc1:p80", "ns1/svc1", "p80")]
    [InlineData("kube-system/kube-dns:dns-tcp", "kube-system/kube-dns", "dns-tcp")]
    [InlineData("default/kubernetes", "default/kubernetes", "")]
    [InlineData("kubernetes", null, "")]
    [InlineData(null, null, "")]
    public void CommentsNameTheServiceAndPort(string? text, string? service, string portName)
        => Assert.Equal((service, portName), KubeProxyServiceBuilder.SplitServicePortName(text));

    [Theory]
    [InlineData("service-ULMVA6XW-ns1/svc1/tcp/p80", "ns1/svc1", "p80")]
    [InlineData("external-42NFTM6N-kube-system/kube-dns/udp/dns", "kube-system/kube-dns", "dns")]
    [InlineData("local-42NFTM6N-ns2/svc2/tcp/", "ns2/svc2", "")]
    [InlineData("endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80", "ns1/svc1", "p80")]
    [InlineData("endpoint-ABCDEFGH-ns1/svc1/tcp/p80__fd00.10.180..1/80", "ns1/svc1", "p80")]
    [InlineData("services", null, "")]
    public void NftablesChainNamesNameTheServiceAndPort(string chain, string? service, string portName)
        => Assert.Equal((service, portName), NftablesChainWalker.NameOf(chain));

    [Theory]
    [InlineData("10.180.0.1:80", "10.180.0.1", 80)]
    [InlineData("[fd00:10:180::1]:8443", "fd00:10:180::1", 8443)]
    public void DnatTargetsAreEndpoints(string text, string address, int port)
    {
        var endpoint = ChainWalker.ParseEndpoint(text);
        Assert.NotNull(endpoint);
        Assert.Equal(System.Net.IPAddress.Parse(address), endpoint.Address);
        Assert.Equal(port, endpoint.Port);
    }

    [Theory]
    [InlineData("10.180.0.1")]
    [InlineData("10.180.0.1:http")]
    [InlineData("[fd00::1]80")]
    public void WhatIsNoDnatTargetIsNoEndpoint(string text) => Assert.Null(ChainWalker.ParseEndpoint(text));
}
