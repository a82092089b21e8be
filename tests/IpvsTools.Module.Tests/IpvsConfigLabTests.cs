using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>Export-IpvsConfig and Import-IpvsConfig in the lab kernel, against `ipvsadm -Sn` and `ipvsadm -R`.</summary>
[Trait("Tier", "Lab")]
public class IpvsConfigLabTests
{
    private readonly PowerShellSession _session;

    public IpvsConfigLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    private static Dictionary<string, object> Vars(TestNamespace ns, string? path = null)
        => path is null ? new() { ["ns"] = ns.Name } : new() { ["ns"] = ns.Name, ["path"] = path };

    private static string TempFile() => Path.Combine(Path.GetTempPath(), "ipvstools-" + Guid.NewGuid().ToString("N") + ".rules");

    [Fact]
    public void ExportIsIpvsadmSaveByteForByteForStateFromEitherSide()
    {
        // ipvsadm's state, wrapping addresses and all.
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable + "-A -t 10.96.0.50:80 -s rr\n-A -t 172.16.0.1:80 -s rr\n-a -t 192.0.0.1:80 -r 10.1.1.1:80 -m\n-a -t 192.0.0.1:80 -r 192.168.1.1:80 -m\n-a -t 192.0.0.1:80 -r 96.0.0.1:80 -m\n");
        var lines = _session.Ok("Export-IpvsConfig -NetworkNamespace $ns", Vars(ns)).Select(o => (string)o.BaseObject);
        Assert.Equal(ns.Exec("ipvsadm", "-Sn"), string.Concat(lines.Select(l => l + "\n")));
        var path = TempFile();
        try
        {
            _session.Ok("Export-IpvsConfig -Path $path -NetworkNamespace $ns", Vars(ns, path));
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(ns.Exec("ipvsadm", "-Sn")), File.ReadAllBytes(path));
            var clobber = _session.Run("Export-IpvsConfig -Path $path -NoClobber -NetworkNamespace $ns", Vars(ns, path));
            Assert.Equal("ExportIpvsConfigFileExists", Assert.Single(clobber.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        }
        finally
        {
            File.Delete(path);
        }

        // The cmdlets' state.
        using var built = new TestNamespace();
        _session.Ok(IpvsServiceChangeLabTests.BuildScript + "\nNew-IpvsService -Protocol Tcp -Address 192.168.0.1 -Port 80 @n\nNew-IpvsService -Protocol Tcp -Address 96.0.0.1 -Port 80 @n", Vars(built));
        var export = string.Concat(_session.Ok("Export-IpvsConfig -NetworkNamespace $ns", Vars(built)).Select(o => (string)o.BaseObject + "\n"));
        Assert.Equal(built.Exec("ipvsadm", "-Sn"), export);

        using var empty = new TestNamespace();
        Assert.Empty(_session.Ok("Export-IpvsConfig -NetworkNamespace $ns", Vars(empty)));
    }

