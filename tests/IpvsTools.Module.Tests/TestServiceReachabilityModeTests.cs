using System.Collections;
using System.Management.Automation;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Test-ServiceReachability's -Mode surface (unit tier: no kernel, no privileges): the parameter in every parameter
/// set and bound by property name from piped objects, its validation, and the refusals made before the kernel is
/// read (a node port's 0.0.0.0 in IPVS mode, a kube-proxy configuration of another mode).
/// </summary>
public sealed class TestServiceReachabilityModeTests(PowerShellSession session) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-reachmode-").FullName;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private ErrorRecord Refusal(string script, Hashtable? vars = null)
    {
        var result = session.Run(script, vars);
        Assert.Empty(result.Output);
        return Assert.Single(result.AllErrors);
    }

    [Fact]
    public void ModeIsInEverySetAndBindsByPropertyNameWithTheFrontEndsProperties()
    {
        var rows = session.Ok("""
            $c = Get-Command Test-ServiceReachability
            foreach ($set in $c.ParameterSets) {
                foreach ($name in 'Mode', 'NetworkNamespace', 'Address', 'Port', 'Protocol') {
                    $p = $set.Parameters | Where-Object Name -eq $name
                    if ($p) { "$($set.Name) $name $($p.ValueFromPipelineByPropertyName)" }
                }
            }
            """).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(new[]
        {
            "Address Mode True", "Address NetworkNamespace True", "Address Address True", "Address Port True", "Address Protocol True",
            "ServicePath Mode True", "ServicePath NetworkNamespace True",
            "ServiceLive Mode True", "ServiceLive NetworkNamespace True",
        }.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal));
        var values = session.Ok("(Get-Command Test-ServiceReachability).Parameters['Mode'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | ForEach-Object ValidValues")
            .Select(o => (string)o.BaseObject);
        Assert.Equal(new[] { "Auto", "Ipvs", "Iptables", "Nftables" }, values);
    }

    [Fact]
    public void AnUnknownModeIsAParameterValidationError()
    {
        var error = Refusal("Test-ServiceReachability 10.96.0.10 53 -Mode Userspace");
        Assert.StartsWith("ParameterArgumentValidationError,", error.FullyQualifiedErrorId);
        Assert.Contains("Auto,Ipvs,Iptables,Nftables", error.Exception.Message);
    }

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("::")]
    public void ANodePortsUnspecifiedAddressIsRefusedInIpvsMode(string address)
    {
        // What Get-KubeProxyService gives for an iptables- or nftables-mode node port, piped into IPVS mode's checks.
        var error = Refusal($"[pscustomobject]@{{ Address = '{address}'; Port = 30080; Protocol = 'Tcp'; Mode = 'Ipvs' }} | Test-ServiceReachability");
        Assert.Equal("TestServiceReachabilityUnspecifiedAddress,IpvsTools.Commands.TestServiceReachabilityCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(address, error.TargetObject.ToString());
        Assert.Contains("-Mode Iptables or Nftables", error.Exception.Message);
    }

    [Fact]
    public void AConfigurationOfAnotherModeThanTheOneNamedIsRefusedBeforeAnythingIsRead()
    {
        var vars = new Hashtable
        {
            ["path"] = Write("cluster.yaml", "kind: List\nitems: []\n"),
            ["nftables"] = Write("nftables.yaml", "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: nftables\n"),
            ["nomode"] = Write("nomode.yaml", "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"),
        };
        var error = Refusal("Test-ServiceReachability -Service a/b -Path $path -Config $nftables -Mode Iptables -NetworkNamespace ipvstools-never-read", vars);
        Assert.Equal("TestServiceReachabilityConfigModeMismatch,IpvsTools.Commands.TestServiceReachabilityCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.EndsWith("nftables.yaml", (string)error.TargetObject);
        Assert.Contains("has mode nftables, not iptables (-Mode)", error.Exception.Message);

        var none = Refusal("Test-ServiceReachability -Service a/b -Path $path -Config $nomode -Mode Nftables -NetworkNamespace ipvstools-never-read", vars);
        Assert.Equal("TestServiceReachabilityConfigModeMismatch,IpvsTools.Commands.TestServiceReachabilityCommand", none.FullyQualifiedErrorId);
        Assert.Contains("(none, so iptables), not nftables (-Mode)", none.Exception.Message);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
