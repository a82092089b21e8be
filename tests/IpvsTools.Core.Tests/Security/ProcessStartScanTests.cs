using Xunit;
using IpvsTools.Processes;

namespace IpvsTools.Tests.Security;

/// <summary>
/// No shell strings where processes start: the module's sources start programs only through
/// ChildProcess, with argument lists (ArgumentList), never a shell or a command-line string.
/// </summary>
public class ProcessStartScanTests
{
    [Fact]
    public void TheSourcesStartProcessesOnlyThroughChildProcessWithArgumentLists()
    {
        var root = ProcessStartScan.RepositoryRoot();
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
            .Count(p => !p.Contains("/obj/") && !p.Contains("/bin/"));
        Assert.True(files > 50, $"only {files} source files found under {root}/src: the scan would prove nothing");
        Assert.Empty(ProcessStartScan.ScanSources(root).Select(f => f.ToString()));
    }

    [Fact]
    public void TheDoorUsesAnArgumentListAndNoShell()
    {
        var door = File.ReadAllText(Path.Combine(ProcessStartScan.RepositoryRoot(), ProcessStartScan.Door));
        Assert.Contains("UseShellExecute = false", door);
        Assert.Contains(".ArgumentList.Add(", door);
        Assert.DoesNotContain(".Arguments", door.Replace(".ArgumentList", ""));
    }

    [Theory]
    [InlineData("src/IpvsTools.Core/X.cs", "Process.Start(\"iptables-save\");", "process-start")]
    [InlineData("src/IpvsTools.Core/X.cs", "var p = new Process();", "process-start")]
    [InlineData("src/IpvsTools.Core/X.cs", "var s = new ProcessStartInfo { FileName = \"ipset\" };", "process-start")]
    [InlineData("src/IpvsTools.Core/X.cs", "if (system(command) != 0) return;", "process-start")]
    [InlineData("src/IpvsTools.Core/X.cs", "popen(line, \"r\");", "process-start")]
    [InlineData(ProcessStartScan.Door, "start.Arguments = \"-w --noflush\";", "arguments-string")]
    [InlineData(ProcessStartScan.Door, "start.Arguments = string.Join(' ', arguments);", "arguments-string")]
    [InlineData(ProcessStartScan.Door, "var s = new ProcessStartInfo(\"iptables\", \"-w -L\");", "arguments-string")]
    [InlineData(ProcessStartScan.Door, "UseShellExecute = true,", "shell-execute")]
    [InlineData("src/IpvsTools.Core/X.cs", "ChildProcess.Run(\"sh\", [\"-c\", script]);", "shell-string")]
    [InlineData("src/IpvsTools.Core/X.cs", "ChildProcess.Run(\"/bin/bash\", args);", "shell-string")]
    [InlineData("src/IpvsTools.Core/X.cs", "var line = \"sh -c 'iptables-save'\";", "shell-string")]
    public void TheScanFindsEachKindOfShellUse(string file, string code, string rule)
        => Assert.Contains(ProcessStartScan.Scan(file, code), f => f.Rule == rule);

    [Theory]
    [InlineData(ProcessStartScan.Door, "start.ArgumentList.Add(argument);")]
    [InlineData(ProcessStartScan.Door, "var start = new ProcessStartInfo")]
    [InlineData("src/IpvsTools.Core/X.cs", "/// never a shell string, never \"sh -c\"")]
    [InlineData("src/IpvsTools.Core/X.cs", "ChildProcess.Run(\"iptables-save\", [\"-c\"], ns);")]
    public void TheScanLetsArgumentListsAndProseThrough(string file, string code)
        => Assert.Empty(ProcessStartScan.Scan(file, code));
}
