using System.Diagnostics;
using System.Net;
using System.Text;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools;
using IpvsTools.Kube;
using IpvsTools.Cluster;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.Sync;

// kube-plan: a cluster of N Services (2768 of them NodePorts) with E endpoints each, as kubectl prints it;
// times the snapshot reader, the desired state, the plan for an empty node, and the plan for a node
// that already holds everything (the steady state of a sync loop), then for one changed endpoint.
if (args.Length > 0 && args[0] == "kube-sync") return KubeSyncBenchmark.Run(args);
if (args.Length > 0 && args[0] == "watch-partial") return WatchPartialBenchmark.Run(args[1..]);
if (args.Length > 0 && args[0] == "ipvs-list") return IpvsListBenchmark.Run(args[1..]);
if (args.Length > 0 && args[0] == "ipvs-apply") return IpvsApplyBenchmark.Run(args[1..]);
if (args.Length > 0 && args[0] == "should-process") return ShouldProcessBenchmark.Run(args[1..]);
if (args.Length > 1 && args[0] == "noop-steps") return IpvsTools.Benchmarks.NoopPlanStepsBenchmark.Run(args[1..]);
if (args.Length > 1 && args[0] == "snapshot-steps") return IpvsTools.Benchmarks.SnapshotStepsBenchmark.Run(args[1..]);
if (args.Length is 2 or 3 && args[0] == "snapshot-parse" && (args.Length == 2 || args[2] == "--compare"))
{
    // The snapshot reader alone on a file (tests/bench/run reports it apart from Sync-KubeIpvs): a first
    // read warms the JIT, the second is timed. --compare times the YAML path (every object through
    // YamlDotNet, as JSON was read before its fast path) and the reader as it is on the same file in the
    // same process, each warmed by one read and then the fastest of three (a collection before each, so
    // no read pays for the garbage of the one before); wall and CPU time, since the cores are shared.
    var file = args[1];
    var size = new FileInfo(file).Length / 1048576.0;
    if (args.Length == 3)
    {
        var (yamlWall, yamlCpu, yamlParsed) = Fastest(() => SnapshotReader.ReadText(File.ReadAllText(file), file, jsonFastPath: false));
        Console.WriteLine($"snapshot-parse-yaml {yamlWall:F2} s (cpu {yamlCpu:F2} s, fastest of 3; {size:F1} MiB, {yamlParsed.Services.Count} services, {yamlParsed.EndpointSlices.Count} endpoint slices)");
        var (wall, cpu, parsed) = Fastest(() => SnapshotReader.ReadFiles([file]));
        Console.WriteLine($"snapshot-parse {wall:F2} s (cpu {cpu:F2} s, fastest of 3; {size:F1} MiB, {parsed.Services.Count} services, {parsed.EndpointSlices.Count} endpoint slices)");
        Console.WriteLine($"snapshot-parse speed-up {yamlWall / wall:F1}x wall, {yamlCpu / cpu:F1}x cpu");
        return 0;
    }
    SnapshotReader.ReadFiles([file]);
    var parse = Stopwatch.StartNew();
    var once = SnapshotReader.ReadFiles([file]);
    Console.WriteLine($"snapshot-parse {parse.Elapsed.TotalSeconds:F2} s ({size:F1} MiB, {once.Services.Count} services, {once.EndpointSlices.Count} endpoint slices)");
    return 0;

    static (double Wall, double Cpu, ClusterSnapshot Result) Fastest(Func<ClusterSnapshot> readSnapshot)
    {
        var result = readSnapshot();
        var (wall, cpu) = (double.MaxValue, double.MaxValue);
        for (var i = 0; i < 3; i++)
        {
            result = null!;
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var startCpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            result = readSnapshot();
            wall = Math.Min(wall, watch.Elapsed.TotalSeconds);
            cpu = Math.Min(cpu, (Process.GetCurrentProcess().TotalProcessorTime - startCpu).TotalSeconds);
        }
        return (wall, cpu, result);
    }
}
if (args.Length == 0 || args[0] != "kube-plan")
{
    Console.Error.WriteLine("usage: IpvsTools.Benchmarks kube-plan|kube-sync [services=10000] [endpoints=10]");
    Console.Error.WriteLine("       IpvsTools.Benchmarks snapshot-parse FILE [--compare]   (kubectl get svc,endpointslices -A -o json|yaml output; --compare: the YAML path too)");
    Console.Error.WriteLine("       IpvsTools.Benchmarks noop-steps FILE [rounds=3] [node] [address]   (a no-op sync's read, build and plan on the host, the node held in memory)");
    Console.Error.WriteLine("       IpvsTools.Benchmarks snapshot-steps FILE [rounds=3]   (where a JSON snapshot read's time goes: bytes, UTF-8 check, tokens, the whole read)");
    Console.Error.WriteLine("       IpvsTools.Benchmarks ipvs-list [rounds=3] [receive lengths, comma-separated]   (the IPVS table of the current network namespace)");
    Console.Error.WriteLine("       IpvsTools.Benchmarks should-process [calls=110000] [rounds=3]   (the hosted engine's cost per ShouldProcess call)");
    Console.Error.WriteLine("       IpvsTools.Benchmarks ipvs-apply FILE [rounds=2]   (Import-IpvsConfig's steps on an ipvsadm -R file, in the current network namespace)");
    return 2;
}
var services = args.Length > 1 ? int.Parse(args[1]) : 10_000;
var endpoints = args.Length > 2 ? int.Parse(args[2]) : 10;

