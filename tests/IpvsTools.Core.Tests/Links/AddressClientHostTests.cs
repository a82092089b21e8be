using System.Net;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Links;

[Trait("Tier", "Host")]
public class AddressClientHostTests
{
    [Fact]
    public void ListsWhatIpAddrShowsAndAddsAndRemoves()
    {
        using var ns = new TestNamespace();
        using var client = AddressClient.Open(NetworkNamespace.Resolve(ns.Name));
        client.Add(1, IPAddress.Parse("10.96.0.10"), 32);
        client.Add(1, IPAddress.Parse("fd00:10:96::a"), 128);
        var ours = client.List().Select(a => a.ToString()).Order().ToList();
        var tool = ns.Exec("ip", "-o", "addr", "show").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3]).Order().ToList();
        Assert.Equal(tool, ours);
        Assert.Contains("10.96.0.10/32", ours);
        client.Remove(1, IPAddress.Parse("10.96.0.10"), 32);
        Assert.DoesNotContain("10.96.0.10", ns.Exec("ip", "-o", "addr", "show"));
        Assert.Equal(FailureKind.AlreadyExists, Assert.Throws<NetlinkException>(() => client.Add(1, IPAddress.Parse("fd00:10:96::a"), 128)).Kind);
    }

    /// <summary>
    /// rtnetlink flags a dump NLM_F_DUMP_INTR when addresses change while it runs. A listing that
    /// races a writer must then restart and still return a table with no duplicates that holds every
    /// address that existed throughout.
    /// </summary>
    [Fact]
    public async Task InterruptedDumpsRestartAndStayConsistent()
    {
        using var ns = new TestNamespace();
        var path = Path.GetTempFileName();
        File.WriteAllLines(path, Enumerable.Range(0, 3000).Select(i => $"address add 127.{1 + i / 250}.{i % 250}.1/32 dev lo"));
        try { ns.Exec("ip", "-batch", path); } finally { File.Delete(path); }
        var space = NetworkNamespace.Resolve(ns.Name);
        using var reader = AddressClient.Open(space);
        using var writer = AddressClient.Open(space);
        using var stop = new CancellationTokenSource();
        var churn = Task.Run(() =>
        {
            var flip = IPAddress.Parse("127.250.0.1");
            while (!stop.IsCancellationRequested)
            {
                writer.Add(1, flip, 32);
                writer.Remove(1, flip, 32);
                // A pause, so that a listing can also finish between changes (restarts are bounded).
                Thread.Sleep(20);
            }
        });
        var restarts = 0;
        var listings = 0;
        try
        {
            for (; listings < 200 && restarts == 0; listings++)
            {
                var addresses = reader.List();
                restarts += reader.LastListRestarts;
                var keys = addresses.Select(a => a.ToString()).ToList();
                Assert.Equal(keys.Count, keys.Distinct().Count());
                Assert.True(keys.Count >= 3000, $"a listing returned only {keys.Count} of the 3000 stable addresses");
            }
        }
        finally
        {
            stop.Cancel();
            await churn;
        }
        Assert.True(restarts > 0, $"no dump was flagged interrupted in {listings} listings racing a writer");
        TestContext.Current.SendDiagnosticMessage($"{restarts} restart(s) in {listings} listing(s)");
    }
}
