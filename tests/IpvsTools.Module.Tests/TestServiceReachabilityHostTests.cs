using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Test-ServiceReachability on the host kernel (no IPVS here): probes of real pods in throwaway
/// namespaces, checks that cannot run reported as not tested (never False), Ctrl+C ending the
/// probes at once, and the errors of the cluster-source parameter sets.
/// </summary>
[Trait("Tier", "Host")]
public sealed class TestServiceReachabilityHostTests(PowerShellSession session) : IDisposable
{
    private readonly TestNamespace _node = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-reach-").FullName;

    private Hashtable Vars() => new() { ["ns"] = _node.Name };

    [Fact]
    public void WithoutIpvsTheLayerChecksAreNotTestedAndTheProbesStillRun()
    {
        using var pods = new LabPods(_node);
        pods.Add("web", "10.244.1.10").ServeTcp(8080);
        var r = session.Ok("Test-ServiceReachability 10.244.1.10 8080 -NetworkNamespace $ns", Vars()).Single();
        var checks = ((IEnumerable)r.Properties["Checks"].Value).Cast<object>().Select(PSObject.AsPSObject)
            .ToDictionary(c => (string)c.Properties["Name"].Value, c => (bool?)c.Properties["Result"].Value);
        Assert.True(checks["Probe through the VIP"]);
        Assert.DoesNotContain(false, checks.Values);
        foreach (var name in new[] { "VIP on kube-ipvs0", "Virtual server", "Real servers with weight", "ipset members", "iptables chains and jumps" })
            Assert.Null(checks[name]);
        Assert.True((bool)r.Properties["Reachable"].Value);
        Assert.Equal(1, pods["web"].TcpAccepted); // the probe really connected, inside the namespace
    }

    [Fact]
    public void ASourceNamespaceIsProbedFromAsWellAndDecidesWithTheNode()
    {
        // The node forwards between its pods (kube-proxy sets ip_forward=1): a client pod reaches the web pod through it.
        _node.Exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=1");
        using var pods = new LabPods(_node);
        var web = pods.Add("web", "10.244.1.10").ServeTcp(8080);
        var client = pods.Add("client", "10.244.1.11");
        var vars = Vars();
        vars["client"] = client.NamespaceName;
        var r = session.Ok("Test-ServiceReachability 10.244.1.10 8080 -NetworkNamespace $ns -SourceNetworkNamespace $client", vars).Single();
        Assert.True((bool)r.Properties["Reachable"].Value, (string)r.Properties["Reason"].Value);
        Assert.Equal(client.NamespaceName, r.Properties["SourceNetworkNamespace"].Value);
        Assert.Contains($"and from {client.NamespaceName} (connected in", (string)r.Properties["Reason"].Value);
        Assert.True(Check(r, "Probe from the source namespace"));
        Assert.Equal(2, web.TcpAccepted); // one connection from the node, one from the client pod

        // The client pod loses its route: the node still gets an answer, the pod does not, so not reachable.
        client.Exec("ip", "route", "del", "default");
        var cut = session.Ok("Test-ServiceReachability 10.244.1.10 8080 -NetworkNamespace $ns -SourceNetworkNamespace $client -TimeoutSeconds 2", vars).Single();
        Assert.False((bool)cut.Properties["Reachable"].Value);
        Assert.StartsWith($"TCP 10.244.1.10:8080 answers from the node (connected in", (string)cut.Properties["Reason"].Value);
        Assert.Contains($"but not from {client.NamespaceName} (unreachable", (string)cut.Properties["Reason"].Value);
        Assert.True(Check(cut, "Probe through the VIP"));
        Assert.False(Check(cut, "Probe from the source namespace"));

        // Without the parameter the check is not tested.
        Assert.Null(Check(session.Ok("Test-ServiceReachability 10.244.1.10 8080 -NetworkNamespace $ns", vars).Single(), "Probe from the source namespace"));
    }

