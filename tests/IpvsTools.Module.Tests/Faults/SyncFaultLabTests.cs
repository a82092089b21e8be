using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Text.RegularExpressions;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests.Faults;

/// <summary>
/// Sync-KubeIpvs under faults, in the lab kernel (issue #10): a sync killed midway (SIGKILL) leaves a
/// partial node and a lock file that does not block the next sync, which converges; another process
/// changing IPVS during a sync neither crashes nor hangs it, and the next sync converges around the
/// other process's service.
/// </summary>
[Trait("Tier", "Lab")]
[Collection(nameof(HeavyLabTests))]
public sealed class SyncFaultLabTests : IDisposable
{
    private const int Services = 300;
    private const string Foreign = "198.51.100.1:8080";
    private static readonly TimeSpan NoHang = TimeSpan.FromMinutes(3);
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-syncfault-").FullName;
    private readonly string _snapshot;

    public SyncFaultLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
        _snapshot = Path.Combine(_dir, "cluster.yaml");
        File.WriteAllText(_snapshot, LargeCluster.Snapshot(Services));
    }

    private Hashtable Vars(TestNamespace ns) => new() { ["path"] = _snapshot, ["ns"] = ns.Name };

    private const string SyncScript = "Sync-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns -Confirm:$false";

    private IReadOnlyList<PSObject> Compare(TestNamespace ns)
        => _session.Ok("Compare-KubeIpvs -Path $path -NodeName node-a -NetworkNamespace $ns", Vars(ns));

    private static int Count(string ipvsadm, string prefix) => ipvsadm.Split('\n').Count(l => l.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The node as the reference tools show it, its lines in order (the kernel's hash order differs between namespaces).</summary>
    private static string[] SortedDump(TestNamespace ns) => SyncKubeIpvsLabTests.Dump(ns).Split('\n').Order(StringComparer.Ordinal).ToArray();

    private static string LockFileOf(TestNamespace ns)
        => $"/run/ipvstools/sync-{Regex.Match(ns.Exec("readlink", "/proc/self/ns/net"), @"\[(\d+)\]").Groups[1].Value}.lock";

    /// <summary>A process whose stdout lines are collected as they come.</summary>
    private sealed class Watched : IDisposable
    {
        private readonly List<string> _lines = [];
        private readonly List<string> _errors = [];

        public Watched(string program, IEnumerable<string> arguments, IDictionary<string, string>? environment = null)
        {
            var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in arguments) start.ArgumentList.Add(a);
            foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;
            Process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
            Process.OutputDataReceived += (_, e) => { if (e.Data is { } d) lock (_lines) _lines.Add(d); };
            Process.ErrorDataReceived += (_, e) => { if (e.Data is { } d) lock (_errors) _errors.Add(d); };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }
        public string[] Lines { get { lock (_lines) return [.. _lines]; } }
        public string Errors { get { lock (_errors) return string.Join('\n', _errors); } }

        /// <summary>Waits until <paramref name="condition"/> holds of the lines; fails if the process ends first or after <paramref name="limit"/>.</summary>
        public void WaitFor(Func<string[], bool> condition, string what, TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            while (!condition(Lines))
            {
                if (Process.HasExited) throw new InvalidOperationException($"The process ended (exit {Process.ExitCode}) before {what}; {Lines.Length} lines, stderr: {Errors}");
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Waited {limit} for {what}; {Lines.Length} lines, stderr: {Errors}");
                Thread.Sleep(20);
            }
        }

        public void Dispose()
        {
            try { Process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            Process.WaitForExit(30_000);
            Process.Dispose();
        }
    }

    [Fact]
    public void ASyncKilledMidwayLeavesAPartialNodeAndTheNextSyncConvergesUnblockedByItsLock()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        using var reference = GetKubeIpvsPlanLabTests.Node();
        var lockFile = LockFileOf(ns);

        // The sync in another process, its changes printed one a line as they are made.
        var script = $"Sync-KubeIpvs -Path '{_snapshot}' -NodeName node-a -NetworkNamespace '{ns.Name}' -Confirm:$false | ForEach-Object {{ [Console]::Out.WriteLine(\"$_\") }}";
        using var sync = new Watched("dotnet", [Shell.Find(), "-Width", "400", "-Command", script],
            new Dictionary<string, string> { ["IPVSTOOLS_MODULE"] = _session.ModuleManifest });
        // Killed at the first virtual server it reports: the sync goes on while the test reacts (in the lab, twice, to 128 of 300 with 384 real servers: two windows of 256 IPVS writes).
        sync.WaitFor(lines => lines.Any(l => l.StartsWith("add virtual server ", StringComparison.Ordinal)),
            "the first virtual server was added (make the snapshot larger if the sync ends first)", NoHang);

        // The killed process holds the lock: its pid is in the file. (cat: .NET's own reads take a shared flock.)
        var pid = sync.Process.Id;
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), Tool.Run("cat", lockFile).Trim());
        Assert.NotEqual(0, Tool.TryRun("flock", "-n", "-x", lockFile, "true").ExitCode);

        sync.Process.Kill(); // SIGKILL
        Assert.True(sync.Process.WaitForExit(60_000), "the killed sync did not end");
        Assert.Equal(128 + 9, sync.Process.ExitCode);
        var printed = sync.Lines;
        TestContext.Current.SendDiagnosticMessage($"killed after {printed.Length} changes printed; the last: {printed[^1]}");

        // Partial: some of the cluster's virtual servers, not all.
        var partial = ns.Exec("ipvsadm", "-Sn");
        var servers = Count(partial, "-A -t 10.97.");
        TestContext.Current.SendDiagnosticMessage($"after the kill: {servers} of {Services} virtual servers, {Count(partial, "-a -t 10.97.")} of {Services * LargeCluster.EndpointsPerService} real servers");
        Assert.InRange(servers, 1, Services - 1);
        Assert.NotEmpty(Compare(ns));

        // The lock file stays behind naming the dead process, but the lock died with it.
        Assert.False(Directory.Exists($"/proc/{pid}"), $"process {pid} still exists");
        Assert.Equal(pid.ToString(System.Globalization.CultureInfo.InvariantCulture), Tool.Run("cat", lockFile).Trim());
        Assert.Equal(0, Tool.TryRun("flock", "-n", "-x", lockFile, "true").ExitCode);

        // The second sync is not refused and converges: nothing left to do, the full counts, the same node as a sync into a fresh namespace.
        var result = _session.Run(SyncScript, Vars(ns));
        Assert.Empty(result.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message));
        Assert.NotEmpty(result.Output);
        Assert.Empty(Compare(ns));
        var full = ns.Exec("ipvsadm", "-Sn");
        Assert.Equal(Services, Count(full, "-A -t 10.97."));
        Assert.Equal(Services * LargeCluster.EndpointsPerService, Count(full, "-a -t 10.97."));
        Assert.NotEmpty(_session.Ok(SyncScript, Vars(reference)));
        Assert.Equal(SortedDump(reference), SortedDump(ns));
    }

    [Fact]
    public void AnotherProcessChangingIpvsDuringASyncNeitherCrashesNorHangsItAndTheNextSyncConverges()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        // The other process: adds and deletes a foreign service, deletes two of the cluster's virtual servers, again and again.
        string[] deleted = [$"{LargeCluster.ClusterIp(7)}:80", $"{LargeCluster.ClusterIp(Services - 7)}:80"];
        var loop = $"n=0; while :; do ipvsadm -A -t {Foreign} -s rr 2>/dev/null; ipvsadm -D -t {deleted[0]} 2>/dev/null; "
            + $"ipvsadm -D -t {Foreign} 2>/dev/null; ipvsadm -D -t {deleted[1]} 2>/dev/null; n=$((n+1)); echo $n; done";
        PowerShellSession.Result result;
        int before, after;
        using (var other = new Watched("ip", ["netns", "exec", ns.Name, "bash", "-c", loop]))
        {
            other.WaitFor(lines => lines.Length > 0, "the other process's first round", TimeSpan.FromSeconds(60));
            before = other.Lines.Length;
            PowerShellSession.Result? ran = null;
            Exception? crash = null;
            var running = new Thread(() =>
            {
                try { ran = _session.Run(SyncScript, Vars(ns)); }
                catch (Exception ex) { crash = ex; }
            }) { IsBackground = true };
            running.Start();
            Assert.True(running.Join(NoHang), $"Sync-KubeIpvs did not end within {NoHang} while another process changed IPVS");
            Assert.Null(crash);
            result = ran!;
            after = other.Lines.Length;
            Assert.False(other.Process.HasExited, "the other process ended during the sync: " + other.Errors);
        }
        TestContext.Current.SendDiagnosticMessage($"the other process made {after - before} rounds during the sync; the sync printed {result.Output.Count} changes and "
            + (result.AllErrors.Any() ? string.Join("; ", result.AllErrors.Select(e => $"{e.FullyQualifiedErrorId} ({e.CategoryInfo.Category}): {e.Exception.Message}")) : "no error"));
        Assert.True(after > before, "the other process made no round while the sync ran");

        // Completed, or stopped with the sync's own error saying what failed (not an unhandled exception).
        Assert.All(result.AllErrors, e =>
        {
            Assert.StartsWith("SyncKubeIpvs", e.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.EndsWith(",IpvsTools.Commands.SyncKubeIpvsCommand", e.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.NotEqual(ErrorCategory.NotSpecified, e.CategoryInfo.Category);
            Assert.False(string.IsNullOrWhiteSpace(e.Exception.Message));
        });

        // The next sync converges; the foreign service is left alone.
        ns.TryExec("ipvsadm", "-D", "-t", Foreign); // the loop may have been stopped between its add and its delete
        ns.Exec("ipvsadm", "-A", "-t", Foreign, "-s", "rr");
        _session.Ok(SyncScript, Vars(ns));
        Assert.Equal([$"ForeignVirtualServer TCP {Foreign}: expected (none), actual rr (None)"], Compare(ns).Select(o => o.ToString()));
        var full = ns.Exec("ipvsadm", "-Sn");
        Assert.Contains($"-A -t {Foreign} -s rr", full);
        Assert.Equal(Services, Count(full, "-A -t 10.97."));
        Assert.Equal(Services * LargeCluster.EndpointsPerService, Count(full, "-a -t 10.97."));
        foreach (var vs in deleted) Assert.Contains($"-A -t {vs} -s rr", full);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
