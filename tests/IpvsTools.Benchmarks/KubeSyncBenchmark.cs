using System.Diagnostics;
using System.Net;
using System.Text;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools;
using IpvsTools.Kube;
using IpvsTools.Netlink;
using IpvsTools.KubeProxy;
using IpvsTools.Namespaces;
using IpvsTools.Sync;

/// <summary>
/// kube-sync (lab only: needs IPVS): a cold sync of N ClusterIP Services with E endpoints each into a
/// fresh network namespace with the engine (plan + KubeIpvsApplier: batched set members, pipelined IPVS
/// writes), against the reference tools loading the same IPVS table and sets into another fresh
/// namespace (`ipvsadm -R` plus `ipset restore`); then the steady state (a second sync: read, plan, no write).
/// The engine also writes kube-ipvs0 and its addresses and the iptables rules, which the tools' side does
/// not: the comparison favours the tools. Prints figures; run by hand:
///   tests/lab/lab.sh run -- dotnet tests/IpvsTools.Benchmarks/bin/Release/net10.0/IpvsTools.Benchmarks.dll kube-sync 10000 10
/// </summary>
internal static class KubeSyncBenchmark
{
    public static int Run(string[] args)
    {
        var services = args.Length > 1 ? int.Parse(args[1]) : 10_000;
        var endpoints = args.Length > 2 ? int.Parse(args[2]) : 10;
        var snapshot = SnapshotReader.ReadText(Snapshot(services, endpoints), "bench.yaml");
        var options = new KubeProxyOptions { NodeName = "node-0", NodeAddresses = [IPAddress.Parse("172.18.0.3")] };
        var desired = KubeProxyState.Build(snapshot, options);

        var engineNs = Namespace("ipvstools-bench-engine");
        var toolsNs = Namespace("ipvstools-bench-tools");
        try
        {
            var ns = NetworkNamespace.Resolve(engineNs)!;
            var watch = Stopwatch.StartNew();
            var planning = KubeIpvsPlanning.Run(snapshot, options, ns);
            var plan = watch.Elapsed;
            var writes = 0;
            using (var applier = new KubeIpvsApplier(ns)) applier.Apply(planning.Plan.Operations, _ => writes++);
            var cold = watch.Elapsed;

            watch.Restart();
            var steady = KubeIpvsPlanning.Run(snapshot, options, ns);
            var steadyTime = watch.Elapsed;

            var ipvsadm = new StringBuilder();
            foreach (var v in desired.VirtualServers)
            {
                ipvsadm.Append($"-A -t {v.Key.Address}:{v.Key.Port} -s {v.Scheduler}\n");
                foreach (var d in v.Destinations) ipvsadm.Append($"-a -t {v.Key.Address}:{v.Key.Port} -r {d.Address}:{d.Port} -m -w 1\n");
            }
            var sets = string.Concat(desired.Ipsets.Select(s => s.RestoreText()));
            watch.Restart();
            Feed(toolsNs, sets, "ipset", "restore");
            var ipsetTime = watch.Elapsed;
            Feed(toolsNs, ipvsadm.ToString(), "ipvsadm", "-R");
            var toolsTime = watch.Elapsed;

            var same = Feed(engineNs, "", "ipvsadm", "-Sn") == Feed(toolsNs, "", "ipvsadm", "-Sn");
            Console.WriteLine($"cluster: {services} ClusterIP services x {endpoints} endpoints ({desired.VirtualServers.Count} virtual servers, {desired.Ipsets.Sum(s => s.Members.Count)} set members)");
            Console.WriteLine($"engine cold sync:       {cold.TotalSeconds,7:F2} s  (read+plan {plan.TotalSeconds:F2} s, {writes} writes incl. kube-ipvs0 addresses and iptables)");
            Console.WriteLine($"ipset restore + ipvsadm -R: {toolsTime.TotalSeconds,7:F2} s  (ipset restore {ipsetTime.TotalSeconds:F2} s)");
            Console.WriteLine($"ratio engine / tools:   {cold.TotalSeconds / toolsTime.TotalSeconds,7:F2}");
            Console.WriteLine($"second sync (steady):   {steadyTime.TotalSeconds,7:F2} s  ({steady.Plan.Operations.Count} writes)");
            Console.WriteLine($"same IPVS table (ipvsadm -Sn): {same}");
            return same && steady.Plan.IsEmpty ? 0 : 1;
        }
        finally
        {
            Process.Start("ip", ["netns", "delete", engineNs])!.WaitForExit();
            Process.Start("ip", ["netns", "delete", toolsNs])!.WaitForExit();
        }
    }

    private static string Namespace(string name)
    {
        Process.Start("ip", ["netns", "delete", name])!.WaitForExit();
        Process.Start("ip", ["netns", "add", name])!.WaitForExit();
        Feed(name, "", "ip", "link", "set", "lo", "up");
        Feed(name, "", "ip", "link", "add", "eth0", "type", "dummy");
        Feed(name, "", "ip", "addr", "add", "172.18.0.3/16", "dev", "eth0");
        Feed(name, "", "ip", "link", "set", "eth0", "up");
        return name;
    }

    private static string Feed(string ns, string input, params string[] command)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(command)) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var error = p.StandardError.ReadToEndAsync();
        p.StandardInput.Write(input);
        p.StandardInput.Close();
        p.WaitForExit();
        if (p.ExitCode != 0 || error.Result.Length > 0) throw new InvalidOperationException($"{string.Join(' ', command)}: exit {p.ExitCode}: {error.Result}");
        return output.Result;
    }

    /// <summary>N ClusterIP Services at 10.96.x.y:80 with E endpoints each (10.128.0.0/9), one slice each, as kubectl prints them.</summary>
    private static string Snapshot(int services, int endpoints)
    {
        var text = new StringBuilder("apiVersion: v1\nkind: List\nitems:\n");
        for (var i = 0; i < services; i++)
        {
            var ip = $"10.96.{i / 250}.{i % 250 + 1}";
            text.Append($"- apiVersion: v1\n  kind: Service\n  metadata: {{name: svc-{i}, namespace: bench}}\n  spec: {{clusterIP: {ip}, clusterIPs: [{ip}], ports: [{{name: http, port: 80, protocol: TCP, targetPort: 8080}}]}}\n");
            text.Append($"- apiVersion: discovery.k8s.io/v1\n  kind: EndpointSlice\n  addressType: IPv4\n  metadata: {{name: svc-{i}-a, namespace: bench, labels: {{kubernetes.io/service-name: svc-{i}}}}}\n  ports: [{{name: http, port: 8080, protocol: TCP}}]\n  endpoints:\n");
            for (var e = 0; e < endpoints; e++)
            {
                var n = i * endpoints + e;
                text.Append($"  - {{addresses: [10.{128 + n / 65536 % 128}.{n / 256 % 256}.{n % 256}], conditions: {{ready: true}}, nodeName: node-{n % 50 + 1}}}\n");
            }
        }
        return text.ToString();
    }
}
