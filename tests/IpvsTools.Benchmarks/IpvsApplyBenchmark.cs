using System.Diagnostics;
using IpvsTools;
using IpvsTools.Ipvs;

/// <summary>
/// ipvs-apply: the steps of Import-IpvsConfig on a restore file, in the current network namespace, each
/// timed on its own: read the file, parse it, check it against the table (one listing), word every line
/// as the cmdlet words it for ShouldProcess (target and message; the hosted engine's own ShouldProcess is
/// not in this process), send it with ApplyAll, and flush the table again. The first round warms the JIT
/// and is not printed. Each step prints wall, user and kernel seconds, the bytes it allocated and the
/// garbage collections it caused.
/// </summary>
internal static class IpvsApplyBenchmark
{
    public static int Run(string[] args)
    {
        if (args.Length < 1)
        {
            Console.Error.WriteLine("usage: IpvsTools.Benchmarks ipvs-apply FILE [rounds=2]");
            return 2;
        }
        var path = args[0];
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 2;
        using var client = IpvsClient.Open();
        for (var round = 0; round <= rounds; round++)
        {
            var print = round > 0;
            var text = Step(print, "read", () => File.ReadAllText(path));
            var (operations, errors) = Step(print, "parse", () => IpvsadmRestoreText.Parse(text));
            if (errors.Count > 0)
            {
                Console.Error.WriteLine($"{path}: {errors[0]}");
                return 1;
            }
            var conflicts = Step(print, "check", () => IpvsConfigPlan.Check(operations, client.GetServices(), IpvsSchedulers.IsKnown));
            if (conflicts.Count > 0)
            {
                Console.Error.WriteLine($"{path}: {conflicts[0]} (flush the table first)");
                return 1;
            }
            Step(print, "words", () =>
            {
                var length = 0L;
                foreach (var operation in operations) length += operation.Target.Length + $"{operation.Description} (line {operation.Line} of {path})".Length;
                return length;
            });
            var result = Step(print, "apply", () => client.ApplyAll(operations));
            if (result.Failures.Count > 0)
            {
                Console.Error.WriteLine($"{path}: {result.Failures[0].Error.Message}");
                return 1;
            }
            Step(print, "flush", () =>
            {
                client.Clear();
                return 0;
            });
            if (print) Console.WriteLine($"round {round}: {operations.Count} lines");
        }
        Console.WriteLine($"peak memory (VmHWM): {CpuTimes.PeakMegabytes():F0} MB");
        return 0;
    }

    private static T Step<T>(bool print, string name, Func<T> step)
    {
        GC.Collect();
        var collections = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var before = CpuTimes.Read();
        var watch = Stopwatch.StartNew();
        var value = step();
        var wall = watch.Elapsed.TotalSeconds;
        var after = CpuTimes.Read();
        var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        if (print)
        {
            Console.WriteLine($"{name,-6} {wall,7:F2} s wall, user {after.User - before.User,6:F2} s, sys {after.System - before.System,6:F2} s, " +
                $"allocated {bytes / 1048576.0,7:F1} MB, GCs gen0 {GC.CollectionCount(0) - collections.Item1} gen1 {GC.CollectionCount(1) - collections.Item2} gen2 {GC.CollectionCount(2) - collections.Item3}");
        }
        return value;
    }
}
