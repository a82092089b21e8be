using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Ipset;

/// <summary>What `ipset restore` reads (the host tests feed the same files to the tool), and the checks made before anything is applied.</summary>
public class RestoreParserTests
{
    [Fact]
    public void ReadsTheSaveFormatAndTheToolsOtherForms()
    {
        var script = IpsetRestoreParser.Parse("""
            create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x02dccf24
            add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
            # a comment, then a blank line, a CRLF line, tabs, and old forms

            add KUBE-CLUSTER-IP 10.96.0.10,udp:53   -exist
            -N B portmap range 0-65535
            a	B	80
            n C hash:ip -6 timeout 0x10 comment counters
            add C fd00::1 timeout 5 comment "two  words" packets 010 bytes 0x10
            cr D iphash hashsize 0x100 netmask 24
            COMMIT
            swap C C
            e D E
            de B 80
            x
            f
            t C fd00::1
            """.Replace("# a comment, then a blank line, a CRLF line", "# a comment, then a blank line, a CRLF line\r"));
        Assert.Empty(script.Errors);
        Assert.Equal(
            [IpsetRestoreCommand.Create, IpsetRestoreCommand.Add, IpsetRestoreCommand.Add, IpsetRestoreCommand.Create, IpsetRestoreCommand.Add,
             IpsetRestoreCommand.Create, IpsetRestoreCommand.Add, IpsetRestoreCommand.Create, IpsetRestoreCommand.Swap, IpsetRestoreCommand.Rename,
             IpsetRestoreCommand.Delete, IpsetRestoreCommand.Destroy, IpsetRestoreCommand.Flush, IpsetRestoreCommand.Test],
            script.Lines.Select(l => l.Command));
        var create = script.Lines[0];
        Assert.Equal(1, create.LineNumber);
        Assert.Equal("hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x02dccf24", create.CreateOptions!.ToString());
        Assert.True(script.Lines[2].Exist);
        Assert.Equal(5, script.Lines[2].LineNumber);
        Assert.Equal("bitmap:port range 0-65535", script.Lines[3].CreateOptions!.ToString());
        Assert.Equal("hash:ip family inet6 timeout 16 counters comment", script.Lines[5].CreateOptions!.ToString());
        var add = script.Lines[6];
        Assert.Equal(("fd00::1", 5u, "two  words", 8ul, 16ul), (add.ElementText, add.Timeout, add.Comment, add.Packets, add.Bytes));
        Assert.Equal("hash:ip family inet hashsize 256 netmask 24", script.Lines[7].CreateOptions!.ToString());
        Assert.Null(script.Lines[11].SetName);
    }

