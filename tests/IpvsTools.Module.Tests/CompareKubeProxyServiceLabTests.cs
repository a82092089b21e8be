using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Compare-KubeProxyService and Get-KubeProxyService with a cluster source in IPVS mode, on the lab kernel: a node
/// synced by Sync-KubeIpvs from a cluster has no difference with it and its front ends are named after its Services;
/// a virtual server no Service explains keeps an empty name and is Unexpected; a real server removed with ipvsadm
/// is an Endpoints difference.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class CompareKubeProxyServiceLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-kpcompare-").FullName;
    private readonly TestNamespace _node;

    public CompareKubeProxyServiceLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
        _node = GetKubeIpvsPlanLabTests.Node(); // eth0 172.18.0.3/24
    }

    public void Dispose()
    {
        _node.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private static string Line(PSObject o) => o.ToString();

    [Fact]
    public void ASyncedIpvsNodeMatchesItsClusterAndIsNamedAfterItsServices()
    {
        var path = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(path, GetKubeProxyServiceLabTests.Cluster);
        var vars = new Hashtable { ["path"] = path, ["ns"] = _node.Name };
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false", vars);

        Assert.Empty(_session.Ok("Compare-KubeProxyService -Path $path -NodeName node-a -NetworkNamespace $ns", vars));
        Assert.Empty(_session.Ok("Compare-KubeProxyService -Path $path -NodeName node-a -Mode Ipvs -NetworkNamespace $ns", vars));
        Assert.Equal(true, Assert.Single(_session.Ok("Compare-KubeProxyService -Path $path -NodeName node-a -NetworkNamespace $ns -InformationLevel Quiet", vars)).BaseObject);

        var named = _session.Ok("Get-KubeProxyService -Path $path -NetworkNamespace $ns | ForEach-Object { \"$($_.FrontEnd) $($_.Kind) $($_.Service):$($_.PortName)\" }", vars)
            .Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[]
        {
            "TCP 1.2.3.4:80 LoadBalancer shop/lb:http",
            "TCP 10.96.0.20:80 ClusterIP shop/web:http",
            "TCP 10.96.0.30:80 ClusterIP shop/lb:http",
            "TCP 10.96.0.40:80 ClusterIP shop/empty:http",
            "TCP 172.18.0.3:30080 NodePort shop/lb:http",
        }, named);
        // The filter by Service works in IPVS mode with a cluster source.
        Assert.Equal(2, _session.Ok("Get-KubeProxyService 'shop/l*' -Path $path -NetworkNamespace $ns", vars).Count(o => o.Properties["Kind"].Value.ToString() != "ClusterIP"));

        // A virtual server at a ClusterIP on kube-ipvs0 that no Service port explains, and a real server gone.
        _node.Exec("ipvsadm", "-A", "-t", "10.96.0.20:81", "-s", "rr");
        _node.Exec("ipvsadm", "-d", "-t", "10.96.0.20:80", "-r", "10.244.1.11:8080");
        var unnamed = Assert.Single(_session.Ok("Get-KubeProxyService -Path $path -NetworkNamespace $ns", vars), o => (ushort)o.Properties["Port"].Value == 81);
        Assert.Null(unnamed.Properties["Service"].Value);
        var differences = _session.Ok("Compare-KubeProxyService -Path $path -NodeName node-a -NetworkNamespace $ns", vars).Select(Line).ToList();
        Assert.Equal(new[]
        {
            "Endpoints TCP 10.96.0.20:80 shop/web:http: expected 10.244.1.10:8080, 10.244.1.11:8080, actual 10.244.1.10:8080",
            "Unexpected TCP 10.96.0.20:81: expected (nothing), actual ClusterIP -> (rejected)",
        }, differences);
        // Cross-checked with ipvsadm in the same kernel.
        var saved = _node.Exec("ipvsadm", "-Sn");
        Assert.Contains("-A -t 10.96.0.20:81 -s rr", saved);
        Assert.DoesNotContain("-r 10.244.1.11:8080", saved.Split('\n').Where(l => l.StartsWith("-a -t 10.96.0.20:80 ")).Aggregate("", (a, b) => a + b));
    }
}