    [Fact]
    public void ImportMakesWhatIpvsadmRestoreMakes()
    {
        using var source = new TestNamespace();
        using var ours = new TestNamespace();
        using var theirs = new TestNamespace();
        _session.Ok(IpvsServiceChangeLabTests.BuildScript, Vars(source));
        var path = TempFile();
        try
        {
            _session.Ok("Export-IpvsConfig -Path $path -NetworkNamespace $ns", Vars(source, path));
            var passThru = _session.Ok("Import-IpvsConfig -Path $path -NetworkNamespace $ns -PassThru", Vars(ours, path));
            Lab.IpvsadmRestore(theirs, File.ReadAllText(path));
            Assert.Equal(theirs.Exec("ipvsadm", "-Sn"), ours.Exec("ipvsadm", "-Sn"));
            Assert.Equal(source.Exec("ipvsadm", "-Sn"), ours.Exec("ipvsadm", "-Sn"));
            Assert.Equal(12, passThru.Count);
            // Files from Get-ChildItem pipe in by FullName: the same file again conflicts with what it just made.
            var again = _session.Run("[System.IO.FileInfo]::new($path) | Import-IpvsConfig -NetworkNamespace $ns", Vars(ours, path));
            // One refusal, one error: it counts the 25 lines, shows the first 20 and holds every one.
            var refusal = Assert.Single(again.AllErrors);
            Assert.Equal("ImportIpvsConfigLineConflict", refusal.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(path, refusal.TargetObject);
            Assert.StartsWith($"{path}: nothing was applied: 25 lines are bad.", refusal.ErrorDetails.Message);
            Assert.Equal(20, refusal.ErrorDetails.Message.Split('\n').Count(l => l.StartsWith("  line ", StringComparison.Ordinal)));
            Assert.Contains("... and 5 more ($Error[0].Exception.Errors lists every one).", refusal.ErrorDetails.Message);
            Assert.Contains("clear it first (Clear-IpvsService", refusal.ErrorDetails.Message);
            Assert.Equal(25, ((dynamic)refusal.Exception).Errors.Count);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ABadFileAppliesNothingAndNamesEveryBadLine()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var before = ns.Exec("ipvsadm", "-Sn");
        var path = TempFile();
        try
        {
            File.WriteAllText(path, "-A -t 10.96.0.60:80 -s rr\n-a -t 10.96.0.60:80 -r 10.244.9.9 -m\n-a -t 10.96.0.60:80 -r 10.244.9.8 -w x\n\n-A -t 10.96.0.61 -s rr\n");
            var result = _session.Run("Import-IpvsConfig -Path $path -NetworkNamespace $ns", Vars(ns, path));
            // One error for the refused file, naming both bad lines and what to do.
            var invalid = Assert.Single(result.AllErrors);
            Assert.Equal("ImportIpvsConfigInvalidLine", invalid.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidData, invalid.CategoryInfo.Category);
            Assert.Equal(path, invalid.TargetObject);
            var lines = invalid.ErrorDetails.Message.Split('\n');
            Assert.Equal($"{path}: nothing was applied: 2 lines are bad.", lines[0]);
            Assert.StartsWith("  line 3: illegal weight `x'", lines[1]);
            Assert.StartsWith("  line 5: ", lines[2]);
            Assert.StartsWith("Correct or remove these lines", lines[3]);
            Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));

            // Good syntax that does not fit the table: also nothing applied.
            File.WriteAllText(path, "-A -t 10.96.0.60:80 -s rr\n-A -t 10.96.0.10:53 -s rr\n-d -u 10.96.0.10:53 -r 10.244.7.7:53\n-A -t 10.96.0.62:80 -s fastest\n");
            var conflicts = _session.Run("Import-IpvsConfig -Path $path -NetworkNamespace $ns", Vars(ns, path));
            var conflict = Assert.Single(conflicts.AllErrors);
            Assert.Equal("ImportIpvsConfigLineConflict", conflict.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal([2, 3, 4], conflict.ErrorDetails.Message.Split('\n').Where(l => l.StartsWith("  line ", StringComparison.Ordinal))
                .Select(l => int.Parse(l.Split(':')[0]["  line ".Length..])));
            Assert.Contains("line 2: IPVS service TCP 10.96.0.10:53 already exists", conflict.ErrorDetails.Message);
            Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));

            var missing = _session.Run("Import-IpvsConfig -Path /nonexistent/rules -NetworkNamespace $ns", Vars(ns));
            Assert.Equal("ImportIpvsConfigFileNotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ALineTheKernelRefusesIsNamedWithWhatWasAppliedAndWhatWasNotSent()
    {
        using var ns = new TestNamespace();
        var path = TempFile();
        // Well-formed and fitting the table, but the kernel refuses a multicast real server (EINVAL).
        var text = new System.Text.StringBuilder("-A -t 10.96.0.1:80 -s rr\n-a -t 10.96.0.1:80 -r 10.244.0.1:80 -m\n-a -t 10.96.0.1:80 -r 224.0.0.9:80 -m\n-a -t 10.96.0.1:80 -r 10.244.0.2:80 -m\n");
        for (var i = 0; i < 1000; i++) text.Append($"-A -t 10.97.{i / 250}.{i % 250 + 1}:80 -s rr\n");
        File.WriteAllText(path, text.ToString());
        try
        {
            var result = _session.Run("Import-IpvsConfig -Path $path -NetworkNamespace $ns", Vars(ns, path));
            var error = Assert.Single(result.AllErrors);
            Assert.Equal("ImportIpvsConfigInvalidArgument", error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.Equal($"{path}:3", error.TargetObject);
            var saved = ns.Exec("ipvsadm", "-Sn").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var message = error.Exception.Message;
            Assert.StartsWith($"{path} line 3 (-a -t 10.96.0.1:80 -r 224.0.0.9:80 -m): Adding real server 224.0.0.9:80 to IPVS service TCP 10.96.0.1:80", message);
            // The tally matches the table: every line sent but the refused one was applied, none after.
            var tally = System.Text.RegularExpressions.Regex.Match(message, @"Of the 1004 lines to apply, (\d+) were applied, 1 refused and the (\d+) after line (\d+) not sent\.$");
            Assert.True(tally.Success, message);
            var applied = int.Parse(tally.Groups[1].Value);
            Assert.Equal(saved.Length, applied);
            Assert.Equal(1004 - applied - 1, int.Parse(tally.Groups[2].Value));
            Assert.Equal(applied + 1, int.Parse(tally.Groups[3].Value));
            Assert.Contains("-a -t 10.96.0.1:80 -r 10.244.0.2:80 -m -w 1", saved);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void VerboseNamesEveryOperationAndConfirmAsksBeforeAny()
    {
        // The cmdlet words ShouldProcess's description itself (ShouldProcessText); -Verbose and -Confirm must
        // see exactly what the engine's ShouldProcess(target, action) shows.
        using var ns = new TestNamespace();
        var path = TempFile();
        File.WriteAllText(path, "-A -t 10.96.0.11:80 -s rr\n-a -t 10.96.0.11:80 -r 10.244.1.6:8080 -m -w 3\n");
        try
        {
            var unconfirmed = _session.Run("Import-IpvsConfig -Path $path -NetworkNamespace $ns -Confirm", Vars(ns, path));
            Assert.NotEmpty(unconfirmed.AllErrors);
            Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));

            var verbose = _session.Ok("Import-IpvsConfig -Path $path -NetworkNamespace $ns -Verbose 4>&1", Vars(ns, path));
            Assert.Equal([
                $"Performing the operation \"Add IPVS service (scheduler rr) (line 1 of {path}) in network namespace '{ns.Name}'\" on target \"TCP 10.96.0.11:80\".",
                $"Performing the operation \"Add real server (Masquerade, weight 3) (line 2 of {path}) in network namespace '{ns.Name}'\" on target \"TCP 10.96.0.11:80 -> 10.244.1.6:8080\".",
            ], verbose.Select(o => Assert.IsType<VerboseRecord>(o.BaseObject).Message));
            Assert.Equal("-A -t 10.96.0.11:80 -s rr\n-a -t 10.96.0.11:80 -r 10.244.1.6:8080 -m -w 3\n", ns.Exec("ipvsadm", "-Sn"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void WhatIfPrintsTheOperationsAndAppliesNone()
    {
        using var ns = new TestNamespace();
        var path = Path.Combine(Environment.GetEnvironmentVariable("IPVSTOOLS_LAB_WORK") ?? Path.GetTempPath(), "whatif-" + Guid.NewGuid().ToString("N") + ".rules");
        File.WriteAllText(path, "-A -u 10.96.0.10:53 -s rr\n-a -u 10.96.0.10:53 -r 10.244.1.5:53 -m\n--set 800 0 0\n-C\n");
        try
        {
            // What -WhatIf prints goes to the host: a console host in this process (the one ipvstools-shell runs), not the session's.
            var output = RenderingHost.Instance.Render("Import-IpvsConfig -Path $path -NetworkNamespace $ns -WhatIf", new System.Collections.Hashtable { ["path"] = path, ["ns"] = ns.Name });
            var lines = RenderingHost.Lines(output).ToArray();
            Assert.Equal([
                $"What if: Performing the operation \"Add IPVS service (scheduler rr) (line 1 of {path}) in network namespace '{ns.Name}'\" on target \"UDP 10.96.0.10:53\".",
                $"What if: Performing the operation \"Add real server (Masquerade, weight 1) (line 2 of {path}) in network namespace '{ns.Name}'\" on target \"UDP 10.96.0.10:53 -> 10.244.1.5:53\".",
                $"What if: Performing the operation \"Set to tcp 800, tcpfin 0, udp 0 (0: unchanged) (line 3 of {path}) in network namespace '{ns.Name}'\" on target \"the IPVS timeouts\".",
                $"What if: Performing the operation \"Remove (line 4 of {path}) in network namespace '{ns.Name}'\" on target \"every IPVS service\".",
            ], lines);
            Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));
            Assert.Equal("Timeout (tcp tcpfin udp): 900 120 300\n", ns.Exec("ipvsadm", "-L", "--timeout"));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
