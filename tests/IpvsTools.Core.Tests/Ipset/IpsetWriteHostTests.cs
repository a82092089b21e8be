using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipset;

/// <summary>
/// The ipset write operations against the host kernel, each test in its own namespace, every result
/// cross-checked with the ipset tool: sets the client makes read back in `ipset list`/`ipset save` as the
/// same sets the tool makes, and the tool's refusals are the client's refusals.
/// </summary>
[Trait("Tier", "Host")]
public class IpsetWriteHostTests
{
    /// <summary>Every kube-proxy set type, inet and inet6, with elements of every form the type takes.</summary>
    public static TheoryData<string, string?, string[]> KubeProxyTypes => new()
    {
        { "hash:ip,port", "inet", ["10.96.0.1,tcp:443", "10.96.0.10,udp:53", "10.96.0.10,tcp:53", "10.96.50.3,sctp:3868", "10.0.0.1,icmp:8/0", "10.0.0.2,gre:0", "10.0.1.0/30,tcp:80-81"] },
        { "hash:ip,port", "inet6", ["fd00:10:96::1,tcp:443", "fd00:10:96::a,udp:53", "fd00::3,ipv6-icmp:1/0", "fd00::4,tcp:8080-8081"] },
        { "hash:ip,port,ip", "inet", ["10.244.0.5,tcp:53,10.244.0.5", "10.244.0.5,udp:53,10.244.0.5", "10.244.1.0/31,sctp:1,10.244.9.9"] },
        { "hash:ip,port,ip", "inet6", ["fd00:10:244::5,tcp:53,fd00:10:244::5"] },
        { "hash:ip,port,net", "inet", ["203.0.113.10,tcp:80,192.168.0.0/16", "203.0.113.10,tcp:80,10.1.2.3", "203.0.113.11,udp:53,10.9.0.1-10.9.0.6"] },
        { "hash:ip,port,net", "inet6", ["2001:db8::10,tcp:443,2001:db8:1::/48", "2001:db8::10,tcp:443,2001:db8:2::1"] },
        { "hash:ip", "inet", ["10.96.0.1", "10.96.0.10", "10.97.0.0/30", "10.98.0.1-10.98.0.3"] },
        { "hash:ip", "inet6", ["fd00:10:96::1", "fd00:10:96::a"] },
        { "hash:net", "inet", ["10.1.0.0/16", "10.2.2.2", "10.3.0.1-10.3.0.6"] },
        { "bitmap:port", null, ["30080", "31999", "tcp:30000", "32000-32003"] },
    };

    [Theory]
    [MemberData(nameof(KubeProxyTypes))]
    public void SetsMadeByTheClientAreTheSetsTheToolMakes(string type, string? family, string[] elements)
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var options = new IpsetCreateOptions(type, family) { RangeFrom = type == "bitmap:port" ? (ushort)0 : null, RangeTo = type == "bitmap:port" ? (ushort)65535 : null };
        var revision = client.Create("MOD", options);
        ns.Exec(["ipset", "create", "TOOL", .. options.ToString().Split(' ')]);

        var info = IpsetTypeInfo.Get(type);
        var entries = elements.Select(e => new IpsetEntry(IpsetElementParser.Parse(e, info, options.EffectiveFamily))).ToList();
        var result = client.Add("MOD", entries);
        Assert.True(result.Succeeded, string.Join("; ", result.Failures.Select(f => $"{f.Entry}: {f.Error?.Message}")));
        Assert.Equal(1, result.Requests);
        foreach (var element in elements) ns.Exec("ipset", "add", "TOOL", element);

        var listing = ns.Exec("ipset", "list", "MOD");
        // The revision the client negotiated is the one the tool picks on this kernel.
        Assert.Equal(Line(ns.Exec("ipset", "list", "TOOL"), "Revision:"), Line(listing, "Revision:"));
        Assert.Equal($"Revision: {revision}", Line(listing, "Revision:"));
        Assert.Equal(Line(ns.Exec("ipset", "list", "TOOL"), "Type:"), Line(listing, "Type:"));
        Assert.Equal(WithoutInitVal(Line(ns.Exec("ipset", "list", "TOOL"), "Header:")), WithoutInitVal(Line(listing, "Header:")));
        Assert.Equal(Members(ns.Exec("ipset", "save", "TOOL")).Order(), Members(ns.Exec("ipset", "save", "MOD")).Order());

