using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Get-KubeProxyService on kube-proxy's own expected rulesets (tests/Shared/Fixtures/KubeProxy) loaded into
/// throwaway namespaces: the mode found, the objects, the refusal when there is no kube-proxy, and the default view
/// (rendered in the test host).
/// </summary>
[Trait("Tier", "Host")]
public class GetKubeProxyServiceHostTests(PowerShellSession session)
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeProxy", name);

    [Fact]
    public void AutoFindsNftablesModeAndReadsEveryFrontEnd()
    {
        using var ns = new TestNamespace();
        ns.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        var result = session.Run("Get-KubeProxyService -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = ns.Name });
        Assert.Empty(result.AllErrors);
        Assert.Equal(13, result.Output.Count);
        Assert.All(result.Output, o => Assert.Equal("Nftables", o.Properties["Mode"].Value.ToString()));
        Assert.All(result.Output, o => Assert.Equal(ns.Name, o.Properties["NetworkNamespace"].Value));
        var lb = result.Output.Single(o => (string)o.Properties["FrontEnd"].Value == "TCP 5.6.7.8:80");
        Assert.Equal("LoadBalancer", lb.Properties["Kind"].Value.ToString());
        Assert.Equal("ns5/svc5", lb.Properties["Service"].Value);
        Assert.Equal("p80", lb.Properties["PortName"].Value);
        Assert.Equal(TimeSpan.FromSeconds(10800), lb.Properties["Affinity"].Value);
        var endpoint = Assert.Single((IEnumerable<object>)lb.Properties["Endpoints"].Value);
        Assert.Equal("10.180.0.3:80", endpoint.ToString());
    }

    [Fact]
    public void ServiceNamesFilterWithWildcardsAndIptablesModeIsReadWhenNamed()
    {
        using var ns = new TestNamespace();
        ns.Exec("iptables-restore", Fixture("iptables-overall.rules"));
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name };
        var frontEnds = session.Ok("Get-KubeProxyService 'NS5/*' -Mode Iptables -NetworkNamespace $ns | ForEach-Object { \"$($_.FrontEnd) $($_.Kind)\" }", vars)
            .Select(o => (string)o.BaseObject).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(new[] { "TCP 0.0.0.0:3002 NodePort", "TCP 172.30.0.45:80 ClusterIP", "TCP 5.6.7.8:80 LoadBalancer" }, frontEnds);
    }

    [Fact]
    public void ANamespaceWithoutKubeProxyIsANamedError()
    {
        using var ns = new TestNamespace();
        var result = session.Run("Get-KubeProxyService -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = ns.Name });
        Assert.Empty(result.Output);
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetKubeProxyServiceModeNotFound,IpvsTools.Commands.GetKubeProxyServiceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(ns.Name, error.TargetObject);
        Assert.Contains("-Mode", error.Exception.Message);
    }

    /// <summary>The default view's layout (the in-process host is 200 columns wide; tests/pwsh/Views.Tests.ps1 renders
    /// it in real pwsh at 80 and 120 columns).</summary>
    [Fact]
    public void TheDefaultViewGroupsByModeAndListsEndpointsOneALine()
    {
        using var ns = new TestNamespace();
        ns.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        var lines = RenderingHost.Lines(RenderingHost.Instance.Render("Get-KubeProxyService -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = ns.Name }));
        Assert.Equal($"kube-proxy: Nftables mode in network namespace {ns.Name}", lines[0].Trim());
        Assert.Matches(@"^FrontEnd\s+Kind\s+Service\s+Endpoints$", lines[1]);
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^TCP 172\.30\.0\.44:80\s+ClusterIP\s+ns4/svc4:p80\s+10\.180\.0\.4:80$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+10\.180\.0\.5:80$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^TCP 172\.30\.0\.46:80\s+ClusterIP\s+ns6/svc6:p80\s+\(rejected\)$"));
    }
}
