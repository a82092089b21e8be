using System.Net;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.Kube;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.AnyMode;
using IpvsTools.KubeProxy.IpvsMode;
using Xunit;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>The expected front ends of each mode, the naming of IPVS mode's front ends, and the comparison by value (no kernel).</summary>
public class KubeProxyExpectedServicesTests
{
    private static ClusterSnapshot Kind() => SnapshotReader.ReadFiles([Path.Combine(AppContext.BaseDirectory, "Snapshots", "kind-cluster.yaml")]);

    private static readonly KubeProxyOptions KindWorker = new() { NodeName = "kind-worker", NodeAddresses = [IPAddress.Parse("172.18.0.3")] };

    [Fact]
    public void IpvsModeExpectationIsIpvsModesDesiredState()
    {
        var desired = KubeProxyState.Build(Kind(), KindWorker);
        var expected = KubeProxyExpectedServices.Build(Kind(), KindWorker, KubeProxyMode.Ipvs);
        Assert.NotEmpty(expected);
        Assert.Equal(desired.VirtualServers.Select(v => v.Key.DisplayName).Order(StringComparer.Ordinal),
            expected.Select(s => IpvsServiceKey.ForAddress(s.Protocol, s.Address, s.Port).DisplayName).Order(StringComparer.Ordinal));
        foreach (var vs in desired.VirtualServers)
        {
            var s = expected.Single(e => IpvsServiceKey.ForAddress(e.Protocol, e.Address, e.Port) == vs.Key);
            Assert.Equal(vs.Destinations.Select(d => d.ToString()), s.Endpoints.Select(e => e.ToString()));
            Assert.All(s.Endpoints, e => Assert.Equal(1, e.Weight));
            Assert.Equal(vs.ServicePort, s.Service + (s.PortName.Length > 0 ? ":" + s.PortName : ""));
            Assert.Equal(vs.Timeout == 0 ? null : TimeSpan.FromSeconds(vs.Timeout), s.Affinity);
            Assert.Equal(KubeProxyMode.Ipvs, s.Mode);
        }
        // Node ports: one front end per node address in IPVS mode.
        Assert.Contains(expected, s => s.Kind == KubeProxyServiceKind.NodePort && s.Address.Equals(IPAddress.Parse("172.18.0.3")));
    }

    [Fact]
    public void RuleModesPutNodePortsAtTheAnyAddressAndDropLocalPolicyWithoutLocalEndpoints()
    {
        var overall = KubeProxyComparisonHostTests.Overall();
        var options = new KubeProxyOptions { NodeName = "test-node", NodeAddresses = [IPAddress.Parse("192.168.0.2")] };
        var nft = KubeProxyExpectedServices.Build(overall, options, KubeProxyMode.Nftables);
        var svc2 = nft.Where(s => s.Service == "ns2/svc2").ToDictionary(s => s.Kind);
        Assert.Equal(IPAddress.Any, svc2[KubeProxyServiceKind.NodePort].Address);
        Assert.Equal(3001, svc2[KubeProxyServiceKind.NodePort].Port);
        Assert.Empty(svc2[KubeProxyServiceKind.NodePort].Endpoints);
        Assert.Empty(svc2[KubeProxyServiceKind.LoadBalancer].Endpoints);
        Assert.Equal("10.180.0.2:80", Assert.Single(svc2[KubeProxyServiceKind.ClusterIP].Endpoints).ToString());
        // IPVS mode falls back to every endpoint there (kubernetes#97081), one node port per node address.
        var ipvs = KubeProxyExpectedServices.Build(overall, options, KubeProxyMode.Ipvs).Where(s => s.Service == "ns2/svc2").ToDictionary(s => s.Kind);
        Assert.Equal(IPAddress.Parse("192.168.0.2"), ipvs[KubeProxyServiceKind.NodePort].Address);
        Assert.Equal("10.180.0.2:80", Assert.Single(ipvs[KubeProxyServiceKind.NodePort].Endpoints).ToString());
    }

    [Fact]
    public void IpvsModeFrontEndsAreNamedAfterTheServiceTheyBelongTo()
    {
        var overall = KubeProxyComparisonHostTests.Overall();
        KubeProxyService Fe(string address, ushort port, KubeProxyServiceKind kind)
            => new(KubeProxyMode.Ipvs, IpvsProtocol.Tcp, IPAddress.Parse(address), port, kind, null, "", null, null);
        var named = KubeProxyServiceNames.Apply(
        [
            Fe("172.30.0.41", 80, KubeProxyServiceKind.ClusterIP),
            Fe("192.168.0.2", 3001, KubeProxyServiceKind.NodePort),
            Fe("192.168.99.33", 80, KubeProxyServiceKind.ExternalIP),
            Fe("5.6.7.8", 80, KubeProxyServiceKind.LoadBalancer),
            Fe("172.30.0.41", 81, KubeProxyServiceKind.ClusterIP),
            Fe("5.6.7.8", 80, KubeProxyServiceKind.ExternalIP),
        ], overall);
        Assert.Equal(new[] { "ns1/svc1:p80", "ns2/svc2:p80", "ns4/svc4:p80", "ns5/svc5:p80", ":", ":" },
            named.Select(s => s.Service + ":" + s.PortName));
        Assert.Null(named[4].Service);
        // A front end that already has a name (iptables and nftables mode) keeps it.
        var already = new KubeProxyService(KubeProxyMode.Nftables, IpvsProtocol.Tcp, IPAddress.Parse("172.30.0.41"), 80, KubeProxyServiceKind.ClusterIP, "x/y", "z", null, null);
        Assert.Same(already, Assert.Single(KubeProxyServiceNames.Apply([already], overall)));
    }

    [Fact]
    public void KindDifferencesAreOnlyWhatTheModeCanTell()
    {
        KubeProxyService Fe(KubeProxyMode mode, KubeProxyServiceKind kind)
            => new(mode, IpvsProtocol.Tcp, IPAddress.Parse("1.2.3.4"), 80, kind, "ns/a", "", null, null);
        Assert.Empty(KubeProxyServiceComparison.Compare([Fe(KubeProxyMode.Nftables, KubeProxyServiceKind.LoadBalancer)], [Fe(KubeProxyMode.Nftables, KubeProxyServiceKind.External)], KubeProxyMode.Nftables));
        Assert.Empty(KubeProxyServiceComparison.Compare([Fe(KubeProxyMode.Nftables, KubeProxyServiceKind.ExternalIP)], [Fe(KubeProxyMode.Nftables, KubeProxyServiceKind.External)], KubeProxyMode.Nftables));
        var d = Assert.Single(KubeProxyServiceComparison.Compare([Fe(KubeProxyMode.Iptables, KubeProxyServiceKind.LoadBalancer)], [Fe(KubeProxyMode.Iptables, KubeProxyServiceKind.ClusterIP)], KubeProxyMode.Iptables));
        Assert.Equal("Kind TCP 1.2.3.4:80 ns/a: expected LoadBalancer, actual ClusterIP", d.ToString());
    }
}
