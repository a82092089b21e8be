using System.Management.Automation;
using System.Text.Json;
using System.Text.Json.Nodes;
using IpvsTools.Testing;
using IpvsTools.Tests;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Compare-KubeProxyService and Get-KubeProxyService with a cluster source, on kube-proxy's own expected rulesets
/// (tests/Shared/Fixtures/KubeProxy) in throwaway namespaces, against the cluster kube-proxy's test made them from
/// (tests/Shared/Snapshots/kube-proxy-overall.json) as a snapshot file and served by a loopback API server.
/// </summary>
[Trait("Tier", "Host")]
public sealed class CompareKubeProxyServiceHostTests(PowerShellSession session) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-cmp-").FullName;

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeProxy", name);

    private static readonly string Overall = Path.Combine(AppContext.BaseDirectory, "Snapshots", "kube-proxy-overall.json");

    /// <summary>The snapshot's Services and EndpointSlices as the API server lists them.</summary>
    private static LoopbackApiServer ServeOverall()
    {
        var items = JsonNode.Parse(File.ReadAllText(Overall))!["items"]!.AsArray();
        string List(string kind, string apiVersion) => new JsonObject
        {
            ["kind"] = kind + "List",
            ["apiVersion"] = apiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = "17" },
            ["items"] = new JsonArray(items.Where(i => (string?)i!["kind"] == kind).Select(i => i!.DeepClone()).ToArray()),
        }.ToJsonString();
        var api = new LoopbackApiServer();
        api.Answer("/api/v1/services?limit=500", List("Service", "v1"));
        api.Answer("/apis/discovery.k8s.io/v1/endpointslices?limit=500", List("EndpointSlice", "discovery.k8s.io/v1"));
        api.Answer("/api/v1/nodes/test-node", """{"kind":"Node","apiVersion":"v1","metadata":{"name":"test-node"},"status":{"addresses":[{"type":"InternalIP","address":"192.168.0.2"}]}}""");
        return api;
    }

    [Fact]
    public void NftablesNodeMatchesTheLiveClusterAndTheSnapshot()
    {
        using var ns = new TestNamespace();
        ns.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        using var api = ServeOverall();
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name, ["k"] = api.WriteKubeconfig(_dir), ["p"] = Overall };
        Assert.Empty(session.Ok("Compare-KubeProxyService -Kubeconfig $k -Context loop -NodeName test-node -NetworkNamespace $ns", vars));
        Assert.Contains(api.Requests, r => r.Request == "GET /apis/discovery.k8s.io/v1/endpointslices?limit=500");
        Assert.Equal(true, Assert.Single(session.Ok("Compare-KubeProxyService -Path $p -NodeName test-node -NetworkNamespace $ns -InformationLevel Quiet", vars)).BaseObject);
        var equal = session.Ok("Compare-KubeProxyService -Path $p -NodeName test-node -NetworkNamespace $ns -IncludeEqual", vars);
        Assert.Equal(13, equal.Count);
        Assert.All(equal, o => Assert.Equal("Equal", o.Properties["Difference"].Value.ToString()));
    }

    [Fact]
    public void IptablesNodeWithAMissingRuleGivesThatOneDifference()
    {
        using var ns = new TestNamespace();
        ns.Exec("iptables-restore", Fixture("iptables-overall.rules"));
        ns.Exec("iptables", "-w", "-t", "nat", "-D", "KUBE-SERVICES", "-m", "comment", "--comment", "ns1/svc1:p80 cluster IP", "-m", "tcp", "-p", "tcp",
            "-d", "172.30.0.41", "--dport", "80", "-j", "KUBE-SVC-XPGD46QRK7WJZT7O");
        using var api = ServeOverall();
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name, ["k"] = api.WriteKubeconfig(_dir), ["p"] = Overall };
        var d = Assert.Single(session.Ok("Compare-KubeProxyService -Kubeconfig $k -Context loop -NodeName test-node -Mode Iptables -NetworkNamespace $ns", vars));
        Assert.Equal("Missing", d.Properties["Difference"].Value.ToString());
        Assert.Equal("TCP 172.30.0.41:80", d.Properties["FrontEnd"].Value);
        Assert.Equal("ns1/svc1", d.Properties["Service"].Value);
        Assert.Equal("p80", d.Properties["PortName"].Value);
        Assert.Equal("ClusterIP -> 10.180.0.1:80", d.Properties["Expected"].Value);
        Assert.Equal("", d.Properties["Actual"].Value);
        Assert.Equal("Iptables", d.Properties["Mode"].Value.ToString());
        Assert.Equal(false, Assert.Single(session.Ok("Compare-KubeProxyService -Path $p -NodeName test-node -NetworkNamespace $ns -InformationLevel Quiet", vars)).BaseObject);
    }

    [Fact]
    public void GetKubeProxyServiceWithAClusterSourceKeepsTheNamesTheRulesGive()
    {
        using var ns = new TestNamespace();
        ns.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name, ["p"] = Overall };
        var plain = session.Ok("Get-KubeProxyService -NetworkNamespace $ns | ForEach-Object { \"$($_.FrontEnd) $($_.Service):$($_.PortName)\" }", vars).Select(o => (string)o.BaseObject).ToList();
        var named = session.Ok("Get-KubeProxyService -Path $p -NetworkNamespace $ns | ForEach-Object { \"$($_.FrontEnd) $($_.Service):$($_.PortName)\" }", vars).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(13, named.Count);
        Assert.Equal(plain, named);
    }

    [Fact]
    public void RefusalsAreNamedErrors()
    {
        using var ns = new TestNamespace();
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name, ["p"] = Overall, ["none"] = Path.Combine(_dir, "none.json") };

        var missing = Assert.Single(session.Run("Compare-KubeProxyService -Path $none -NetworkNamespace $ns", vars).AllErrors);
        Assert.Equal("CompareKubeProxyServiceSnapshotNotFound,IpvsTools.Commands.CompareKubeProxyServiceCommand", missing.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, missing.CategoryInfo.Category);

        var getMissing = Assert.Single(session.Run("Get-KubeProxyService -Path $none -NetworkNamespace $ns", vars).AllErrors);
        Assert.Equal("GetKubeProxyServiceSnapshotNotFound,IpvsTools.Commands.GetKubeProxyServiceCommand", getMissing.FullyQualifiedErrorId);

        var noMode = Assert.Single(session.Run("Compare-KubeProxyService -Path $p -NetworkNamespace $ns", vars).AllErrors);
        Assert.Equal("CompareKubeProxyServiceModeNotFound,IpvsTools.Commands.CompareKubeProxyServiceCommand", noMode.FullyQualifiedErrorId);
        Assert.Equal(ns.Name, noMode.TargetObject);

        var cidr = Assert.Single(session.Run("Compare-KubeProxyService -Path $p -NodePortAddress 10.0.0.0/33 -NetworkNamespace $ns", vars).AllErrors);
        Assert.Equal("CompareKubeProxyServiceInvalidCidr,IpvsTools.Commands.CompareKubeProxyServiceCommand", cidr.FullyQualifiedErrorId);
        Assert.Equal("10.0.0.0/33", cidr.TargetObject);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
