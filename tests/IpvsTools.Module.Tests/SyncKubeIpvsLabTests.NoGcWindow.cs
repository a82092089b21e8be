using System.Collections;
using System.Text.Json;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

public sealed partial class SyncKubeIpvsLabTests
{
    private const long MinimumSnapshotBytes = 4L * 1024 * 1024; // NoGcWindow.MinimumSnapshotBytes
    private const string OptOutVariable = "IPVSTOOLS_NO_GC_WINDOW"; // NoGcWindow.OptOutVariable

    /// <summary>
    /// What `kubectl get svc,endpointslices -A -o json` prints for <paramref name="services"/> ClusterIP Services
    /// of ten ready endpoints each, indented as kubectl indents: the benchmarks' shape (tests/bench/kube-snapshot.py),
    /// each Service with the last-applied-configuration annotation `kubectl apply` leaves (here 10 KB of it, so the
    /// file is large with a table the lab writes quickly).
    /// </summary>
    private static string LargeSnapshot(int services)
    {
        var applied = JsonSerializer.Serialize(new { note = new string('x', 10_000) });
        var items = new List<object>();
        for (var i = 0; i < services; i++)
        {
            var ip = $"10.96.{i / 250}.{i % 250 + 1}";
            items.Add(new
            {
                apiVersion = "v1", kind = "Service",
                metadata = new { name = $"svc-{i}", @namespace = "bench", uid = $"00000000-0000-0000-0000-{i:D12}", annotations = new Dictionary<string, string> { ["kubectl.kubernetes.io/last-applied-configuration"] = applied } },
                spec = new { type = "ClusterIP", clusterIP = ip, clusterIPs = new[] { ip }, ipFamilies = new[] { "IPv4" }, ports = new[] { new { name = "http", port = 80, protocol = "TCP", targetPort = 8080 } } },
            });
        }
        for (var i = 0; i < services; i++)
        {
            var index = i;
            items.Add(new
            {
                apiVersion = "discovery.k8s.io/v1", kind = "EndpointSlice", addressType = "IPv4",
                metadata = new { name = $"svc-{i}-abcde", @namespace = "bench", labels = new Dictionary<string, string> { ["kubernetes.io/service-name"] = $"svc-{i}" } },
                ports = new[] { new { name = "http", port = 8080, protocol = "TCP" } },
                endpoints = Enumerable.Range(0, 10).Select(e => new { addresses = new[] { $"10.{128 + e}.{index / 250}.{index % 250 + 1}" }, conditions = new { ready = true }, nodeName = $"node-{e}" }).ToArray(),
            });
        }
        return JsonSerializer.Serialize(new { apiVersion = "v1", kind = "List", items, metadata = new { resourceVersion = "" } }, new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// A snapshot file of several MB is read and planned with the runtime's collections held off (the Verbose line
    /// says so; the region is over when the cmdlet returns), and the node comes out as it does with the window
    /// kept closed (IPVSTOOLS_NO_GC_WINDOW=1): a cold sync that allocates past the window, then a no-op sync and a
    /// comparison inside it.
    /// </summary>
    [Fact]
    public void ALargeSnapshotIsSyncedTheSameWithCollectionsHeldOff()
    {
        using var held = new TestNamespace();
        using var usual = new TestNamespace();
        held.Exec("ip", "link", "set", "lo", "up");
        usual.Exec("ip", "link", "set", "lo", "up");
        var path = Path.Combine(_dir, "large.json");
        File.WriteAllText(path, LargeSnapshot(400));
        Assert.True(new FileInfo(path).Length >= MinimumSnapshotBytes, $"the snapshot has only {new FileInfo(path).Length} bytes");

        const string script = """
            $lines = & $cmdlet -Path $path -NodeName node-0 -NodeAddress 172.18.0.3 -NetworkNamespace $ns -Verbose @extra 4>&1
            $records = @($lines | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] })
            $holding = @($lines | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like "Holding the runtime's garbage collections off*" })
            '{0} {1} {2}' -f $holding.Count, $records.Count, [System.Runtime.GCSettings]::LatencyMode
            """;
        string Run(TestNamespace ns, string cmdlet, bool optOut)
        {
            var extra = cmdlet == "Sync-KubeIpvs" ? new Hashtable { ["Confirm"] = false } : new Hashtable();
            var vars = new Hashtable { ["path"] = path, ["ns"] = ns.Name, ["cmdlet"] = cmdlet, ["extra"] = extra };
            if (optOut) Environment.SetEnvironmentVariable(OptOutVariable, "1");
            try
            {
                return _session.Ok(script, vars).Single().ToString();
            }
            finally
            {
                if (optOut) Environment.SetEnvironmentVariable(OptOutVariable, null);
            }
        }

        var cold = Run(held, "Sync-KubeIpvs", optOut: false).Split(' ');
        Assert.Equal("1", cold[0]);
        Assert.True(int.Parse(cold[1]) > 4000, $"{cold[1]} changes"); // 4,000 real servers and their services
        Assert.Equal("Interactive", cold[2]);
        var coldUsual = Run(usual, "Sync-KubeIpvs", optOut: true).Split(' ');
        Assert.Equal(["0", cold[1], "Interactive"], coldUsual);
        Assert.Equal(Dump(usual), Dump(held));

        Assert.Equal("1 0 Interactive", Run(held, "Sync-KubeIpvs", optOut: false));
        Assert.Equal("1 0 Interactive", Run(held, "Compare-KubeIpvs", optOut: false));
        Assert.Equal("0 0 Interactive", Run(held, "Compare-KubeIpvs", optOut: true));
        Assert.Equal(Dump(usual), Dump(held));
    }
}
