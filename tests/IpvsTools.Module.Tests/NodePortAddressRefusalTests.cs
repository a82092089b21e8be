using System.Collections;
using System.Management.Automation;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// kube-proxy's --nodeport-addresses given as -NodePortAddress: what is not a CIDR is refused before
/// anything is read (these cases tested the engine's test-only parser KubeProxyNodeAddresses.ParseCidrs
/// before it was folded into the production rule; the parse in production is the cmdlets').
/// </summary>
public sealed class NodePortAddressRefusalTests(PowerShellSession session) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-nodeport-").FullName;

    private ErrorRecord Refusal(string cidr)
    {
        var path = Path.Combine(_dir, "empty.yaml");
        File.WriteAllText(path, "kind: List\nitems: []\n");
        var result = session.Run("Get-KubeIpvsPlan -Path $path -NodeName n1 -NodePortAddress $cidr", new Hashtable { ["path"] = path, ["cidr"] = cidr });
        Assert.Empty(result.Output);
        return Assert.Single(result.AllErrors);
    }

    [Theory]
    [InlineData("primary")]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("fd00::/129")]
    [InlineData("10.0.0.0/x")]
    public void BadCidrsAreRefused(string cidr)
    {
        var error = Refusal(cidr);
        Assert.Equal("GetKubeIpvsPlanInvalidCidr,IpvsTools.Commands.GetKubeIpvsPlanCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(cidr, error.TargetObject);
    }

    [Fact]
    public void AnEmptyCidrIsRefused()
    {
        Assert.Contains("ParameterArgumentValidationError", Refusal("").FullyQualifiedErrorId);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
