using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Text.RegularExpressions;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Sync-KubeIpvs, Compare-KubeIpvs and Remove-KubeIpvs against the lab kernel, each in a fresh namespace,
/// cross-checked with ipvsadm, ipset and iptables-save: a synced node equals one built from the same plan
/// by the reference tools; a second sync writes nothing; one endpoint change writes exactly its real servers
/// and dependent set members; the clean-up leaves a foreign service; the lock and the kube-proxy refusal hold.
/// </summary>
[Trait("Tier", "Lab")]
public sealed partial class SyncKubeIpvsLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-sync-").FullName;

    public SyncKubeIpvsLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    private string Write(string text)
    {
        var path = Path.Combine(_dir, $"cluster-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    private Hashtable Vars(TestNamespace ns, string? snapshot = null) => new() { ["path"] = Write(snapshot ?? GetKubeIpvsPlanLabTests.Snapshot()), ["ns"] = ns.Name };

    private IReadOnlyList<PSObject> Sync(TestNamespace ns, string? snapshot = null)
        => _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false", Vars(ns, snapshot));

    private IReadOnlyList<PSObject> Compare(TestNamespace ns, string? snapshot = null)
        => _session.Ok("Compare-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns", Vars(ns, snapshot));

    private static string[] Lines(IEnumerable<PSObject> objects) => objects.Select(o => o.ToString()).ToArray();

    /// <summary>What the reference tools show of the node, with what differs between two equal nodes taken out (initval, counters, comments).</summary>
    internal static string Dump(TestNamespace ns)
        => ns.Exec("ipvsadm", "-Sn")
           + string.Join('\n', InitVal().Replace(ns.Exec("ipset", "save"), "").Split('\n').Order(StringComparer.Ordinal))
           + Counters().Replace(string.Join('\n', ns.Exec("iptables-save").Split('\n').Where(l => !l.StartsWith('#'))), "[0:0]")
           + ns.Exec("ip", "-o", "addr", "show", "dev", "kube-ipvs0").Replace(" ", "").Split('\n').Select(l => Regex.Replace(l, @"^\d+:", "")).Aggregate("", (a, b) => a + b + "\n");

    [GeneratedRegex(@" initval 0x[0-9a-f]+")]
    private static partial Regex InitVal();

    [GeneratedRegex(@"\[\d+:\d+\]")]
    private static partial Regex Counters();

    [Fact]
    public void ASyncEqualsThePlanCarriedOutByTheToolsThenWritesNothingThenOnlyTheChangedEndpoint()
    {
        using var synced = GetKubeIpvsPlanLabTests.Node();
        using var reference = GetKubeIpvsPlanLabTests.Node();
        var plan = _session.Ok("Get-KubeIpvsPlan -Path $path -NodeName node-a -NetworkNamespace $ns", Vars(synced));
        Assert.Equal(["DummyLink kube-ipvs0: expected dummy, down, actual (none) (Add)"], Lines(Compare(synced)).Take(1));

        var changes = Sync(synced);
        Assert.Equal(Lines(plan), Lines(changes));
        Assert.All(changes, c => Assert.Equal("Applied", c.Properties["Outcome"].Value.ToString()));
        Assert.Equal(Enumerable.Range(1, plan.Count), changes.Select(c => (int)c.Properties["Index"].Value));

        // The same plan made by ipvsadm, ipset, ip and iptables-restore gives the same node.
        GetKubeIpvsPlanLabTests.Apply(reference, plan);
        var dump = Dump(synced);
        Assert.Contains("-A -t 192.0.2.50:443 -s rr -p 10800", dump);
        Assert.Contains("add KUBE-CLUSTER-IP 10.96.0.10,udp:53", dump);
        Assert.Equal(Dump(reference), dump);

        // Up to date: no write, no difference.
        Assert.Empty(Sync(synced));
        Assert.Empty(Compare(synced));

        // One local endpoint moves: its real servers and its KUBE-LOOP-BACK members, nothing else.
        var moved = GetKubeIpvsPlanLabTests.Snapshot(localDns: "10.244.0.6");
        Assert.Equal(
        [
            "SetMember KUBE-LOOP-BACK 10.244.0.6,tcp:53,10.244.0.6: expected 10.244.0.6,tcp:53,10.244.0.6, actual (none) (Add)",
            "SetMember KUBE-LOOP-BACK 10.244.0.6,udp:53,10.244.0.6: expected 10.244.0.6,udp:53,10.244.0.6, actual (none) (Add)",
            "Destination TCP 10.96.0.10:53 -> 10.244.0.6:53: expected masq weight 1, actual (none) (Add)",
            "Destination TCP 10.96.0.10:53 -> 10.244.0.5:53: expected (none), actual masq weight 1 (Remove)",
            "Destination UDP 10.96.0.10:53 -> 10.244.0.6:53: expected masq weight 1, actual (none) (Add)",
            "Destination UDP 10.96.0.10:53 -> 10.244.0.5:53: expected (none), actual masq weight 1 (Remove)",
            "SetMember KUBE-LOOP-BACK 10.244.0.5,tcp:53,10.244.0.5: expected (none), actual 10.244.0.5,tcp:53,10.244.0.5 (Remove)",
            "SetMember KUBE-LOOP-BACK 10.244.0.5,udp:53,10.244.0.5: expected (none), actual 10.244.0.5,udp:53,10.244.0.5 (Remove)",
        ], Lines(Compare(synced, moved)));
        var second = Sync(synced, moved);
        Assert.Equal(
        [
            "add 10.244.0.6,tcp:53,10.244.0.6 to ipset KUBE-LOOP-BACK",
            "add 10.244.0.6,udp:53,10.244.0.6 to ipset KUBE-LOOP-BACK",
            "add destination TCP 10.96.0.10:53 -> 10.244.0.6:53 masq weight 1",
            "remove destination TCP 10.96.0.10:53 -> 10.244.0.5:53",
            "add destination UDP 10.96.0.10:53 -> 10.244.0.6:53 masq weight 1",
            "remove destination UDP 10.96.0.10:53 -> 10.244.0.5:53",
            "remove 10.244.0.5,tcp:53,10.244.0.5 from ipset KUBE-LOOP-BACK",
            "remove 10.244.0.5,udp:53,10.244.0.5 from ipset KUBE-LOOP-BACK",
        ], Lines(second));
        // The UDP removal ran the conntrack clean-up (nothing to clear here); the TCP one does not.
        Assert.Equal(0, second[5].Properties["ConntrackEntriesDeleted"].Value);
        Assert.Null(second[3].Properties["ConntrackEntriesDeleted"].Value);
        var ipvsadm = synced.Exec("ipvsadm", "-Sn");
        Assert.Contains("-a -u 10.96.0.10:53 -r 10.244.0.6:53 -m -w 1", ipvsadm);
        Assert.DoesNotContain("10.244.0.5:53", ipvsadm);
        Assert.Empty(Compare(synced, moved));
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        var result = _session.Run("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -WhatIf", Vars(ns));
        Assert.Empty(result.AllErrors);
        Assert.Empty(result.Output);
        Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));
        Assert.DoesNotContain("KUBE-", ns.Exec("ipset", "list", "-n"));
        Assert.False(ns.TryExec("ip", "link", "show", "kube-ipvs0").ExitCode == 0, "-WhatIf created kube-ipvs0");
    }

    [Fact]
    public void DriftIsComparedAndRepairedForeignServicesAreLeftAlone()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        Sync(ns);
        ns.Exec("ipvsadm", "-E", "-t", "10.96.100.20:80", "-s", "wrr");
        ns.Exec("ipvsadm", "-A", "-t", "198.51.100.1:8080", "-s", "rr");
        ns.Exec("ipset", "del", "KUBE-CLUSTER-IP", "10.96.0.10,tcp:53");
        Assert.Equal(
        [
            "SetMember KUBE-CLUSTER-IP 10.96.0.10,tcp:53: expected 10.96.0.10,tcp:53, actual (none) (Add)",
            "VirtualServer TCP 10.96.100.20:80: expected rr, actual wrr (Change)",
            "ForeignVirtualServer TCP 198.51.100.1:8080: expected (none), actual rr (None)",
        ], Lines(Compare(ns)));
        Assert.Equal(
        [
            "add 10.96.0.10,tcp:53 to ipset KUBE-CLUSTER-IP",
            "update virtual server TCP 10.96.100.20:80 rr (scheduler was wrr)",
        ], Lines(Sync(ns)));
        Assert.Equal(["ForeignVirtualServer TCP 198.51.100.1:8080: expected (none), actual rr (None)"], Lines(Compare(ns)));
        Assert.Contains("-A -t 198.51.100.1:8080 -s rr", ns.Exec("ipvsadm", "-Sn"));
    }

    [Fact]
    public void RemoveLeavesTheForeignServiceAndRemovesTheRest()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        Sync(ns);
        ns.Exec("ipvsadm", "-A", "-t", "198.51.100.1:8080", "-s", "rr");
        ns.Exec("ipset", "create", "MY-OWN", "hash:ip");
        ns.Exec("iptables", "-w", "-t", "filter", "-N", "KUBE-FIREWALL");

        var whatIf = _session.Run("Remove-KubeIpvs -NetworkNamespace $ns -WhatIf", Vars(ns));
        Assert.Empty(whatIf.AllErrors);
        Assert.Contains("-A -t 10.96.0.10:53 -s rr", ns.Exec("ipvsadm", "-Sn"));

        var removed = Lines(_session.Ok("Remove-KubeIpvs -NetworkNamespace $ns -Confirm:$false", Vars(ns)));
        Assert.StartsWith("delete iptables chains nat/KUBE-SERVICES", removed[0]);
        Assert.Contains("remove virtual server TCP 10.96.0.10:53", removed);
        Assert.Contains("remove virtual server TCP 172.18.0.3:30080", removed);
        Assert.Contains("destroy ipset KUBE-CLUSTER-IP (kube-proxy's)", removed);
        Assert.Equal("delete dummy link kube-ipvs0", removed[^1]);

        Assert.Equal("-A -t 198.51.100.1:8080 -s rr\n", ns.Exec("ipvsadm", "-Sn"));
        Assert.Equal("MY-OWN\n", ns.Exec("ipset", "list", "-n"));
        var rules = ns.Exec("iptables-save");
        Assert.DoesNotContain("KUBE-SERVICES", rules);
        Assert.DoesNotContain("KUBE-IPVS-FILTER", rules);
        Assert.Contains(":KUBE-FIREWALL", rules);
        Assert.NotEqual(0, ns.TryExec("ip", "link", "show", "kube-ipvs0").ExitCode);

        // Nothing left: a second clean-up writes nothing.
        Assert.Empty(_session.Ok("Remove-KubeIpvs -NetworkNamespace $ns -Confirm:$false", Vars(ns)));
    }

    [Fact]
    public void ASecondSyncOfTheNamespaceIsRefusedByTheLock()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        var inode = Regex.Match(ns.Exec("readlink", "/proc/self/ns/net"), @"\[(\d+)\]").Groups[1].Value;
        var lockFile = $"/run/ipvstools/sync-{inode}.lock";
        Directory.CreateDirectory("/run/ipvstools");
        File.Delete(lockFile); // an earlier test's namespace may have had the same inode (the kernel reuses them)
        // Another holder of the lock, writing its pid into the file as a sync does. (cat: .NET's own reads take a shared flock.)
        using var holder = Process.Start(new ProcessStartInfo("flock", ["-x", lockFile, "sh", "-c", $"echo $$ > {lockFile}; exec sleep 600"]))!;
        try
        {
            Lab.WaitUntil(() => File.Exists(lockFile) && Tool.Run("cat", lockFile).Trim().Length > 0, "the other holder to take the lock");
            var pid = Tool.Run("cat", lockFile).Trim();
            var result = _session.Run("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false", Vars(ns));
            var error = Assert.Single(result.AllErrors);
            Assert.Equal("SyncKubeIpvsBusy,IpvsTools.Commands.SyncKubeIpvsCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
            Assert.Contains($"another Sync-KubeIpvs (pid {pid}) is changing network namespace '{ns.Name}'", error.Exception.Message);
            Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));
        }
        finally
        {
            holder.Kill(true);
            holder.WaitForExit();
        }
        Assert.NotEmpty(Sync(ns)); // the lock ends with its holder
    }

    [Fact]
    public void AKubeProxyInTheNamespaceIsRefusedUnlessForced()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        using var other = GetKubeIpvsPlanLabTests.Node();
        var kubeProxy = Path.Combine(_dir, "kube-proxy");
        File.Copy("/bin/sleep", kubeProxy);
        Tool.Run("chmod", "0755", kubeProxy);
        using var process = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", ns.Name, kubeProxy, "600"]))!;
        try
        {
            Lab.WaitUntil(() => File.Exists($"/proc/{process.Id}/comm") && File.ReadAllText($"/proc/{process.Id}/comm").Trim() == "kube-proxy", "the fake kube-proxy to start");
            var result = _session.Run("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false", Vars(ns));
            var error = Assert.Single(result.AllErrors);
            Assert.Equal("SyncKubeIpvsKubeProxyRunning,IpvsTools.Commands.SyncKubeIpvsCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.ResourceBusy, error.CategoryInfo.Category);
            Assert.Contains($"kube-proxy (pid {process.Id}) runs in network namespace '{ns.Name}'", error.Exception.Message);
            Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));
            Assert.Single(_session.Run("Remove-KubeIpvs -NetworkNamespace $ns -Confirm:$false", Vars(ns)).AllErrors);

            // Another namespace is not kube-proxy's: no refusal there.
            Assert.NotEmpty(Sync(other));

            Assert.False(process.HasExited, "the fake kube-proxy ended before the forced sync");
            var forced = _session.Ok("Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Force -Confirm:$false 3>&1", Vars(ns));
            Assert.Contains(forced, o => o.BaseObject is WarningRecord w && w.Message.Contains($"kube-proxy (pid {process.Id})"));
            Assert.Contains("-A -t 10.96.0.10:53 -s rr", ns.Exec("ipvsadm", "-Sn"));
        }
        finally
        {
            process.Kill(true);
            process.WaitForExit();
        }
    }

    private static string WatchedSlice(string endpoint, string version) =>
        $$$"""{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"web-1","namespace":"shop","resourceVersion":"{{{version}}}","labels":{"kubernetes.io/service-name":"web"}},"addressType":"IPv4","endpoints":[{"addresses":["{{{endpoint}}}"],"conditions":{"ready":true},"nodeName":"node-b"}],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}""";

    [Fact]
    public void WatchKeepsTheNodeInStepWithTheLiveClusterUntilStopped()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        using var api = new IpvsTools.Tests.LoopbackApiServer();
        const string web = """{"kind":"Service","apiVersion":"v1","metadata":{"name":"web","namespace":"shop","resourceVersion":"300"},"spec":{"clusterIP":"10.96.0.20","clusterIPs":["10.96.0.20"],"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080}]}}""";
        api.Answer("/api/v1/services?limit=500", $$$"""{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"400"},"items":[{{{web}}}]}""");
        api.Answer("/apis/discovery.k8s.io/v1/endpointslices?limit=500",
            $$$"""{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"401"},"items":[{{{WatchedSlice("10.244.0.5", "310")}}}]}""");
        api.Answer("/api/v1/nodes/node-a", """{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-a"},"status":{"addresses":[{"type":"InternalIP","address":"172.18.0.3"}]}}""");
        api.AnswerWatch("/api/v1/services?allowWatchBookmarks=true&resourceVersion=400&watch=true");
        var slices = api.AnswerWatch("/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=401&watch=true");

        // Its own runspace: the watch runs until the pipeline is stopped.
        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddCommand("Import-Module").AddParameter("Name", _session.ModuleManifest).Invoke();
        ps.Commands.Clear();
        ps.AddCommand("Sync-KubeIpvs").AddParameter("Kubeconfig", api.WriteKubeconfig(_dir)).AddParameter("Context", "loop").AddParameter("NodeName", "node-a")
            .AddParameter("NetworkNamespace", ns.Name).AddParameter("Watch").AddParameter("Confirm", false);
        var output = new PSDataCollection<PSObject>();
        var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
        // A correctness wait (a new runspace loads the module and the cluster adapter first: slow under emulation), failing at once with the pipeline's errors if it ends.
        void WaitFor(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(180);
            while (!condition())
            {
                if (running.IsCompleted || DateTime.UtcNow > deadline)
                    throw new TimeoutException($"No {what} (pipeline {ps.InvocationStateInfo.State} {ps.InvocationStateInfo.Reason?.Message}): "
                        + string.Join("; ", ps.Streams.Error.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)) + " requests: " + string.Join(", ", api.Requests.Select(r => r.Request)));
                Thread.Sleep(500);
            }
        }
        try
        {
            WaitFor(() => ns.Exec("ipvsadm", "-Sn").Contains("-a -t 10.96.0.20:80 -r 10.244.0.5:8080 -m -w 1"), "first sync");
            slices.TryWrite(IpvsTools.Tests.LoopbackApiServer.WatchEvent("MODIFIED", WatchedSlice("10.244.0.6", "311")));
            WaitFor(() => ns.Exec("ipvsadm", "-Sn") is var t && t.Contains("-r 10.244.0.6:8080") && !t.Contains("-r 10.244.0.5:8080"), "sync after the change");
        }
        finally
        {
            ps.Stop();
        }
        Assert.True(running.IsCompleted);
        Assert.Empty(ps.Streams.Error);
        var lines = output.Select(o => o.ToString()).ToList();
        Assert.Contains("add destination TCP 10.96.0.20:80 -> 10.244.0.5:8080 masq weight 1", lines);
        Assert.Equal(["add destination TCP 10.96.0.20:80 -> 10.244.0.6:8080 masq weight 1", "remove destination TCP 10.96.0.20:80 -> 10.244.0.5:8080"], lines.TakeLast(2));
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
