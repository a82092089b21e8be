using System.Collections;
using System.Management.Automation;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>Get-KubeIpvsPlan's refusals, made before the kernel is read (unit tier: no kernel, no privileges).</summary>
public sealed class GetKubeIpvsPlanTests(PowerShellSession session) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-plan-").FullName;

    private ErrorRecord Refusal(string script, Hashtable? vars = null)
    {
        var result = session.Run(script, vars);
        Assert.Empty(result.Output);
        return Assert.Single(result.AllErrors);
    }

    [Fact]
    public void ANonexistentNamespaceIsRefusedBeforeTheClusterIsRead()
    {
        using var api = new IpvsTools.Tests.LoopbackApiServer();
        var error = Refusal("Get-KubeIpvsPlan -Kubeconfig $k -Context loop -NodeName n1 -NetworkNamespace ipvstools-no-such-ns",
            new Hashtable { ["k"] = api.WriteKubeconfig(_dir) });
        Assert.Equal("GetKubeIpvsPlanNetworkNamespaceNotFound,IpvsTools.Commands.GetKubeIpvsPlanCommand", error.FullyQualifiedErrorId);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public void ErrorsAreNamedWithTheirTarget()
    {
        var path = Path.Combine(_dir, "bad.yaml");
        File.WriteAllText(path, "kind: List\nitems:\n- kind: Service\n  metadata: {name: a, namespace: n}\n  spec:\n    clusterIP: 10.96.0.300\n");
        var bad = Refusal("Get-KubeIpvsPlan -Path $path -NodeName n1", new Hashtable { ["path"] = path });
        Assert.Equal("GetKubeIpvsPlanClusterInvalidArgument,IpvsTools.Commands.GetKubeIpvsPlanCommand", bad.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, bad.CategoryInfo.Category);
        Assert.Equal(path, bad.TargetObject);
        Assert.StartsWith($"{path}:6:16: Service n/a: spec.clusterIP:", bad.Exception.Message);

        var missing = Refusal("Get-KubeIpvsPlan -Path $p -NodeName n1", new Hashtable { ["p"] = Path.Combine(_dir, "none.yaml") });
        Assert.Equal("GetKubeIpvsPlanSnapshotNotFound,IpvsTools.Commands.GetKubeIpvsPlanCommand", missing.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, missing.CategoryInfo.Category);
        Assert.Contains("kubectl get svc,endpointslices -A -o yaml", missing.Exception.Message);

        var cidr = Refusal("Get-KubeIpvsPlan -Path $path -ExcludeCidr 10.96.0.0/33", new Hashtable { ["path"] = path });
        Assert.Equal("GetKubeIpvsPlanInvalidCidr,IpvsTools.Commands.GetKubeIpvsPlanCommand", cidr.FullyQualifiedErrorId);
        Assert.Equal("10.96.0.0/33", cidr.TargetObject);

        var kubeconfig = Refusal("Get-KubeIpvsPlan -Kubeconfig $k -NodeName n1", new Hashtable { ["k"] = Path.Combine(_dir, "absent") });
        Assert.Equal("GetKubeIpvsPlanClusterNotFound,IpvsTools.Commands.GetKubeIpvsPlanCommand", kubeconfig.FullyQualifiedErrorId);

        var scheduler = session.Run("Get-KubeIpvsPlan -Path $path -Scheduler fastest", new Hashtable { ["path"] = path });
        Assert.Contains("ParameterArgumentValidationError", Assert.Single(scheduler.AllErrors).FullyQualifiedErrorId);
    }

    [Fact]
    public void APermissionErrorOfTheLiveSourceSaysWhatIsNeeded()
    {
        using var api = new IpvsTools.Tests.LoopbackApiServer();
        api.Answer("/api/v1/services?limit=500", IpvsTools.Tests.LoopbackApiServer.Status(403, "Forbidden", "services is forbidden"), 403);
        var error = Refusal("Get-KubeIpvsPlan -Kubeconfig $k -Context loop -NodeName n1", new Hashtable { ["k"] = api.WriteKubeconfig(_dir) });
        Assert.Equal("GetKubeIpvsPlanClusterPermissionDenied,IpvsTools.Commands.GetKubeIpvsPlanCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.PermissionDenied, error.CategoryInfo.Category);
        Assert.Contains("system:node-proxier", error.Exception.Message);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
