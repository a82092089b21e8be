using System.Collections;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests.Faults;

/// <summary>
/// Faults while a command runs, in the lab kernel: another process adding and removing services during
/// a listing, and the namespace deleted in the middle of a command.
/// </summary>
[Trait("Tier", "Lab")]
[Collection(nameof(IpvsTools.ModuleTests.Faults.HeavyLabTests))]
public sealed class ConcurrentChangeLabTests
{
    private const int Listings = 8;
    private readonly PowerShellSession _session;

    public ConcurrentChangeLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    [Fact]
    public void AListingWhileAnotherProcessAddsAndRemovesServicesHasEveryStableServiceOnce()
    {
        using var table = new ChurningTable();
        table.StartChurn();
        var stable = ChurningTable.StableKeys().ToHashSet();
        var churnedSeen = 0;
        var problems = new List<string>();
        for (var listing = 0; listing < Listings; listing++)
        {
            var names = _session.Ok("Get-IpvsService -NetworkNamespace $ns | ForEach-Object { \"$_|$($_.Destinations.Count)\" }",
                new Hashtable { ["ns"] = table.Namespace.Name }).Select(o => o.ToString()).ToList();
            var keys = names.Select(n => n.Split('|')[0]).ToList();
            var duplicates = keys.GroupBy(k => k).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            var missing = stable.Except(keys).ToList();
            if (duplicates.Count > 0) problems.Add($"listing {listing}: {duplicates.Count} duplicates, e.g. {duplicates[0]}");
            if (missing.Count > 0) problems.Add($"listing {listing}: {missing.Count} stable services missing, e.g. {missing[0]}");
            // The stable services keep their real servers: every tenth has one.
            var wrong = names.Where(n => n.StartsWith("TCP 10.98.", StringComparison.Ordinal))
                .Where(n => n.Split('|')[1] != (n.Split('|')[0].EndsWith("0:80") ? "1" : "0")).ToList();
            if (wrong.Count > 0) problems.Add($"listing {listing}: {wrong.Count} stable services with the wrong real servers, e.g. {wrong[0]}");
            churnedSeen += keys.Count(k => k.StartsWith("TCP 10.99.", StringComparison.Ordinal));
        }
        table.StopChurn();
        TestContext.Current.SendDiagnosticMessage($"{Listings} listings saw {churnedSeen} churning services in all");
        Assert.True(churnedSeen > 0, "no listing saw a churning service: the other process did not run during the listings");
        Assert.Empty(problems);
    }

    [Fact]
    public void ANamespaceDeletedWhileAPipelineRunsGivesAClearErrorForWhatCameAfter()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        // Only services with real servers are piped: the kernel lists services in an order that depends on
        // the namespace's address in memory, so the first two of the sample table could be ones without any.
        var result = _session.Run("""
            $n = 0
            Get-IpvsService -NetworkNamespace $ns | Where-Object { $_.Destinations.Count -gt 0 } | ForEach-Object {
                if ($n++ -eq 2) { & ip netns delete $ns }
                $_
            } | Get-IpvsDestination | ForEach-Object { "$($_.Service) -> $($_.Address)" }
            """, new Hashtable { ["ns"] = ns.Name });
        // The services piped before the namespace went had their real servers read; the rest name it as gone.
        TestContext.Current.SendDiagnosticMessage(string.Join("\n", result.Output.Select(o => o.ToString()).Concat(result.AllErrors.Select(e => e.Exception.Message))));
        Assert.NotEmpty(result.Output);
        Assert.NotEmpty(result.AllErrors);
        Assert.All(result.AllErrors, e =>
        {
            Assert.Equal("GetIpvsDestinationNetworkNamespaceNotFound", e.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(System.Management.Automation.ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Contains($"'{ns.Name}'", e.Exception.Message);
        });
    }

    [Fact]
    public void ANamespaceDeletedDuringALongListingEndsItWithoutAHang()
    {
        using var table = new ChurningTable();
        var deleter = new Thread(() =>
        {
            Thread.Sleep(1500);
            Tool.Run("ip", "netns", "delete", table.Namespace.Name);
        });
        deleter.Start();
        var started = DateTime.UtcNow;
        var result = _session.Run("Get-IpvsService -NetworkNamespace $ns | ForEach-Object { \"$_\" }", new Hashtable { ["ns"] = table.Namespace.Name });
        deleter.Join();
        var took = DateTime.UtcNow - started;
        TestContext.Current.SendDiagnosticMessage($"the listing took {took.TotalSeconds:0.0} s, gave {result.Output.Count} services and {result.AllErrors.Count()} errors: "
            + string.Join("; ", result.AllErrors.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message)));
        // The socket keeps the namespace alive while the command runs: the listing is whole, or the error names the namespace.
        if (result.AllErrors.Any())
            Assert.All(result.AllErrors, e => Assert.Contains($"'{table.Namespace.Name}'", e.Exception.Message));
        else
            Assert.Superset(ChurningTable.StableKeys().ToHashSet(), result.Output.Select(o => o.ToString()).ToHashSet());
        // A command after it is refused clearly.
        var after = _session.Run("Get-IpvsService -NetworkNamespace $ns", new Hashtable { ["ns"] = table.Namespace.Name });
        Assert.Equal("GetIpvsServiceNetworkNamespaceNotFound", Assert.Single(after.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
    }
}
