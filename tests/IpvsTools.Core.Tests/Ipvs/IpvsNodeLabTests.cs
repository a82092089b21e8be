using System.Net;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// What belongs to a network namespace but not to netlink: the connection table in /proc and the IPVS
/// sysctls, read on a thread inside the namespace and cross-checked with ipvsadm and sysctl there.
/// </summary>
[Trait("Tier", "Lab")]
public class IpvsNodeLabTests
{
    public IpvsNodeLabTests() => Lab.RequireIpvs();

    [Fact]
    public void TheConnectionTableIsTheNamespaces()
    {
        using var ns = new TestNamespace();
        Lab.MakeConnections(ns);
        var ours = IpvsConnectionText.Read(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(Lab.IpvsadmConnections(ns), ours.Select(c => Lab.WithoutExpiry(c.ToString())).Order(StringComparer.Ordinal).ToArray());
        Assert.Contains(ours, c => c.Protocol == "TCP" && c.ClientPort == 0 && c.State == "NONE"); // the persistence template
        Assert.Contains(ours, c => c.ClientAddress.Equals(IPAddress.Parse("fd00::10")));
        Assert.All(ours, c => Assert.Equal(ns.Name, c.NetworkNamespace));
        // The test process's own namespace has none of them.
        Assert.DoesNotContain(IpvsConnectionText.Read(), c => c.VirtualAddress.Equals(IPAddress.Parse("10.96.0.10")));
    }

    [Fact]
    public void SysctlsAreTheNamespaces()
    {
        using var ns = new TestNamespace();
        using (IpvsClient.Open(NetworkNamespace.Resolve(ns.Name))) { }
        ns.Exec("sysctl", "-q", "-w", "net.ipv4.vs.conntrack=1", "net.ipv4.vs.expire_nodest_conn=1", "net.ipv4.vs.expire_quiescent_template=1", "net.ipv4.vs.conn_reuse_mode=0");
        var inside = IpvsSysctls.Read(NetworkNamespace.Resolve(ns.Name));
        Assert.Equal((1, 1, 1, 0), (inside.Conntrack, inside.ExpireNodestConn, inside.ExpireQuiescentTemplate, inside.ConnReuseMode));
        var outside = IpvsSysctls.Read();
        Assert.Equal(Tool.Run("sysctl", "-n", "net.ipv4.vs.conntrack").Trim(), outside.Conntrack.ToString());
        Assert.Equal(Tool.Run("sysctl", "-n", "net.ipv4.vs.conn_reuse_mode").Trim(), outside.ConnReuseMode.ToString());
        Assert.NotEqual((outside.Conntrack, outside.ConnReuseMode), (inside.Conntrack, inside.ConnReuseMode));
    }
}
