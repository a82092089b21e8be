using System.Collections;
using System.Management.Automation;
using IpvsTools.Tests;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// The cluster adapter through the built module: it loads from dependencies/ into its own context, so a
/// session that already holds another YamlDotNet still reads snapshots, and no KubernetesClient type
/// reaches the session.
/// </summary>
public class KubeAdapterIsolationTests(PowerShellSession session)
{
    private static string Sample(string name) => Path.Combine(AppContext.BaseDirectory, "Snapshots", name);

    [Fact]
    public void ReadsASnapshotWhileTheSessionHoldsAnotherYamlDotNet()
    {
        var otherYaml = Path.Combine(AppContext.BaseDirectory, "YamlDotNet.dll");
        var vars = new Hashtable { ["otherYaml"] = otherYaml, ["path"] = Sample("kind-cluster.yaml") };
        // What Add-Type -Path does (Assembly.LoadFrom); the hosted engine has no Add-Type (DESIGN.md).
        var before = session.Ok("""
            $null = [System.Reflection.Assembly]::LoadFrom($otherYaml)
            [YamlDotNet.Serialization.Deserializer].Assembly.GetName().Version.ToString()
            """, vars);
        Assert.StartsWith("16.", (string)before.Single().BaseObject);

        var read = session.Ok("""
            $s = [IpvsTools.Commands.ClusterSources]::ReadSnapshot([string[]]@($path))
            $s.GetType().FullName
            ($s.Services | ForEach-Object { "$_" }) -join ','
            [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($s.GetType().Assembly).Name
            """, vars).Select(o => o.ToString()).ToArray();
        Assert.Equal("IpvsTools.Cluster.ClusterSnapshot", read[0]);
        Assert.Equal("default/kubernetes,kube-system/kube-dns,shop/web", read[1]);
        Assert.Equal("Default", read[2]); // the engine's types are the session's own

        var contexts = session.Ok("""
            foreach ($a in [AppDomain]::CurrentDomain.GetAssemblies()) {
                $n = $a.GetName().Name
                if ($n -in 'YamlDotNet', 'KubernetesClient', 'Fractions', 'IpvsTools.Kube') {
                    '{0} {1} {2}' -f [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($a).Name, $n, $a.GetName().Version.Major
                }
            }
            """).Select(o => o.ToString()).Order().ToArray();
        Assert.Equal(["Default YamlDotNet 16", "IpvsTools.Kube Fractions 8", "IpvsTools.Kube IpvsTools.Kube 0", "IpvsTools.Kube KubernetesClient 21", "IpvsTools.Kube YamlDotNet 18"], contexts);
    }

    [Fact]
    public void MalformedSnapshotErrorNamesFileAndPosition()
    {
        var path = Path.Combine(Path.GetTempPath(), $"ipvstools-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, "kind: List\nitems:\n- kind: Service\n  metadata: {name: a}\n  spec:\n    ports:\n    - port: eighty\n");
        try
        {
            var result = session.Run("[IpvsTools.Commands.ClusterSources]::ReadSnapshot([string[]]@($path))", new Hashtable { ["path"] = path });
            var error = Assert.Single(result.AllErrors);
            var inner = error.Exception is MethodInvocationException m ? m.InnerException! : error.Exception;
            Assert.Equal("IpvsTools.Cluster.ClusterSourceException", inner.GetType().FullName);
            Assert.StartsWith($"{path}:7:13: Service a:", inner.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadsTheLiveClusterThroughAKubeconfig()
    {
        using var api = new LoopbackApiServer();
        api.Answer("/api/v1/services?limit=500", """{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[{"metadata":{"name":"kubernetes","namespace":"default"},"spec":{"ports":[{"name":"https","protocol":"TCP","port":443,"targetPort":6443}],"clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"],"type":"ClusterIP"}}]}""");
        api.Answer("/apis/discovery.k8s.io/v1/endpointslices?limit=500", """{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"7"},"items":[]}""");
        api.Answer("/api/v1/nodes/node-a", """{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-a"},"status":{"addresses":[{"type":"InternalIP","address":"172.18.0.3"}]}}""");
        var dir = Directory.CreateTempSubdirectory("ipvstools-live-").FullName;
        try
        {
            var kubeconfig = api.WriteKubeconfig(dir);
            var output = session.Ok("""
                $s = [IpvsTools.Commands.ClusterSources]::ReadLive($kubeconfig, 'loop', 'node-a', [System.Threading.CancellationToken]::None)
                "$($s.Services[0]) $($s.Services[0].ClusterIPs[0]) $($s.Nodes[0].Name)"
                """, new Hashtable { ["kubeconfig"] = kubeconfig }).Single().ToString();
            Assert.Equal("default/kubernetes 10.96.0.1 node-a", output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void WatchesTheLiveClusterThroughTheAdapter()
    {
        using var api = new LoopbackApiServer();
        api.Answer("/api/v1/services?limit=500", """{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"7"},"items":[]}""");
        api.Answer("/apis/discovery.k8s.io/v1/endpointslices?limit=500", """{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"8"},"items":[]}""");
        var services = api.AnswerWatch("/api/v1/services?allowWatchBookmarks=true&resourceVersion=7&watch=true");
        api.AnswerWatch("/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=8&watch=true");
        services.TryWrite(LoopbackApiServer.WatchEvent("ADDED", """{"metadata":{"name":"kubernetes","namespace":"default"},"spec":{"ports":[{"name":"https","protocol":"TCP","port":443}],"clusterIP":"10.96.0.1","clusterIPs":["10.96.0.1"]}}"""));
        var dir = Directory.CreateTempSubdirectory("ipvstools-watch-").FullName;
        try
        {
            var output = session.Ok("""
                $stop = [System.Threading.CancellationTokenSource]::new([TimeSpan]::FromSeconds(60))
                $seen = foreach ($s in [IpvsTools.Commands.ClusterSources]::WatchLive($kubeconfig, 'loop', $null, $stop.Token)) {
                    $s.Services.Count
                    if ($s.Services.Count -eq 1) { $stop.Cancel(); break }
                }
                $seen[-1]
                """, new Hashtable { ["kubeconfig"] = api.WriteKubeconfig(dir) });
            Assert.Equal("1", output.Last().ToString());
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
