using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

/// <summary>
/// should-process: what the hosted PowerShell engine costs per ShouldProcess call, as Import-IpvsConfig
/// makes one per line. A cmdlet defined here calls ShouldProcess N times in one invocation, in rounds
/// (the first warms the JIT), with no -WhatIf, -Confirm or -Verbose: the two-string form the cmdlets use
/// (target, action: the engine words "Performing the operation ... on target ..." from its resources
/// each time), the three-string form (the description given whole), and the loop alone.
/// </summary>
internal static class ShouldProcessBenchmark
{
    public static int Run(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0]) : 110_000;
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
        var state = InitialSessionState.CreateDefault2();
        state.Commands.Add(new SessionStateCmdletEntry("Test-ShouldProcessCost", typeof(TestShouldProcessCostCommand), null));
        using var runspace = RunspaceFactory.CreateRunspace(state);
        runspace.Open();
        foreach (var form in new[] { "none", "target-action", "description" })
        {
            for (var round = 0; round <= rounds; round++)
            {
                using var ps = PowerShell.Create(runspace);
                ps.AddCommand("Test-ShouldProcessCost").AddParameter("Calls", calls).AddParameter("Form", form);
                GC.Collect();
                var gen0 = GC.CollectionCount(0);
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var before = CpuTimes.Read();
                var watch = Stopwatch.StartNew();
                var approved = ps.Invoke<int>().Single();
                var wall = watch.Elapsed.TotalSeconds;
                var after = CpuTimes.Read();
                if (ps.HadErrors) throw new InvalidOperationException(ps.Streams.Error[0].ToString());
                if (round > 0)
                {
                    Console.WriteLine($"should-process {form,-13} {calls} calls: {wall:F2} s wall ({wall / calls * 1e6:F2} us a call), user {after.User - before.User:F2} s, " +
                        $"sys {after.System - before.System:F2} s, allocated {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:F1} MB, gen0 GCs {GC.CollectionCount(0) - gen0}, approved {approved}");
                }
            }
        }
        return 0;
    }
}

[Cmdlet("Test", "ShouldProcessCost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
public sealed class TestShouldProcessCostCommand : PSCmdlet
{
    [Parameter(Mandatory = true)]
    public int Calls { get; set; }

    [Parameter(Mandatory = true)]
    public string Form { get; set; } = "";

    protected override void ProcessRecord()
    {
        var approved = 0;
        const string target = "TCP 10.96.12.34:80 -> 10.128.12.34:8080";
        const string action = "Add real server (Masquerade, weight 1) (line 12345 of /tmp/bench/table.rules) in network namespace 'bench-mod'";
        const string description = "Performing the operation \"" + action + "\" on target \"" + target + "\".";
        for (var i = 0; i < Calls; i++)
        {
            var yes = Form switch
            {
                "target-action" => ShouldProcess(target, action),
                "description" => ShouldProcess(description, null, null),
                _ => true,
            };
            if (yes) approved++;
        }
        WriteObject(approved);
    }
}
