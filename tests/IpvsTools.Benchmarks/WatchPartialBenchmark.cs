using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net;
using System.Text;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;
using IpvsTools.Tests;

/// <summary>
/// watch-partial (lab only: needs IPVS): issue 19 item 3. Sync-KubeIpvs -Watch (the module in a hosted
/// PowerShell, -Verbose) follows a loopback API server (tests/Shared/LoopbackApiServer.cs) that lists S
/// ClusterIP Services with E endpoints each; after its first full sync, C EndpointSlices of different
/// Services are changed one at a time (one endpoint added each) and each change's event-to-kernel latency
/// is timed: from writing the watch event to the new real server being in the kernel (polled by key, 1 ms
/// apart), with the writes the sync made for it (its output records). Baselines at the same size, in the
/// same process and namespace: a no-op Sync-KubeIpvs from the live API (its list included, the fastest of
/// two, before the watch starts), and the same changes under -FullSyncInterval 0 (each event a full sync,
/// as before item 3; F of them). Prints figures; run by hand:
///   tests/bench/watch [--services S] [--endpoints E] [--changes C] [--full-changes F]
/// </summary>
internal static class WatchPartialBenchmark
{
    public static int Run(string[] args)
    {
        var services = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var endpoints = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var changes = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 20;
        var fullChanges = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 5;
        var module = args.Length > 4 ? args[4] : Path.GetFullPath("out/IpvsTools/IpvsTools.psd1");
        const string nsName = "ipvstools-bench-watch";
        Namespace(nsName);
        var dir = Directory.CreateTempSubdirectory("ipvstools-bench-watch-").FullName;
        try
        {
            var slices = new Dictionary<int, List<string>>();
            for (var i = 0; i < services; i++) slices[i] = Enumerable.Range(0, endpoints).Select(e => EndpointAddress(i, e)).ToList();
            using var api = new LoopbackApiServer();
            Pages(api, "/api/v1/services", "ServiceList", "v1", "400", Enumerable.Range(0, services).Select(ServiceJson).ToList());
            Pages(api, "/apis/discovery.k8s.io/v1/endpointslices", "EndpointSliceList", "discovery.k8s.io/v1", "401", Enumerable.Range(0, services).Select(i => SliceJson(i, slices[i], 1)).ToList());
            api.Answer("/api/v1/nodes/node-a", """{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-a"},"status":{"addresses":[{"type":"InternalIP","address":"172.18.0.3"}]}}""");
            var kubeconfig = api.WriteKubeconfig(dir);

            using var runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
            runspace.Open();
            Invoke(runspace, ps => ps.AddCommand("Import-Module").AddParameter("Name", module));
            // The no-op sync from the live API (the list read included), after a first sync that fills the node.
            var noop = new List<double>();
            for (var round = 0; round < 3; round++)
            {
                var watch = Stopwatch.StartNew();
                var written = Invoke(runspace, ps => ps.AddCommand("Sync-KubeIpvs").AddParameter("Kubeconfig", kubeconfig).AddParameter("Context", "loop")
                    .AddParameter("NodeName", "node-a").AddParameter("NetworkNamespace", nsName).AddParameter("Confirm", false));
                Console.WriteLine($"info sync from the live API, round {round}: {watch.Elapsed.TotalSeconds:F2} s, {written} writes");
                if (round > 0) noop.Add(watch.Elapsed.TotalMilliseconds);
            }
            var noopMs = noop.Min();
            Console.WriteLine($"result watch-noop-sync {noopMs:F0} ms (no-op Sync-KubeIpvs from the live API at {services} services x {endpoints}, list included, fastest of {noop.Count})");

            var version = 1000;
            var next = 0; // the next Service whose slice changes
            foreach (var (label, interval, count) in new[] { ("partial", 3600, changes), ("full", 0, fullChanges) })
            {
                if (count == 0) continue;
                var serviceWatch = api.AnswerWatch("/api/v1/services?allowWatchBookmarks=true&resourceVersion=400&watch=true");
                var sliceWatch = api.AnswerWatch("/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=401&watch=true");
                using var ps = PowerShell.Create(runspace);
                ps.AddCommand("Sync-KubeIpvs").AddParameter("Kubeconfig", kubeconfig).AddParameter("Context", "loop").AddParameter("NodeName", "node-a")
                    .AddParameter("NetworkNamespace", nsName).AddParameter("Watch").AddParameter("FullSyncInterval", interval).AddParameter("Verbose").AddParameter("Confirm", false);
                var output = new PSDataCollection<PSObject>();
                var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
                var verbose = ps.Streams.Verbose;
                int Done() => Enumerable.Range(0, verbose.Count).Count(i => verbose[i].Message.Contains(" sync done in ", StringComparison.Ordinal));
                void WaitFor(Func<bool> condition, string what)
                {
                    var deadline = DateTime.UtcNow.AddMinutes(10);
                    while (!condition())
                    {
                        if (running.IsCompleted || DateTime.UtcNow > deadline)
                            throw new TimeoutException($"No {what}: {ps.InvocationStateInfo.State} " + string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
                        Thread.Sleep(1);
                    }
                }
                var start = Stopwatch.StartNew();
                WaitFor(() => Done() >= 1, "first sync of the watch");
                Console.WriteLine($"info {label}: the watch's list and first full sync took {start.Elapsed.TotalSeconds:F2} s; " + Enumerable.Range(0, verbose.Count).Select(v => verbose[v].Message).Last(m => m.Contains(" sync done in ", StringComparison.Ordinal)));
                var latencies = new List<double>();
                var writes = new List<int>();
                var kinds = new List<string>();
                using var ipvs = IpvsClient.Open(NetworkNamespace.Resolve(nsName));
                for (var c = 0; c < count; c++)
                {
                    // Services spread over the table, each changed once.
                    var i = (int)((long)(next++) * 7919 % services);
                    var added = EndpointAddress(i, slices[i].Count);
                    slices[i].Add(added);
                    var key = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, ClusterIP(i), 80);
                    var target = IPAddress.Parse(added);
                    var outputMark = output.Count;
                    var verboseMark = verbose.Count;
                    var done = Done();
                    var watch = Stopwatch.StartNew();
                    sliceWatch.TryWrite(LoopbackApiServer.WatchEvent("MODIFIED", SliceJson(i, slices[i], version++)));
                    WaitFor(() => ipvs.GetDestinations(key).Any(d => d.Address.Equals(target)), $"endpoint {added} of service {i} in the kernel");
                    latencies.Add(watch.Elapsed.TotalMilliseconds);
                    WaitFor(() => Done() > done, "the end of the change's sync");
                    writes.Add(output.Count - outputMark);
                    var said = Enumerable.Range(verboseMark, verbose.Count - verboseMark).Select(v => verbose[v].Message).ToList();
                    kinds.Add(said.Any(m => m.Contains("partial sync of", StringComparison.Ordinal)) ? "partial" : "full");
                    Console.WriteLine($"info {label} change {c + 1}: service {i} +{added}: {latencies[^1]:F1} ms to the kernel, {writes[^1]} writes, " + said.LastOrDefault(m => m.Contains(" sync done in ", StringComparison.Ordinal)));
                    Thread.Sleep(200); // the next change comes after this one's sync ended, as one at a time
                }
                ps.Stop();
                serviceWatch.TryComplete();
                sliceWatch.TryComplete();
                var sorted = latencies.Order().ToList();
                var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
                Console.WriteLine($"result watch-{label} {count} changes at {services} services x {endpoints}: event to kernel median {median:F1} ms, worst {sorted[^1]:F1} ms; " +
                    $"writes per change {string.Join(",", writes.Distinct().Order())}; {kinds.Count(k => k == "partial")} partial, {kinds.Count(k => k == "full")} full; " +
                    $"median / no-op sync {median / noopMs:F3}");
                if (ps.Streams.Error.Count > 0) Console.WriteLine("errors: " + string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
            }
            return 0;
        }
        finally
        {
            Process.Start("ip", ["netns", "delete", nsName])!.WaitForExit();
            Directory.Delete(dir, true);
        }
    }

    private static int Invoke(Runspace runspace, Action<PowerShell> build)
    {
        using var ps = PowerShell.Create(runspace);
        build(ps);
        var result = ps.Invoke();
        if (ps.HadErrors) throw new InvalidOperationException(string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        return result.Count;
    }

    private static IPAddress ClusterIP(int i) => IPAddress.Parse($"10.96.{i / 250}.{i % 250 + 1}");

    private static string EndpointAddress(int service, int e) => $"10.{128 + e}.{service / 250}.{service % 250 + 1}";

    private static string ServiceJson(int i)
        => $$$"""{"metadata":{"name":"svc-{{{i}}}","namespace":"bench","resourceVersion":"{{{i + 1}}}"},"spec":{"clusterIP":"{{{ClusterIP(i)}}}","clusterIPs":["{{{ClusterIP(i)}}}"],"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":8080}]}}""";

    private static string SliceJson(int i, List<string> addresses, int version)
    {
        var text = new StringBuilder();
        text.Append($$$"""{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"svc-{{{i}}}-1","namespace":"bench","resourceVersion":"{{{version}}}","labels":{"kubernetes.io/service-name":"svc-{{{i}}}"}},"addressType":"IPv4","endpoints":[""");
        text.AppendJoin(",", addresses.Select(a => $$"""{"addresses":["{{a}}"],"conditions":{"ready":true},"nodeName":"node-b"}"""));
        text.Append("""],"ports":[{"name":"http","port":8080,"protocol":"TCP"}]}""");
        return text.ToString();
    }

    /// <summary>Answers a paged list (500 a page, as the live source asks) of <paramref name="items"/>.</summary>
    private static void Pages(LoopbackApiServer api, string path, string kind, string apiVersion, string resourceVersion, List<string> items)
    {
        for (var page = 0; page * 500 < items.Count || page == 0; page++)
        {
            var last = (page + 1) * 500 >= items.Count;
            var meta = last ? $$"""{"resourceVersion":"{{resourceVersion}}"}""" : $$"""{"resourceVersion":"{{resourceVersion}}","continue":"page-{{page + 1}}"}""";
            var query = page == 0 ? "?limit=500" : $"?continue=page-{page}&limit=500";
            api.Answer(path + query, $$"""{"kind":"{{kind}}","apiVersion":"{{apiVersion}}","metadata":{{meta}},"items":[{{string.Join(",", items.Skip(page * 500).Take(500))}}]}""");
        }
    }

    private static void Namespace(string name)
    {
        Process.Start("ip", ["netns", "delete", name])!.WaitForExit();
        foreach (var command in new[] { $"netns add {name}", $"-n {name} link set lo up", $"-n {name} link add eth0 type dummy", $"-n {name} addr add 172.18.0.3/16 dev eth0", $"-n {name} link set eth0 up" })
        {
            using var p = Process.Start("ip", command.Split(' '))!;
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException("ip " + command + " failed");
        }
    }
}