string Snapshot(int changed)
{
    var text = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
    for (var i = 0; i < services; i++)
    {
        var ip = $"10.96.{i / 250}.{i % 250 + 1}";
        // The first 2768 are NodePorts (the whole default range 30000-32767), the rest ClusterIPs.
        var nodePort = i < 2768 ? $"      nodePort: {30000 + i}\n" : "";
        text.Append($"- apiVersion: v1\n  kind: Service\n  metadata:\n    name: svc-{i}\n    namespace: bench\n  spec:\n    type: {(i < 2768 ? "NodePort" : "ClusterIP")}\n    clusterIP: {ip}\n    clusterIPs:\n    - {ip}\n    ports:\n    - name: http\n      port: 80\n      protocol: TCP\n      targetPort: 8080\n{nodePort}");
    }
    for (var i = 0; i < services; i++)
    {
        text.Append($"- apiVersion: discovery.k8s.io/v1\n  kind: EndpointSlice\n  addressType: IPv4\n  metadata:\n    name: svc-{i}-abcde\n    namespace: bench\n    labels:\n      kubernetes.io/service-name: svc-{i}\n  ports:\n  - name: http\n    port: 8080\n    protocol: TCP\n  endpoints:\n");
        for (var e = 0; e < endpoints; e++)
        {
            var n = i * endpoints + e + (i == 0 && e == 0 ? changed : 0);
            text.Append($"  - addresses:\n    - 10.{128 + n / 65536 % 128}.{n / 256 % 256}.{n % 256}\n    conditions:\n      ready: true\n    nodeName: node-{n % 50}\n");
        }
    }
    return text.ToString();
}

var yaml = Snapshot(0);
var watch = Stopwatch.StartNew();
var snapshot = SnapshotReader.ReadText(yaml, "bench.yaml");
var read = watch.Elapsed;
var options = new KubeProxyOptions { NodeName = "node-0", NodeAddresses = [IPAddress.Parse("172.18.0.3")] };
watch.Restart();
var desired = KubeProxyState.Build(snapshot, options);
var build = watch.Elapsed;
watch.Restart();
var full = KubeIpvsPlanner.Plan(desired, KubeNodeActualState.Empty, options);
var planEmpty = watch.Elapsed;

var applied = new KubeNodeActualState(
    desired.VirtualServers.Select(v => new IpvsService(v.Key, v.Scheduler, v.Flags, v.Timeout, v.Netmask, null,
        v.Destinations.Select(d => new IpvsDestination(v.Key, d.Address.AddressFamily, d.Address, d.Port, d.ForwardingMethod, d.Weight, 0, 0, 0, 0, 0, null, null, null, IpvsStatistics.Zero, IpvsRates.Zero)).ToList(),
        IpvsStatistics.Zero, IpvsRates.Zero)).ToList(),
    desired.Ipsets.Select(s => new KubeActualIpset(s.Name, s.Type, s.Members)).ToList(), true, desired.DummyAddresses, null);
watch.Restart();
var steady = KubeIpvsPlanner.Plan(desired, applied, options);
var planSteady = watch.Elapsed;
watch.Restart();
var changedDesired = KubeProxyState.Build(SnapshotReader.ReadText(Snapshot(1_000_000), "bench2.yaml"), options);
var oneChange = KubeIpvsPlanner.Plan(changedDesired, applied, options);
var planChange = watch.Elapsed;

Console.WriteLine($"cluster: {services} services x {endpoints} endpoints, snapshot {yaml.Length / 1024 / 1024.0:F1} MiB of YAML");
Console.WriteLine($"read snapshot:        {read.TotalSeconds,7:F2} s");
Console.WriteLine($"desired state:        {build.TotalSeconds,7:F2} s  ({desired.VirtualServers.Count} virtual servers, {desired.Ipsets.Sum(s => s.Members.Count)} set members)");
Console.WriteLine($"plan for empty node:  {planEmpty.TotalSeconds,7:F2} s  ({full.Operations.Count} writes)");
Console.WriteLine($"plan, nothing changed:{planSteady.TotalSeconds,7:F2} s  ({steady.Operations.Count} writes)");
Console.WriteLine($"read+build+plan, one endpoint changed: {planChange.TotalSeconds:F2} s  ({oneChange.Operations.Count} writes)");
return 0;