    private static bool? Check(PSObject result, string name)
        => ((IEnumerable)result.Properties["Checks"].Value).Cast<object>().Select(PSObject.AsPSObject)
            .Where(c => (string)c.Properties["Name"].Value == name).Select(c => (bool?)c.Properties["Result"].Value).Single();

    [Fact]
    public void TheResultSurvivesASerializationRoundTrip()
    {
        using var pods = new LabPods(_node);
        pods.Add("web", "10.244.1.10").ServeTcp(8080);
        var differences = session.Ok("""
            $o = Test-ServiceReachability 10.244.1.10 8080 -NetworkNamespace $ns
            $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 1))
            if ($copy.PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.Diagnostics.ServiceReachability') { "type name $($copy.PSObject.TypeNames[0])" }
            if ("$o" -ne "$copy") { "printed '$o' became '$copy'" }
            foreach ($name in 'Target', 'Reachable', 'Reason', 'Protocol', 'Port', 'Address', 'NetworkNamespace') {
                $value = $copy.$name
                # Enums travel as their numbers (as for every PowerShell object): they must convert back to the same value.
                if ($o.$name -is [enum]) { $value = $value -as $o.$name.GetType() }
                if ("$($o.$name)" -ne "$value") { "$name '$($o.$name)' became '$value'" }
            }
            for ($i = 0; $i -lt $o.Checks.Count; $i++) {
                if ("$($o.Checks[$i])" -ne "$($copy.Checks[$i])") { "check '$($o.Checks[$i])' became '$($copy.Checks[$i])'" }
            }
            if ("$($o.RealServers)" -ne "$($copy.RealServers)") { 'real servers differ' }
            """, Vars());
        Assert.Empty(differences.Select(o => o.ToString()));
    }

    [Fact]
    public void StoppingEndsTheProbesAtOnce()
    {
        using var pods = new LabPods(_node);
        pods.Add("web", "10.244.1.10").ServeTcp(8080);
        _node.Exec("iptables", "-w", "-A", "OUTPUT", "-d", "10.244.1.10", "-j", "DROP"); // the SYN goes nowhere: connect would wait
        var (wasRunning, took) = session.RunAndStop("Test-ServiceReachability 10.244.1.10 8080 -NetworkNamespace $ns -TimeoutSeconds 300", TimeSpan.FromSeconds(3), Vars());
        Assert.True(wasRunning, "the probe had ended before it was stopped");
        Assert.True(took < TimeSpan.FromSeconds(20), $"stopping took {took}, the probe's timeout is 300 s");
    }

    [Fact]
    public void ClusterSourceErrorsAreNamed()
    {
        var path = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(path, """
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: shop}
            spec:
              clusterIP: None
              ports: [{port: 80}]
            """);
        var vars = Vars();
        vars["path"] = path;
        var unknown = session.Run("Test-ServiceReachability -Service shop/nope -Path $path -NetworkNamespace $ns", vars);
        var error = Assert.Single(unknown.AllErrors);
        Assert.Equal("TestServiceReachabilityServiceNotFound,IpvsTools.Commands.TestServiceReachabilityCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("shop/nope", error.TargetObject);
        Assert.Contains("There is no Service 'shop/nope'", error.Exception.Message);

        var headless = Assert.Single(session.Run("Test-ServiceReachability -Service shop/web -Path $path -NetworkNamespace $ns", vars).AllErrors);
        Assert.StartsWith("kube-proxy programs nothing for Service 'shop/web': ", headless.Exception.Message);

        var missing = session.Run("Test-ServiceReachability -Service shop/web -Path ./no-such.yaml -NetworkNamespace $ns", vars);
        Assert.Equal("TestServiceReachabilitySnapshotNotFound,IpvsTools.Commands.TestServiceReachabilityCommand", Assert.Single(missing.AllErrors).FullyQualifiedErrorId);
    }

    public void Dispose()
    {
        _node.Dispose();
        Directory.Delete(_dir, true);
    }
}