        // The kernel's members read back through the client as the tool prints them.
        var set = Assert.Single(client.List("MOD"));
        Assert.Equal(listing, IpsetListText.Format([set]));
    }

    [Fact]
    public void ThousandsOfMembersGoInFewRequests()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        client.Create("BIG", new IpsetCreateOptions("hash:ip,port") { HashSize = 4096 });
        var entries = ClusterIps(5000);
        var result = client.Add("BIG", entries);
        Assert.True(result.Succeeded);
        Assert.Equal(5000, result.AppliedCount);
        // 40 bytes per member, at most 60 KiB per request: 1536 per request, 4 requests.
        Assert.Equal(4, result.Requests);
        Assert.Equal(entries.Select(e => e.Element.Text).Order(), Members(ns.Exec("ipset", "save", "BIG")).Order());
    }

    [Fact]
    public void ABatchReportsExactlyWhichMembersFailedAndAppliesAllOthers()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        client.Create("S", new IpsetCreateOptions("hash:ip,port"));
        var entries = ClusterIps(3000);
        // Three members already there, one of them in each of the two requests the batch takes, one at its very end.
        int[] present = [10, 1700, 2999];
        foreach (var i in present) ns.Exec("ipset", "add", "S", entries[i].Element.Text);

        var result = client.Add("S", entries);
        Assert.False(result.Succeeded);
        Assert.Equal(present, result.Failures.Select(f => f.Index));
        Assert.All(result.Failures, f =>
        {
            Assert.Equal(IpsetOutcome.Failed, f.Outcome);
            Assert.Equal(FailureKind.AlreadyExists, f.Error!.Kind);
            Assert.Contains($"Adding {f.Entry} to ipset 'S'", f.Error.Message);
            Assert.Contains("already in the set", f.Error.Message);
            Assert.Equal((uint)(f.Index + 1), f.Line);
        });
        Assert.Equal(2997, result.AppliedCount);
        Assert.Equal(entries.Select(e => e.Element.Text).Order(), Members(ns.Exec("ipset", "save", "S")).Order());

        // -exist: the kernel passes over what is there, and nothing fails.
        Assert.True(client.Add("S", entries, exist: true).Succeeded);

        // Deleting with some already gone: exactly those fail, the rest are deleted.
        int[] gone = [0, 1536, 2000];
        foreach (var i in gone) ns.Exec("ipset", "del", "S", entries[i].Element.Text);
        var deleted = client.Delete("S", entries);
        Assert.Equal(gone, deleted.Failures.Select(f => f.Index));
        Assert.All(deleted.Failures, f => Assert.Equal(FailureKind.NotFound, f.Error!.Kind));
        Assert.Empty(Members(ns.Exec("ipset", "save", "S")));
    }

    [Fact]
    public void CallerLineNumbersComeBackInTheFailures()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        client.Create("S", new IpsetCreateOptions("hash:ip"));
        ns.Exec("ipset", "add", "S", "10.0.0.2");
        var info = IpsetTypeInfo.Get("hash:ip");
        var entries = new[] { "10.0.0.1", "10.0.0.2", "10.0.0.3" }.Select(e => new IpsetEntry(IpsetElementParser.Parse(e, info, "inet"))).ToList();
        var result = client.Add("S", entries, lines: [12, 13, 17]);
        var failure = Assert.Single(result.Failures);
        Assert.Equal(13u, failure.Line);
        Assert.Equal("10.0.0.2", failure.Entry.ToString());
    }

    [Fact]
    public void AMissingSetStopsTheBatchBeforeAnyMember()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var result = client.Add("NOPE", ClusterIps(3));
        Assert.Equal(FailureKind.NotFound, result.StoppedBy!.Kind);
        Assert.Contains("no set named 'NOPE'", result.StoppedBy.Message);
        Assert.All(result.Outcomes, o => Assert.Equal(IpsetOutcome.NotAttempted, o.Outcome));
    }

    [Fact]
    public void TestAgreesWithTheTool()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        client.Create("S", new IpsetCreateOptions("hash:ip,port,net"));
        var info = IpsetTypeInfo.Get("hash:ip,port,net");
        client.Add("S", [new IpsetEntry(IpsetElementParser.Parse("203.0.113.10,tcp:80,192.168.0.0/16", info, "inet"))]);
        string[] probes = ["203.0.113.10,tcp:80,192.168.0.0/16", "203.0.113.10,tcp:80,192.168.5.5", "203.0.113.10,udp:80,192.168.0.0/16", "203.0.113.11,tcp:80,192.168.0.1"];
        var answers = client.Test("S", probes.Select(p => IpsetElementParser.Parse(p, info, "inet")).ToList());
        var tool = probes.Select(p => ns.TryExec("ipset", "test", "S", p).ExitCode == 0).ToList();
        Assert.Equal(tool, answers);
        Assert.Equal([true, true, false, false], answers);
        Assert.Equal(FailureKind.NotFound, Assert.ThrowsAny<IpvsToolsException>(() => client.Test("NOPE", [IpsetElementParser.Parse(probes[0], info, "inet")])).Kind);
    }

    [Fact]
    public void DestroyFlushRenameAndSwapAsTheToolSeesThem()
    {
        using var ns = new TestNamespace();
        IpsetClientHostTests.Restore(ns, "create A hash:ip\nadd A 10.0.0.1\ncreate B hash:ip\nadd B 10.0.0.2\ncreate C hash:ip,port\ncreate D hash:ip\n");
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));

        client.Swap("A", "B");
        Assert.Equal(["10.0.0.2"], Members(ns.Exec("ipset", "save", "A")));
        Assert.Equal(["10.0.0.1"], Members(ns.Exec("ipset", "save", "B")));
        Assert.Equal(FailureKind.InvalidArgument, Assert.ThrowsAny<IpvsToolsException>(() => client.Swap("A", "C")).Kind);
        Assert.Equal(FailureKind.NotFound, Assert.ThrowsAny<IpvsToolsException>(() => client.Swap("A", "NOPE")).Kind);

        client.Rename("A", "A2");
        Assert.Equal("A2\nB\nC\nD\n", ns.Exec("ipset", "list", "-n"));
        var taken = Assert.ThrowsAny<IpvsToolsException>(() => client.Rename("A2", "B"));
        Assert.Equal(FailureKind.AlreadyExists, taken.Kind);
        Assert.Contains("'B' already exists", taken.Message);

        client.Flush("B");
        Assert.Empty(Members(ns.Exec("ipset", "save", "B")));
        client.Flush(null);
        Assert.Empty(Members(ns.Exec("ipset", "save")));

        client.Destroy("D");
        Assert.Equal(FailureKind.NotFound, Assert.ThrowsAny<IpvsToolsException>(() => client.Destroy("D")).Kind);
        client.Destroy("D", exist: true);
        Assert.Equal("A2\nB\nC\n", ns.Exec("ipset", "list", "-n"));
        Assert.Equal(FailureKind.AlreadyExists, Assert.ThrowsAny<IpvsToolsException>(() => client.Create("C", new IpsetCreateOptions("hash:ip,port"))).Kind);
        // -exist: the same set again is fine; another type under that name is not.
        client.Create("C", new IpsetCreateOptions("hash:ip,port"), exist: true);
        Assert.Equal(FailureKind.AlreadyExists, Assert.ThrowsAny<IpvsToolsException>(() => client.Create("C", new IpsetCreateOptions("hash:ip"), exist: true)).Kind);
    }

    [Fact]
    public void AReferencedSetCannotBeDestroyedOrRenamed()
    {
        using var ns = new TestNamespace();
        IpsetClientHostTests.Restore(ns, "create KUBE-CLUSTER-IP hash:ip,port\n");
        ns.Exec("iptables", "-w", "-A", "INPUT", "-m", "set", "--match-set", "KUBE-CLUSTER-IP", "dst,dst", "-j", "ACCEPT");
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var destroy = Assert.ThrowsAny<IpvsToolsException>(() => client.Destroy("KUBE-CLUSTER-IP"));
        Assert.Equal(FailureKind.Busy, destroy.Kind);
        Assert.Contains("iptables rules or other sets refer to it", destroy.Message);
        Assert.Equal(FailureKind.Busy, Assert.ThrowsAny<IpvsToolsException>(() => client.Rename("KUBE-CLUSTER-IP", "X")).Kind);
        Assert.Contains("Name: KUBE-CLUSTER-IP", ns.Exec("ipset", "list", "-t"));
    }

    [Fact]
    public void CreateOptionsReadBackFromTheKernel()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var options = new IpsetCreateOptions("hash:ip", "inet6")
        {
            HashSize = 100, MaxElements = 1000, Netmask = 64, Timeout = 600, Counters = true, Comment = true, SkbInfo = true, ForceAdd = true,
            BucketSize = 3, InitVal = 0x12345678,
        };
        client.Create("X", options);
        ns.Exec(["ipset", "create", "TOOL", .. options.ToString().Split(' ')]);
        var header = Line(ns.Exec("ipset", "list", "X"), "Header:");
        Assert.Equal(Line(ns.Exec("ipset", "list", "TOOL"), "Header:"), header);
        // The kernel rounds hashsize up to a power of two and bucketsize up to an even number, and keeps the initval given.
        Assert.Contains("hashsize 128 maxelem 1000 netmask 64 timeout 600 counters comment skbinfo", header);
        Assert.EndsWith("bucketsize 4 initval 0x12345678", header);
        var set = Assert.Single(client.ListHeaders("X"));
        Assert.Empty(set.Members);
        Assert.Equal(header, "Header: " + set.Header);
        Assert.Null(client.FindHeader("NOPE"));
    }

    [Fact]
    public void TypeRevisionsComeFromTheKernel()
    {
        using var ns = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(ns.Name));
        var revisions = client.GetTypeRevisions("hash:ip,port", "inet");
        Assert.InRange(revisions.Minimum, 0, revisions.Maximum);
        // The tool's choice on this kernel (printed by `ipset list`) is the kernel's newest revision.
        ns.Exec("ipset", "create", "T", "hash:ip,port");
        Assert.Equal($"Revision: {revisions.Maximum}", Line(ns.Exec("ipset", "list", "T"), "Revision:"));
        Assert.Equal(FailureKind.ModuleMissing, Assert.ThrowsAny<IpvsToolsException>(() => client.GetTypeRevisions("hash:nothing", "inet")).Kind);
    }

    internal static List<IpsetEntry> ClusterIps(int count)
    {
        var info = IpsetTypeInfo.Get("hash:ip,port");
        return Enumerable.Range(0, count)
            .Select(i => new IpsetEntry(IpsetElementParser.Parse($"10.96.{i / 256}.{i % 256},{(i % 2 == 0 ? "tcp" : "udp")}:{1000 + i % 7}", info, "inet")))
            .ToList();
    }

    internal static string Line(string listing, string prefix) => listing.Split('\n').Single(l => l.StartsWith(prefix));

    private static string WithoutInitVal(string header)
    {
        var at = header.IndexOf(" initval ", StringComparison.Ordinal);
        return at < 0 ? header : header[..at];
    }

    /// <summary>The elements of the add lines of `ipset save`, in the kernel's order.</summary>
    internal static List<string> Members(string save)
        => save.Split('\n').Where(l => l.StartsWith("add ")).Select(l => l.Split(' ', 3)[2]).ToList();
}
