using IpvsTools.KubeProxy;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using static IpvsTools.Tests.KubeProxy.KubeProxyFixtures;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;
using IpvsTools.KubeProxy.AnyMode;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>-Mode Auto: which data plane a namespace holds, from kube-proxy's own rulesets loaded into it.</summary>
[Trait("Tier", "Host")]
public class KubeProxyModeDetectorHostTests
{
    [Fact]
    public void NftablesTablesMeanNftablesMode()
    {
        using var ns = new TestNamespace();
        LoadNftables(ns, "nftables-overall.nft");
        var detection = KubeProxyModeDetector.Detect(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[] { KubeProxyMode.Nftables }, detection.Modes);
        Assert.Empty(detection.Warnings);
    }

    [Fact]
    public void KubeSvcChainsMeanIptablesMode()
    {
        using var ns = new TestNamespace();
        LoadIptables(ns, "iptables-overall.rules", IptablesBackend.NfTables);
        var detection = KubeProxyModeDetector.Detect(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[] { KubeProxyMode.Iptables }, detection.Modes);
    }

    [Fact]
    public void TheClusterIpSetMeansIpvsModeAndLeftoversOfAnotherModeComeSecond()
    {
        using var ns = new TestNamespace();
        ns.Exec("ipset", "create", "KUBE-CLUSTER-IP", "hash:ip,port");
        LoadIptables(ns, "iptables-local-policy.rules", IptablesBackend.NfTables);
        var detection = KubeProxyModeDetector.Detect(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(new[] { KubeProxyMode.Ipvs, KubeProxyMode.Iptables }, detection.Modes);
        Assert.Equal(KubeProxyMode.Ipvs, detection.Mode);
    }

    [Fact]
    public void AnEmptyNamespaceHasNoMode()
    {
        using var ns = new TestNamespace();
        var detection = KubeProxyModeDetector.Detect(NetworkNamespace.Resolve(ns.Name));
        Assert.Empty(detection.Modes);
        Assert.Null(detection.Mode);
    }
}
