using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>The IPVS client against a real IPVS kernel (the lab), cross-checked with ipvsadm in the same namespace.</summary>
[Trait("Tier", "Lab")]
public class IpvsClientLabTests
{
    public IpvsClientLabTests() => Lab.RequireIpvs();

    [Fact]
    public void ListingMatchesIpvsadmByteForByte()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        using var client = IpvsClient.Open(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(ns.Exec("ipvsadm", "-Ln"), IpvsadmText.FormatList(client.GetInfo(), client.GetServices()));
    }

    [Fact]
    public void InfoAndTimeoutsMatchIpvsadm()
    {
        using var ns = new TestNamespace();
        using var client = IpvsClient.Open(NetworkNamespace.Resolve(ns.Name));
        var info = client.GetInfo();
        Assert.Equal(ns.Exec("ipvsadm", "-Ln").Split('\n')[0], IpvsadmText.FormatVersionLine(info));
        Assert.Equal("1.2.1", info.VersionText);
        ns.Exec("ipvsadm", "--set", "800", "100", "200");
        Assert.Equal(ns.Exec("ipvsadm", "-L", "--timeout").TrimEnd('\n'), IpvsadmText.FormatTimeouts(client.GetTimeouts()).TrimEnd('\n'));
        var timeouts = client.GetTimeouts();
        Assert.Equal((800u, 100u, 200u), (timeouts.Tcp, timeouts.TcpFin, timeouts.Udp));
    }

    [Fact]
    public void ServicesAreDecodedField_by_field()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        using var client = IpvsClient.Open(NetworkNamespace.Resolve(ns.Name));
        var services = client.GetServices();
        var persistent = services.Single(s => s.Address?.ToString() == "192.168.10.1");
        Assert.Equal("wrr", persistent.Scheduler);
        Assert.Equal(10800u, persistent.PersistenceTimeout);
        Assert.Equal("255.255.255.0", persistent.Netmask);
        Assert.Contains("persistent", persistent.Flags);
        var route = Assert.Single(persistent.Destinations);
        Assert.Equal(IpvsForwardingMethod.Route, route.ForwardingMethod);
        Assert.Equal((5, 100u, 10u), (route.Weight, route.UpperThreshold, route.LowerThreshold));
        Assert.Equal(persistent.Key, route.Service);

        Assert.Equal(["sh-fallback", "sh-port"], services.Single(s => s.Scheduler == "sh").Flags);
        Assert.Equal(["mh-port"], services.Single(s => s.Scheduler == "mh").Flags);
        Assert.Contains("one-packet", services.Single(s => s.Port == 9000).Flags);

        var v6 = services.Single(s => s.Address?.ToString() == "fd00:10:96::a");
        Assert.Equal("64", v6.Netmask);
        Assert.Equal("fd00:10:244::5", Assert.Single(v6.Destinations).Address.ToString());

        var gue = Assert.Single(services.Single(s => s.Address?.ToString() == "10.96.0.40").Destinations);
        Assert.Equal(IpvsForwardingMethod.Tunnel, gue.ForwardingMethod);
        Assert.Equal(IpvsTunnelType.Gue, gue.TunnelType);
        Assert.Equal((ushort)6080, gue.TunnelPort);
        Assert.Equal("nocsum", gue.TunnelFlags);

        Assert.Equal(2, services.Count(s => s.FirewallMark != 0));
    }

    [Fact]
    public void LookupsOfOneServiceAndOfMissingOnes()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        using var client = IpvsClient.Open(NetworkNamespace.Resolve(ns.Name));
        var key = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, System.Net.IPAddress.Parse("10.96.0.10"), 53);
        var service = client.GetService(key);
        Assert.NotNull(service);
        Assert.Equal(2, service!.Destinations.Count);
        Assert.Equal(2, client.GetDestinations(key).Count);
        var missing = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, System.Net.IPAddress.Parse("10.96.0.99"), 53);
        Assert.Null(client.GetService(missing));
        Assert.Empty(client.GetDestinations(missing));
    }

    [Fact]
    public void NamespacesHaveTablesOfTheirOwn()
    {
        using var a = new TestNamespace();
        using var b = new TestNamespace();
        Lab.IpvsadmRestore(a, "-A -t 10.96.0.10:53 -s rr\n");
        using var inA = IpvsClient.Open(NetworkNamespace.Resolve(a.Name));
        using var inB = IpvsClient.Open(NetworkNamespace.Resolve(b.Name));
        Assert.Single(inA.GetServices());
        Assert.Empty(inB.GetServices());
    }
}