    public static TheoryData<string, int, string> Refused => new()
    {
        // file, line of the error, part of the message
        { "create A hash:ip\nCREATE B hash:ip\n", 2, "'CREATE' is not an ipset command" },
        { "list A\n", 1, "'list' cannot be restored" },
        { "re A B\n", 1, "'restore' cannot be restored" },
        { "create A\n", 1, "needs a type" },
        { "create A hash:foo\n", 1, "'hash:foo' is not an ipset type" },
        { "create ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 hash:ip\n", 1, "longer than 31 bytes" },
        { "create A hash:ip family inet6 family inet\n", 1, "family is given twice" },
        { "create A hash:ip family inet6 -4\n", 1, "-4 is given twice" },
        { "create A hash:ip hashsize\n", 1, "hashsize needs a value" },
        { "create A hash:ip hashsize 12x\n", 1, "takes a number" },
        { "create A hash:ip timeout 2147484\n", 1, "at most 2147483" },
        { "create A hash:net netmask 24\n", 1, "'netmask' is not a create option of hash:net" },
        { "create A bitmap:port\n", 1, "needs a range" },
        { "create A hash:ip probes\n", 1, "probes needs a value" },
        { "add A\n", 1, "needs an element" },
        { "add A 1.1.1.1 extra\n", 1, "'extra' is not a member option" },
        { "add A 1.1.1.1 comment \"open\n", 1, "double quote is not closed" },
        { "add A 1.1.1.1 skbprio 12\n", 1, "skbprio takes MAJOR:MINOR" },
        { "del A 1.1.1.1 timeout 5\n", 1, "del takes no such option" },
        { "rename A\n", 1, "needs two set names" },
        { "swap A B C\n", 1, "one too many" },
        { "flush A B\n", 1, "at most one set name" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void EachRefusalNamesItsLine(string file, int line, string message)
    {
        var error = Assert.Single(IpsetRestoreParser.Parse(file).Errors);
        Assert.Equal(line, error.LineNumber);
        Assert.StartsWith($"Line {line}: ", error.Message);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void EveryBadLineIsReportedNotJustTheFirst()
    {
        var script = IpsetRestoreParser.Parse("bogus\ncreate A hash:ip\nadd A\nadd A 1.1.1.1\nflush A B\n");
        Assert.Equal([1, 3, 5], script.Errors.Select(e => e.LineNumber));
        Assert.Equal(2, script.Lines.Count);
    }

    private static readonly IvsSet[] Kernel =
    [
        new("KUBE-CLUSTER-IP", "hash:ip,port", "inet", References: 2, Members: ["10.96.0.1,tcp:443"]),
        new("KUBE-NODE-PORT-TCP", "bitmap:port", null, Range: "30000-32767"),
        new("EXTRAS", "hash:ip", "inet", Timeout: 600, Comment: true),
    ];

    public static TheoryData<string, int, string> Invalid => new()
    {
        { "add NOPE 1.1.1.1\n", 1, "no set named 'NOPE'" },
        { "create KUBE-CLUSTER-IP hash:ip,port\n", 1, "already exists" },
        { "create A hash:ip\ncreate A hash:ip\n", 2, "already exists" },
        { "add KUBE-CLUSTER-IP 10.96.0.1,tcp:443\n", 1, "already in set" },
        { "add KUBE-CLUSTER-IP 10.96.0.2,tcp:80\nadd KUBE-CLUSTER-IP 10.96.0.2,tcp:80\n", 2, "already in set" },
        { "del KUBE-CLUSTER-IP 10.96.0.2,tcp:80\n", 1, "not in set" },
        { "add KUBE-CLUSTER-IP fd00::1,tcp:80\n", 1, "the set's family is inet" },
        { "add KUBE-CLUSTER-IP 10.96.0.2,tcp:80 timeout 5\n", 1, "without a timeout" },
        { "add KUBE-CLUSTER-IP 10.96.0.2,tcp:80 comment x\n", 1, "without comment support" },
        { "add KUBE-NODE-PORT-TCP 80\n", 1, "outside the range 30000-32767" },
        { "test EXTRAS 10.0.0.0/30\n", 1, "test takes one member" },
        { "destroy KUBE-CLUSTER-IP\n", 1, "referenced" },
        { "destroy\n", 1, "referenced" },
        { "rename KUBE-CLUSTER-IP X\n", 1, "referenced" },
        { "rename EXTRAS KUBE-NODE-PORT-TCP\n", 1, "'KUBE-NODE-PORT-TCP' already exists" },
        { "swap EXTRAS KUBE-CLUSTER-IP\n", 1, "differ in type or family" },
        { "destroy EXTRAS\nadd EXTRAS 1.1.1.1\n", 2, "no set named 'EXTRAS'" },
        { "create A hash:ip\nrename A B\nadd A 1.1.1.1\n", 3, "no set named 'A'" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void ThePlayedFileIsCheckedBeforeAnythingIsApplied(string file, int line, string message)
    {
        var script = IpsetRestoreParser.Parse(file);
        Assert.Empty(script.Errors);
        var error = Assert.Single(Validate(script, exist: false));
        Assert.Equal(line, error.LineNumber);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void ExistPassesOverWhatIsThereAndWhatIsGone()
    {
        var script = IpsetRestoreParser.Parse("create KUBE-CLUSTER-IP hash:ip,port\nadd KUBE-CLUSTER-IP 10.96.0.1,tcp:443\ndel KUBE-CLUSTER-IP 10.9.9.9,tcp:1\n");
        Assert.Empty(Validate(script, exist: true));
        Assert.Equal("10.96.0.1,tcp:443", script.Lines[1].Entry!.ToString());
        // Another type under an existing name stays an error even with -exist.
        Assert.Contains("already exists as hash:ip,port", Assert.Single(Validate(IpsetRestoreParser.Parse("create KUBE-CLUSTER-IP hash:ip\n"), exist: true)).Message);
    }

    [Fact]
    public void ASwapKeepsReferencesWithTheNames()
    {
        // After the swap the referenced name holds the new members; the other name can be destroyed.
        var script = IpsetRestoreParser.Parse("create NEW hash:ip,port\nadd NEW 10.96.0.9,tcp:80\nswap KUBE-CLUSTER-IP NEW\ndestroy NEW\ndel KUBE-CLUSTER-IP 10.96.0.9,tcp:80\n");
        Assert.Empty(Validate(script, exist: false));
        var steps = IpsetClient.Steps(script);
        Assert.Equal(["Create ipset (hash:ip,port family inet) (line 1)", "Add member 10.96.0.9,tcp:80 (line 2)", "Swap the members with ipset 'NEW' (line 3)", "Destroy (line 4)", "Remove member 10.96.0.9,tcp:80 (line 5)"],
            steps.Select(s => s.Action));
    }

    [Fact]
    public void ConsecutiveAddsOfOneSetAreOneStep()
    {
        var file = "create A hash:ip\n" + string.Join("", Enumerable.Range(1, 3000).Select(i => $"add A 10.0.{i / 256}.{i % 256}\n")) + "add A 10.9.9.9 -exist\n";
        var script = IpsetRestoreParser.Parse(file);
        Assert.Empty(Validate(script, exist: false));
        var steps = IpsetClient.Steps(script);
        Assert.Equal(3, steps.Count);
        Assert.Equal("Add 3000 members (lines 2-3001)", steps[1].Action);
    }

    private sealed record IvsSet(string Name, string Type, string? Family, uint References = 0, string? Range = null, uint? Timeout = null, bool Comment = false, string[]? Members = null);

    private static IReadOnlyList<IpsetRestoreException> Validate(IpsetRestoreScript script, bool exist)
    {
        var sets = Kernel.Select(k => new IpvsTools.Ipsets.Ipset(k.Name, k.Type, 1, k.Family, null, null, null, null, null, k.Timeout, false, k.Comment, false, false, k.Range, k.References, 0, 0, [])).ToList();
        return IpsetRestoreValidator.Validate(script, sets, name => Kernel.Single(k => k.Name == name).Members ?? [], exist);
    }
}
