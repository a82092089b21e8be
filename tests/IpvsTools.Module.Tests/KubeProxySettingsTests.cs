using System.Collections;
using System.Management.Automation;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// kube-proxy's settings on the cmdlets that share them (Get-KubeIpvsPlan, Compare-KubeIpvs, Sync-KubeIpvs,
/// Test-ServiceReachability's cluster source): -Config refusals (a mode other than ipvs, a missing or malformed
/// file), -NodePortRange, the IPVS timeouts, -SourceNetworkNamespace, each before the cluster or the kernel
/// is read (unit tier: no kernel, no privileges).
/// </summary>
public sealed class KubeProxySettingsTests(PowerShellSession session) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-kpcfg-").FullName;

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

    private Hashtable Vars() => new()
    {
        ["path"] = Write("cluster.yaml", "kind: List\nitems: []\n"),
        ["iptables"] = Write("iptables.yaml", "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nmode: iptables\n"),
        ["nomode"] = Write("nomode.yaml", "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n"),
        ["broken"] = Write("broken.yaml", "kind: KubeProxyConfiguration\nmode: ipvs\nipvs: {udpTimeout: later}\n"),
        ["absent"] = Path.Combine(_dir, "absent.yaml"),
    };

    [Theory]
    [InlineData("Get-KubeIpvsPlan", "GetKubeIpvsPlan")]
    [InlineData("Compare-KubeIpvs", "CompareKubeIpvs")]
    [InlineData("Sync-KubeIpvs -Confirm:$false", "SyncKubeIpvs")]
    public void AConfigurationInAnotherModeIsRefusedBeforeAnythingIsRead(string command, string prefix)
    {
        var error = Refusal($"{command} -Path $path -NodeName n1 -Config $iptables -NetworkNamespace ipvstools-never-read", Vars());
        Assert.Equal($"{prefix}ConfigModeNotIpvs,IpvsTools.Commands.{prefix}Command", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidData, error.CategoryInfo.Category);
        Assert.EndsWith("iptables.yaml", (string)error.TargetObject);
        Assert.Contains("has mode 'iptables', not ipvs", error.Exception.Message);

        var none = Refusal($"{command} -Path $path -NodeName n1 -Config $nomode", Vars());
        Assert.Contains("has no mode (kube-proxy then runs in iptables mode)", none.Exception.Message);

        var broken = Refusal($"{command} -Path $path -NodeName n1 -Config $broken", Vars());
        Assert.Equal($"{prefix}ConfigInvalid,IpvsTools.Commands.{prefix}Command", broken.FullyQualifiedErrorId);
        Assert.Contains("broken.yaml:3:", broken.Exception.Message);
        Assert.Contains("ipvs.udpTimeout: 'later' is not a duration", broken.Exception.Message);

        var absent = Refusal($"{command} -Path $path -NodeName n1 -Config $absent", Vars());
        Assert.Equal($"{prefix}ConfigNotFound,IpvsTools.Commands.{prefix}Command", absent.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, absent.CategoryInfo.Category);

        var range = Refusal($"{command} -Path $path -NodeName n1 -NodePortRange 32767-30000", Vars());
        Assert.Equal($"{prefix}InvalidNodePortRange,IpvsTools.Commands.{prefix}Command", range.FullyQualifiedErrorId);
        Assert.Equal("32767-30000", range.TargetObject);

        var bit = session.Run($"{command} -Path $path -NodeName n1 -MasqueradeBit 32", Vars());
        Assert.Contains("ParameterArgumentValidationError", Assert.Single(bit.AllErrors).FullyQualifiedErrorId);
    }

    [Fact]
    public void TestServiceReachabilityRefusesTheSameConfigurationAndAMissingSourceNamespace()
    {
        var error = Refusal("Test-ServiceReachability -Service a/b -Path $path -Config $iptables", Vars());
        Assert.Equal("TestServiceReachabilityConfigModeNotIpvs,IpvsTools.Commands.TestServiceReachabilityCommand", error.FullyQualifiedErrorId);

        var source = Refusal("Test-ServiceReachability 10.96.0.10 53 -SourceNetworkNamespace ipvstools-no-such-pod", Vars());
        Assert.Equal("TestServiceReachabilitySourceNetworkNamespaceNotFound,IpvsTools.Commands.TestServiceReachabilityCommand", source.FullyQualifiedErrorId);
        Assert.Equal("ipvstools-no-such-pod", source.TargetObject);
    }

    [Fact]
    public void RemoveKubeIpvsTakesTheNodePortRangeToo()
    {
        var error = Refusal("Remove-KubeIpvs -NodePortRange 30000 -Confirm:$false -NetworkNamespace ipvstools-never-read", Vars());
        Assert.Equal("RemoveKubeIpvsInvalidNodePortRange,IpvsTools.Commands.RemoveKubeIpvsCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    [Fact]
    public void SyncRefusesANegativeIpvsTimeout()
    {
        var error = Refusal("Sync-KubeIpvs -Path $path -NodeName n1 -IpvsUdpTimeout -5 -Confirm:$false", Vars());
        Assert.Equal("SyncKubeIpvsInvalidTimeout,IpvsTools.Commands.SyncKubeIpvsCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
