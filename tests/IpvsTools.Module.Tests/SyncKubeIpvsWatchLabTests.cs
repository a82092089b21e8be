using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Sync-KubeIpvs -Watch against the loopback API server and the lab kernel, event by event: an added and a
/// removed endpoint and an affinity change are partial syncs writing exactly their real servers or virtual
/// servers; a changed Service port, a deleted and an added Service are full syncs (their set members change);
/// and the node the watch leaves equals what a fresh full sync of the same final cluster makes, cross-checked
/// with ipvsadm -Sn, ipset save, iptables-save and kube-ipvs0's addresses.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class SyncKubeIpvsWatchLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly string _dir = Directory.CreateTempSubdirectory("ipvstools-watch-").FullName;

    public SyncKubeIpvsWatchLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    private static string Service(string ns, string name, string ip, int port, string extra = "", string affinity = "None", string version = "1")
        => $$$"""{"kind":"Service","apiVersion":"v1","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","resourceVersion":"{{{version}}}"},"spec":{"clusterIP":"{{{ip}}}","clusterIPs":["{{{ip}}}"],"sessionAffinity":"{{{affinity}}}","ports":[{"name":"p","port":{{{port}}},"protocol":"{{{(name == "dns" ? "UDP" : "TCP")}}}"{{{extra}}}}]{{{(extra.Length > 0 ? ",\"type\":\"NodePort\"" : "")}}}}}""";

    private static string Web(string affinity = "None", string version = "1") => Service("shop", "web", "10.96.0.20", 80, ",\"nodePort\":30080", affinity, version);

    private static string Slice(string ns, string name, string service, int port, string version, params string[] addresses)
        => $$$"""{"kind":"EndpointSlice","apiVersion":"discovery.k8s.io/v1","metadata":{"name":"{{{name}}}","namespace":"{{{ns}}}","resourceVersion":"{{{version}}}","labels":{"kubernetes.io/service-name":"{{{service}}}"}},"addressType":"IPv4","endpoints":[{{{string.Join(",", addresses.Select(a => $$"""{"addresses":["{{a}}"],"conditions":{"ready":true},"nodeName":"node-b"}"""))}}}],"ports":[{"name":"p","port":{{{port}}},"protocol":"{{{(service == "dns" ? "UDP" : "TCP")}}}"}]}""";

    private const string NodeA = """{"kind":"Node","apiVersion":"v1","metadata":{"name":"node-a"},"status":{"addresses":[{"type":"InternalIP","address":"172.18.0.3"}]}}""";

    [Fact]
    public void EndpointChangesArePartialSyncsWithOnlyTheirWritesAndTheNodeEndsAsAFullSyncMakesIt()
    {
        using var ns = GetKubeIpvsPlanLabTests.Node();
        using var api = new IpvsTools.Tests.LoopbackApiServer();
        // The cluster as the test changes it, to write the final snapshot from.
        var services = new Dictionary<string, string>
        {
            ["shop/web"] = Web(),
            ["shop/api"] = Service("shop", "api", "10.96.0.21", 443),
            ["kube-system/dns"] = Service("kube-system", "dns", "10.96.0.10", 53),
        };
        var slices = new Dictionary<string, string>
        {
            ["shop/web-1"] = Slice("shop", "web-1", "web", 8080, "10", "10.244.1.5", "10.244.1.6"),
            ["shop/api-1"] = Slice("shop", "api-1", "api", 8443, "11", "10.244.2.5"),
            ["kube-system/dns-1"] = Slice("kube-system", "dns-1", "dns", 53, "12", "10.244.3.5"),
        };
        api.Answer("/api/v1/services?limit=500", $$$"""{"kind":"ServiceList","apiVersion":"v1","metadata":{"resourceVersion":"400"},"items":[{{{string.Join(",", services.Values)}}}]}""");
        api.Answer("/apis/discovery.k8s.io/v1/endpointslices?limit=500", $$$"""{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","metadata":{"resourceVersion":"401"},"items":[{{{string.Join(",", slices.Values)}}}]}""");
        api.Answer("/api/v1/nodes/node-a", NodeA);
        var serviceEvents = api.AnswerWatch("/api/v1/services?allowWatchBookmarks=true&resourceVersion=400&watch=true");
        var sliceEvents = api.AnswerWatch("/apis/discovery.k8s.io/v1/endpointslices?allowWatchBookmarks=true&resourceVersion=401&watch=true");

        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        runspace.Open();
        using var ps = PowerShell.Create(runspace);
        ps.AddCommand("Import-Module").AddParameter("Name", _session.ModuleManifest).Invoke();
        ps.Commands.Clear();
        ps.AddCommand("Sync-KubeIpvs").AddParameter("Kubeconfig", api.WriteKubeconfig(_dir)).AddParameter("Context", "loop").AddParameter("NodeName", "node-a")
            .AddParameter("NetworkNamespace", ns.Name).AddParameter("Watch").AddParameter("FullSyncInterval", 3600).AddParameter("Verbose").AddParameter("Confirm", false);
        var output = new PSDataCollection<PSObject>();
        var running = ps.BeginInvoke<PSObject, PSObject>(null, output);
        var verbose = ps.Streams.Verbose;
        int Done() => Enumerable.Range(0, verbose.Count).Count(i => verbose[i].Message.Contains(" sync done in ", StringComparison.Ordinal));
        void WaitFor(Func<bool> condition, string what)
        {
            var deadline = DateTime.UtcNow.AddSeconds(180);
            while (!condition())
            {
                if (running.IsCompleted || DateTime.UtcNow > deadline)
                    throw new TimeoutException($"No {what} (pipeline {ps.InvocationStateInfo.State} {ps.InvocationStateInfo.Reason?.Message}): "
                        + string.Join("; ", ps.Streams.Error.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message))
                        + "\nverbose: " + string.Join("\n", Enumerable.Range(0, verbose.Count).Select(i => verbose[i].Message)));
                Thread.Sleep(200);
            }
        }
        string Ipvs() => ns.Exec("ipvsadm", "-Sn");
        // One event: sends it, waits for the sync of it to be done and for the kernel to show it; returns its writes and what -Verbose said.
        (string[] Writes, string[] Said) Event(Action send, Func<string, bool> kernelShows, string what)
        {
            var outputMark = output.Count;
            var verboseMark = verbose.Count;
            var done = Done();
            send();
            WaitFor(() => Done() > done && kernelShows(Ipvs()), what);
            return (Enumerable.Range(outputMark, output.Count - outputMark).Select(i => output[i].ToString()).ToArray(),
                Enumerable.Range(verboseMark, verbose.Count - verboseMark).Select(i => verbose[i].Message).ToArray());
        }
        void ChangeSlice(string key, string json, string type = "MODIFIED")
        {
            if (type == "DELETED") slices.Remove(key);
            else slices[key] = json;
            sliceEvents.TryWrite(IpvsTools.Tests.LoopbackApiServer.WatchEvent(type, json));
        }
        void ChangeService(string key, string json, string type = "MODIFIED")
        {
            if (type == "DELETED") services.Remove(key);
            else services[key] = json;
            serviceEvents.TryWrite(IpvsTools.Tests.LoopbackApiServer.WatchEvent(type, json));
        }

        try
        {
            WaitFor(() => Done() >= 1 && Ipvs().Contains("-a -t 172.18.0.3:30080 -r 10.244.1.6:8080 -m -w 1"), "first sync");
            Assert.Contains(Enumerable.Range(0, verbose.Count).Select(i => verbose[i].Message), m => m.Contains("full sync: no full sync yet", StringComparison.Ordinal));

            // An endpoint added: one destination add per virtual server of web (ClusterIP, NodePort), nothing else read or written.
            var added = Event(() => ChangeSlice("shop/web-1", Slice("shop", "web-1", "web", 8080, "20", "10.244.1.5", "10.244.1.6", "10.244.1.7")),
                t => t.Contains("-a -t 10.96.0.20:80 -r 10.244.1.7:8080 -m -w 1"), "partial sync of an added endpoint");
            Assert.Equal(["add destination TCP 10.96.0.20:80 -> 10.244.1.7:8080 masq weight 1", "add destination TCP 172.18.0.3:30080 -> 10.244.1.7:8080 masq weight 1"],
                added.Writes.Order(StringComparer.Ordinal));
            Assert.Contains(added.Said, m => m.Contains("partial sync of 1 Service(s) (EndpointSlice shop/web-1), 2 virtual server(s) read by key: 2 write(s)", StringComparison.Ordinal));
            Assert.DoesNotContain(added.Said, m => m.Contains("full sync", StringComparison.Ordinal));

            // An endpoint removed (no connections): removed at once from both.
            var removed = Event(() => ChangeSlice("shop/web-1", Slice("shop", "web-1", "web", 8080, "21", "10.244.1.6", "10.244.1.7")),
                t => !t.Contains("-r 10.244.1.5:8080"), "partial sync of a removed endpoint");
            Assert.Equal(["remove destination TCP 10.96.0.20:80 -> 10.244.1.5:8080", "remove destination TCP 172.18.0.3:30080 -> 10.244.1.5:8080"], removed.Writes.Order(StringComparer.Ordinal));
            Assert.Contains(removed.Said, m => m.Contains("partial sync of 1 Service(s)", StringComparison.Ordinal));

            // Session affinity: the two virtual servers become persistent, their real servers stay.
            var sticky = Event(() => ChangeService("shop/web", Web("ClientIP", "22")), t => t.Contains("-A -t 10.96.0.20:80 -s rr -p 10800"), "partial sync of an affinity change");
            Assert.Equal(2, sticky.Writes.Length);
            Assert.All(sticky.Writes, w => Assert.Matches(@"^update virtual server TCP (10\.96\.0\.20:80|172\.18\.0\.3:30080) rr persistent 10800", w));
            Assert.Contains(sticky.Said, m => m.Contains("partial sync of 1 Service(s) (Service shop/web)", StringComparison.Ordinal));

            // A changed Service port changes KUBE-CLUSTER-IP's members: a full sync.
            var moved = Event(() => ChangeService("shop/api", Service("shop", "api", "10.96.0.21", 8443, version: "23")),
                t => t.Contains("-A -t 10.96.0.21:8443") && !t.Contains("-A -t 10.96.0.21:443"), "full sync of a port change");
            Assert.Contains(moved.Said, m => m.Contains("full sync: set membership changes: KUBE-CLUSTER-IP +1 -1", StringComparison.Ordinal));
            Assert.Contains("add 10.96.0.21,tcp:8443 to ipset KUBE-CLUSTER-IP", moved.Writes);

            // A deleted Service: a full sync; then its orphaned slice's deletion touches no virtual server: partial, nothing written.
            var deleted = Event(() => ChangeService("shop/api", Service("shop", "api", "10.96.0.21", 8443, version: "24"), "DELETED"), t => !t.Contains("10.96.0.21"), "full sync of a deleted Service");
            Assert.Contains(deleted.Said, m => m.Contains("full sync: set membership changes", StringComparison.Ordinal));
            var orphan = Event(() => ChangeSlice("shop/api-1", Slice("shop", "api-1", "api", 8443, "25", "10.244.2.5"), "DELETED"), _ => true, "partial sync of an orphaned slice's deletion");
            Assert.Empty(orphan.Writes);
            Assert.Contains(orphan.Said, m => m.Contains("partial sync of 1 Service(s) (EndpointSlice shop/api-1), 0 virtual server(s) read by key: 0 write(s).", StringComparison.Ordinal));

            // A Service added, then its slice: the Service is a full sync; its endpoints then come partially (or in the same sync when folded together).
            Event(() =>
            {
                ChangeService("shop/new", Service("shop", "new", "10.96.0.22", 80, version: "26"), "ADDED");
                ChangeSlice("shop/new-1", Slice("shop", "new-1", "new", 9090, "27", "10.244.4.5"), "ADDED");
            }, t => t.Contains("-a -t 10.96.0.22:80 -r 10.244.4.5:9090 -m -w 1"), "sync of an added Service");
            var grown = Event(() => ChangeSlice("shop/new-1", Slice("shop", "new-1", "new", 9090, "28", "10.244.4.5", "10.244.4.6")),
                t => t.Contains("-a -t 10.96.0.22:80 -r 10.244.4.6:9090 -m -w 1"), "partial sync after a full one");
            Assert.Equal(["add destination TCP 10.96.0.22:80 -> 10.244.4.6:9090 masq weight 1"], grown.Writes);
        }
        finally
        {
            ps.Stop();
        }
        Assert.True(running.IsCompleted);
        Assert.Empty(ps.Streams.Error);

        // A fresh full sync of the final cluster in another namespace: the same node, by the reference tools.
        var paths = new[]
        {
            Write("services.json", $$$"""{"kind":"ServiceList","apiVersion":"v1","items":[{{{string.Join(",", services.Values)}}}]}"""),
            Write("slices.json", $$$"""{"kind":"EndpointSliceList","apiVersion":"discovery.k8s.io/v1","items":[{{{string.Join(",", slices.Values)}}}]}"""),
            Write("node.json", NodeA),
        };
        using var reference = GetKubeIpvsPlanLabTests.Node();
        _session.Ok("Sync-KubeIpvs -Path $paths -NodeName node-a -NetworkNamespace $ns -Confirm:$false", new Hashtable { ["paths"] = paths, ["ns"] = reference.Name });
        Assert.Equal(SyncKubeIpvsLabTests.Dump(reference), SyncKubeIpvsLabTests.Dump(ns));
        Assert.Contains("-A -t 10.96.0.20:80 -s rr -p 10800", ns.Exec("ipvsadm", "-Sn"));
        Assert.Empty(_session.Ok("Compare-KubeIpvs -Path $paths -NodeName node-a -NetworkNamespace $ns", new Hashtable { ["paths"] = paths, ["ns"] = ns.Name }));
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
