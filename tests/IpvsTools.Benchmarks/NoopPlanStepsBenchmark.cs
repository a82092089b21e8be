using System.Diagnostics;
using System.Net;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.Kube;
using IpvsTools.KubeProxy;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Sync;

namespace IpvsTools.Benchmarks;

/// <summary>
/// noop-steps FILE [rounds=3] [node=node-0] [address=172.18.0.3]: a no-op Sync-KubeIpvs's own steps on the host,
/// without IPVS: the snapshot read (FILE, what tests/bench/run's sync rows read), the desired state's build, and
/// the plan against a node that already holds that state (its IPVS table and KUBE-* sets made from the desired
/// state, iptables left out), each the fastest of ROUNDS after one warm-up, wall and CPU, with what each
/// allocates. What is left of a lab no-op sync is the node read, which is the kernel's and the lab's.
/// </summary>
internal static class NoopPlanStepsBenchmark
{
    public static int Run(string[] args)
    {
        var file = args[0];
        var rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
        var options = new KubeProxyOptions
        {
            NodeName = args.Length > 2 ? args[2] : "node-0",
            NodeAddresses = [IPAddress.Parse(args.Length > 3 ? args[3] : "172.18.0.3")],
        };
        var snapshot = Step("read", rounds, () => SnapshotReader.ReadFiles([file]));
        var desired = Step("build", rounds, () => KubeProxyState.Build(snapshot, options));
        var node = Held(desired);
        var plan = Step("plan", rounds, () => KubeIpvsPlanner.Plan(desired, node, options));
        Console.WriteLine($"noop-step state {desired.VirtualServers.Count} virtual servers, {desired.VirtualServers.Sum(v => v.Destinations.Count)} real servers, {desired.Ipsets.Sum(s => s.Members.Count)} set members; plan {plan.Operations.Count} writes");
        return plan.Operations.Count == 0 ? 0 : 1;
    }

    /// <summary>The node after a sync of <paramref name="desired"/>: its IPVS table (zero counters) and sets; iptables not read.</summary>
    private static KubeNodeActualState Held(KubeDesiredState desired) => new(
        desired.VirtualServers.Select(v => new IpvsService(v.Key, v.Scheduler, v.Flags, v.Timeout, v.Netmask, null,
            v.Destinations.Select(d => new IpvsDestination(v.Key, d.Address.AddressFamily, d.Address, d.Port, d.ForwardingMethod, d.Weight, 0, 0, 0, 0, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero)).ToList(),
            IpvsStatistics.Zero, IpvsRates.Zero)).ToList(),
        desired.Ipsets.Select(s => new KubeActualIpset(s.Name, s.Type, s.Members)).ToList(), true, desired.DummyAddresses, null);

    private static T Step<T>(string name, int rounds, Func<T> step)
    {
        var result = step();
        var (wall, cpu, allocated) = (double.MaxValue, double.MaxValue, 0L);
        for (var i = 0; i < rounds; i++)
        {
            result = default!;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var bytes = GC.GetTotalAllocatedBytes(true);
            var startCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            result = step();
            wall = Math.Min(wall, watch.Elapsed.TotalSeconds);
            cpu = Math.Min(cpu, (Process.GetCurrentProcess().TotalProcessorTime - startCpu).TotalSeconds);
            allocated = GC.GetTotalAllocatedBytes(true) - bytes;
        }
        Console.WriteLine($"noop-step {name} {wall:F3} s (cpu {cpu:F3} s, allocates {allocated / 1048576.0:F1} MiB, fastest of {rounds})");
        return result;
    }
}
