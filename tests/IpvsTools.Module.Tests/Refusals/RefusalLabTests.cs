using System.Text;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests.Refusals;

/// <summary>
/// Refusals leave the kernel as it was. Every exported cmdlet (found with Get-Command, so new ones are
/// covered) runs in a console host as nobody with no capabilities, with arguments from
/// <see cref="KernelCmdletArguments"/>: the kernel refuses it and the error says PermissionDenied and
/// what to do, or (for the few reads the kernel answers every user) it works. Bad input is refused by
/// the cmdlet's own checks both without privileges (so no kernel request came first: it would have
/// been refused) and as root. The state ipvsadm, ipset, iptables-save and ip print is compared before and after.
/// </summary>
[Trait("Tier", "Lab")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(nameof(IpvsTools.ModuleTests.Faults.HeavyLabTests))]
public sealed class RefusalLabTests
{
    private readonly PowerShellSession _session;

    public RefusalLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    private sealed record Row(string Kind, string Label, bool Failed, string ErrorId, string Category, string Message)
    {
        public override string ToString() => Failed ? $"{Label}: {ErrorId} {Category}: {Message}" : $"{Label}: succeeded";
    }

    [Fact]
    public void WithoutCapNetAdminEveryCmdletIsRefusedOrAllowedAsTheKernelDecidesAndNothingChanges()
    {
        using var node = new RefusalNode();
        var before = node.State();
        var rows = RunUnprivileged(node, Script(node));

        Assert.Empty(rows.Where(r => r.Kind == "missing").Select(r => r.Label + " has no row in KernelCmdletArguments"));
        Assert.Equal(KernelCmdletArguments.NeedCapNetAdmin.Count + KernelCmdletArguments.KernelAllows.Count, rows.Count(r => r.Kind is "needs" or "allows"));
        Assert.All(rows.Where(r => r.Kind == "needs"), r =>
        {
            Assert.True(r.Failed, r + ": should be refused without CAP_NET_ADMIN");
            Assert.True(r.ErrorId == r.Label.Replace("-", "") + "PermissionDenied" && r.Category == "PermissionDenied", r.ToString());
            Assert.True(r.Message.Contains("CAP_NET_ADMIN") && r.Message.Contains("root"), r + ": the message should say to run as root or with CAP_NET_ADMIN");
        });
        Assert.All(rows.Where(r => r.Kind == "allows"), r => Assert.False(r.Failed, r + " (" + KernelCmdletArguments.KernelAllows[r.Label].Why + ")"));
        AssertInvalidRefusedByChecks(rows.Where(r => r.Kind == "invalid").ToList());
        Assert.Equal(before, node.State());
    }

    [Fact]
    public void AsRootBadInputIsRefusedByTheCmdletsChecksAndNothingChanges()
    {
        using var node = new RefusalNode();
        var before = node.State();
        var script = new StringBuilder(node.Variables()).Append(InvokeRowFunction);
        foreach (var (invalid, _) in KernelCmdletArguments.Invalid)
            script.Append($"Invoke-Row invalid '{Quote(invalid)}' '{Quote(invalid)} -NetworkNamespace {node.Namespace.Name}'\n");
        var rows = Parse(string.Join('\n', _session.Ok(script.ToString()).Select(o => o.ToString())));
        AssertInvalidRefusedByChecks(rows);
        Assert.Equal(before, node.State());
    }

    private static void AssertInvalidRefusedByChecks(IReadOnlyList<Row> rows)
    {
        Assert.Equal(KernelCmdletArguments.Invalid.Select(i => i.Script), rows.Select(r => r.Label));
        foreach (var ((script, errorId), row) in KernelCmdletArguments.Invalid.Zip(rows))
        {
            Assert.True(row.Failed, row + ": bad input was accepted");
            Assert.True(row.Category != "PermissionDenied" && !row.ErrorId.Contains("PermissionDenied"), row + ": refused by the kernel, not by the cmdlet's checks");
            Assert.True(errorId == row.ErrorId, $"{script}: expected {errorId}, got {row}");
        }
    }

    private const string InvokeRowFunction = """
        function Invoke-Row([string]$kind, [string]$label, [string]$script) {
            try {
                $null = & ([scriptblock]::Create($script + ' -ErrorAction Stop'))
                "ROW`t$kind`t$label`tOK"
            } catch {
                "ROW`t$kind`t$label`tERR`t$($_.FullyQualifiedErrorId)`t$($_.CategoryInfo.Category)`t$($_.Exception.Message -replace '\s+', ' ')"
            }
        }

        """;

    /// <summary>The script the unprivileged shell runs: every exported cmdlet with its row's arguments, then the invalid inputs.</summary>
    private static string Script(RefusalNode node)
    {
        var script = new StringBuilder(node.Variables()).Append(InvokeRowFunction);
        script.Append("$needs = @{\n");
        foreach (var (name, arguments) in KernelCmdletArguments.NeedCapNetAdmin) script.Append($"  '{name}' = '{Quote(arguments)}'\n");
        script.Append("}\n$allows = @{\n");
        foreach (var (name, (arguments, _)) in KernelCmdletArguments.KernelAllows) script.Append($"  '{name}' = '{Quote(arguments)}'\n");
        script.Append("""
            }
            foreach ($name in (Get-Command -Module IpvsTools).Name) {
                if ($needs.ContainsKey($name)) { Invoke-Row needs $name "$name $($needs[$name])" }
                elseif ($allows.ContainsKey($name)) { Invoke-Row allows $name "$name $($allows[$name])" }
                else { "ROW`tmissing`t$name`tOK" }
            }

            """);
        foreach (var (invalid, _) in KernelCmdletArguments.Invalid) script.Append($"Invoke-Row invalid '{Quote(invalid)}' '{Quote(invalid)}'\n");
        return script.ToString();
    }

    /// <summary>Runs the script in ipvstools-shell inside the namespace as nobody, every capability dropped.</summary>
    private IReadOnlyList<Row> RunUnprivileged(RefusalNode node, string script)
    {
 // One process for every row: an engine start costs about 30 s under emulation.
        var result = Tool.TryRunWithInput(null, ["ip", "netns", "exec", node.Namespace.Name, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all",
            "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "IPVSTOOLS_MODULE=" + _session.ModuleManifest,
            "dotnet", Shell.Find(), "-Width", "4000", "-Command", script], TimeSpan.FromMinutes(10));
        Assert.True(result.ExitCode == 0, $"the unprivileged shell exited {result.ExitCode}: {result.Error}\n{result.Output}");
        TestContext.Current.SendDiagnosticMessage("unprivileged rows:\n" + result.Output);
        return Parse(result.Output);
    }

    private static List<Row> Parse(string output)
        => output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("ROW\t", StringComparison.Ordinal)).Select(l =>
        {
            var f = l.Split('\t');
            return f[3] == "OK"
                ? new Row(f[1], f[2], false, "", "", "")
                : new Row(f[1], f[2], true, f[4].Split(',')[0], f[5], f.Length > 6 ? f[6] : "");
        }).ToList();

    private static string Quote(string text) => text.Replace("'", "''");
}
