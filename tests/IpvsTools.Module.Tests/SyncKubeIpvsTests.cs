using System.Collections;
using System.Management.Automation;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Sync-KubeIpvs, Compare-KubeIpvs and Remove-KubeIpvs refuse bad input before the cluster or the kernel
/// is read (unit tier: no kernel, no privileges), with ErrorIds of the form VerbNounCondition.
/// </summary>
public sealed class SyncKubeIpvsTests(PowerShellSession session) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-sync-").FullName;

    private ErrorRecord Refusal(string script, Hashtable? vars = null)
    {
        var result = session.Run(script, vars);
        Assert.Empty(result.Output);
        return Assert.Single(result.AllErrors);
    }

    private string Snapshot()
    {
        var path = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(path, "kind: List\nitems: []\n");
        return path;
    }

    [Theory]
    [InlineData("Sync-KubeIpvs", "SyncKubeIpvs")]
    [InlineData("Compare-KubeIpvs", "CompareKubeIpvs")]
    public void ANonexistentNamespaceIsRefusedBeforeTheClusterIsRead(string cmdlet, string prefix)
    {
        using var api = new IpvsTools.Tests.LoopbackApiServer();
        var error = Refusal($"{cmdlet} -Kubeconfig $k -Context loop -NodeName n1 -NetworkNamespace ipvstools-no-such-ns",
            new Hashtable { ["k"] = api.WriteKubeconfig(_dir) });
        Assert.Equal($"{prefix}NetworkNamespaceNotFound,IpvsTools.Commands.{prefix}Command", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Empty(api.Requests);
    }

    [Fact]
    public void InputIsCheckedFirstAndNamedWithItsTarget()
    {
        var vars = new Hashtable { ["path"] = Snapshot(), ["none"] = Path.Combine(_dir, "none.yaml") };
        foreach (var (script, id, target) in new[]
        {
            ("Sync-KubeIpvs -Path $path -ExcludeCidr 10.96.0.0/33 -NetworkNamespace ipvstools-no-such-ns", "SyncKubeIpvsInvalidCidr", "10.96.0.0/33"),
            ("Compare-KubeIpvs -Path $path -ClusterCidr nonsense", "CompareKubeIpvsInvalidCidr", "nonsense"),
            ("Remove-KubeIpvs -ExcludeCidr 10.0.0.1 -NetworkNamespace ipvstools-no-such-ns", "RemoveKubeIpvsInvalidCidr", "10.0.0.1"),
            ("Sync-KubeIpvs -Path $none -NodeName n1", "SyncKubeIpvsSnapshotNotFound", null),
        })
        {
            var error = Refusal(script, vars);
            Assert.StartsWith(id + ",", error.FullyQualifiedErrorId);
            if (target is not null) Assert.Equal(target, error.TargetObject);
        }
        var negative = Refusal("Sync-KubeIpvs -Path $path -DrainTimeout -5", vars);
        Assert.Equal("SyncKubeIpvsInvalidDrainTimeout,IpvsTools.Commands.SyncKubeIpvsCommand", negative.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, negative.CategoryInfo.Category);

        Assert.Contains("ParameterArgumentValidationError", Refusal("Sync-KubeIpvs -Path $path -Scheduler fastest", vars).FullyQualifiedErrorId);
        Assert.Contains("ParameterArgumentValidationError", Refusal("Compare-KubeIpvs -Path $path -Scheduler none", vars).FullyQualifiedErrorId);
        // -FullSyncInterval: with -Watch only, never negative (both refused before the cluster is read).
        var interval = Refusal("Sync-KubeIpvs -Kubeconfig $none -NodeName n1 -FullSyncInterval 10", vars);
        Assert.Equal("SyncKubeIpvsFullSyncIntervalWithoutWatch,IpvsTools.Commands.SyncKubeIpvsCommand", interval.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, interval.CategoryInfo.Category);
        Assert.Equal(TimeSpan.FromSeconds(10), interval.TargetObject);
        Assert.Equal("SyncKubeIpvsInvalidFullSyncInterval,IpvsTools.Commands.SyncKubeIpvsCommand",
            Refusal("Sync-KubeIpvs -Kubeconfig $none -NodeName n1 -Watch -FullSyncInterval -1", vars).FullyQualifiedErrorId);
        // -Watch follows the live API only.
        Assert.Contains("AmbiguousParameterSet", Refusal("Sync-KubeIpvs -Path $path -Watch", vars).FullyQualifiedErrorId);
    }

    [Fact]
    public void DrainTimeoutTakesSecondsOrATimeSpanAndChangesAskFirst()
    {
        var facts = session.Ok("""
            $t = [IpvsTools.Commands.SecondsTransformationAttribute]::new()
            $t.Transform($null, 90).TotalSeconds
            $t.Transform($null, '2.5').TotalSeconds
            $t.Transform($null, [timespan]'00:02:00').TotalSeconds
            foreach ($name in 'Sync-KubeIpvs', 'Remove-KubeIpvs') {
                $c = Get-Command $name
                $c.Parameters.ContainsKey('WhatIf') -and $c.Parameters.ContainsKey('Confirm')
                $c.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact.ToString()
            }
            (Get-Command Compare-KubeIpvs).Parameters.ContainsKey('WhatIf')
            """).Select(o => o.ToString()).ToArray();
        Assert.Equal(["90", "2.5", "120", "True", "Medium", "True", "High", "False"], facts);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
