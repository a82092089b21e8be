using System.Diagnostics;
using System.Text.Json;
using System.Text.Unicode;
using IpvsTools.Cluster;
using IpvsTools.Kube;

namespace IpvsTools.Benchmarks;

/// <summary>
/// snapshot-steps FILE [rounds=3]: where the JSON snapshot read's time goes, step by step, each the fastest of
/// ROUNDS after one warm-up, wall and CPU (the cores are shared): the file's bytes, the UTF-8 check, a bare
/// tokenizer pass (System.Text.Json's floor), and the whole read (tokens, model objects, mapping); with the
/// collections each step caused.
/// </summary>
internal static class SnapshotStepsBenchmark
{
    public static int Run(string[] args)
    {
        var file = args[0];
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
        var bytes = File.ReadAllBytes(file);
        Step("read-bytes", rounds, () => File.ReadAllBytes(file).Length);
        Step("utf8-check", rounds, () => Utf8.IsValid(bytes) ? 1 : 0);
        Step("tokens-only", rounds, () =>
        {
            var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = SnapshotReader.MaxDepth });
            var n = 0;
            while (reader.Read()) n++;
            return n;
        });
        Step("whole-read", rounds, () => SnapshotReader.ReadFiles([file]).EndpointSlices.Count);
        // What a read allocates and what of it the snapshot keeps (steady figures where times scatter).
        GC.Collect();
        var baseline = GC.GetTotalMemory(true);
        var allocated = GC.GetTotalAllocatedBytes(true);
        var kept = SnapshotReader.ReadFiles([file]);
        allocated = GC.GetTotalAllocatedBytes(true) - allocated;
        var retained = GC.GetTotalMemory(true) - baseline;
        GC.KeepAlive(kept);
        Console.WriteLine($"snapshot-step whole-read allocates {allocated / 1048576.0:F1} MiB, keeps {retained / 1048576.0:F1} MiB ({kept.Services.Count} services, {kept.EndpointSlices.Count} endpoint slices)");
        return 0;
    }

    private static void Step(string name, int rounds, Func<int> step)
    {
        step();
        var (wall, cpu, gcs) = (double.MaxValue, double.MaxValue, 0);
        for (var i = 0; i < rounds; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var count = GC.CollectionCount(0);
            var startCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            step();
            wall = Math.Min(wall, watch.Elapsed.TotalSeconds);
            cpu = Math.Min(cpu, (Process.GetCurrentProcess().TotalProcessorTime - startCpu).TotalSeconds);
            gcs = GC.CollectionCount(0) - count;
        }
        Console.WriteLine($"snapshot-step {name} {wall:F3} s (cpu {cpu:F3} s, {gcs} collections, fastest of {rounds})");
    }
}
