using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Export-Ipset against `ipset save` byte for byte, Import-Ipset against `ipset restore`, both ways,
/// through the built module, each test in its own namespaces.
/// </summary>
[Trait("Tier", "Host")]
public class ExportImportIpsetHostTests(PowerShellSession session)
{
    private const string Sets = """
        create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
        add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
        add KUBE-CLUSTER-IP 10.96.0.10,udp:53
        add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
        add KUBE-CLUSTER-IP 10.96.50.3,sctp:3868
        create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
        add KUBE-LOOP-BACK 10.244.0.5,tcp:53,10.244.0.5
        create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
        add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.0.0/16
        create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
        add KUBE-NODE-PORT-TCP 30080
        create KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536
        add KUBE-IPVS-IPS 10.96.0.10
        create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-CLUSTER-IP fd00:10:96::a,udp:53
        create EXTRAS hash:ip,port family inet hashsize 64 maxelem 1000 counters comment
        add EXTRAS 10.0.0.1,icmp:echo-request packets 5 bytes 300 comment "from the test"

        """;

    [Fact]
    public void ExportIsIpsetSaveByteForByte()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(Sets);
        var vars = IpsetWriteCmdletHostTests.Vars(ns);
        Assert.Equal(ns.Exec("ipset", "save"), (string)session.Ok("Export-Ipset -NetworkNamespace $ns", vars).Single().BaseObject);
        Assert.Equal(ns.Exec("ipset", "save", "KUBE-LOOP-BACK"), (string)session.Ok("Export-Ipset KUBE-LOOP-BACK -NetworkNamespace $ns", vars).Single().BaseObject);
        // Wildcards select sets in the kernel's order; set objects pipe in.
        Assert.Equal(ns.Exec("ipset", "save", "KUBE-CLUSTER-IP") + ns.Exec("ipset", "save", "KUBE-6-CLUSTER-IP"),
            (string)session.Ok("Get-Ipset '*CLUSTER-IP' -NetworkNamespace $ns | Export-Ipset", vars).Single().BaseObject);
    }

    [Fact]
    public void AnExportedFileIsWhatIpsetRestoreReadsAndAnIpsetSaveIsWhatImportReads()
    {
        using var source = IpsetWriteCmdletHostTests.Prepare(Sets);
        var path = Path.Combine(Path.GetTempPath(), "ipvstools-" + Guid.NewGuid().ToString("N") + ".ipset");
        try
        {
            session.Ok("Export-Ipset -Path $path -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = source.Name, ["path"] = path });
            // The tool restores the module's file...
            using var byTool = new TestNamespace();
            byTool.Exec("ipset", "restore", "-file", path);
            Assert.Equal(source.Exec("ipset", "save"), byTool.Exec("ipset", "save"));
            // ... and the module imports the tool's save, initval included (so even the members' order is the same).
            using var byModule = new TestNamespace();
            File.WriteAllText(path, source.Exec("ipset", "save"));
            session.Ok("Import-Ipset $path -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = byModule.Name, ["path"] = path });
            Assert.Equal(source.Exec("ipset", "save"), byModule.Exec("ipset", "save"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ExportPipesIntoImportAcrossNamespaces()
    {
        using var source = IpsetWriteCmdletHostTests.Prepare(Sets);
        using var target = new TestNamespace();
        var sets = session.Ok("Export-Ipset -NetworkNamespace $source | Import-Ipset -NetworkNamespace $target -PassThru",
            new Dictionary<string, object> { ["source"] = source.Name, ["target"] = target.Name });
        Assert.Equal(7, sets.Count);
        Assert.All(sets, s => Assert.Equal("IpvsTools.Ipsets.Ipset", s.TypeNames[0]));
        Assert.Equal(source.Exec("ipset", "save"), target.Exec("ipset", "save"));
    }

    public static TheoryData<string, int, string> BadFiles => new()
    {
        // file, line named, part of the message
        { "create A hash:ip\nadd A 10.0.0.1\nadd A 10.0.0.x\n", 3, "not an IPv4 address" },
        { "add KUBE-CLUSTER-IP 10.96.0.1,tcp:443\n", 1, "already in set" },
        { "create X hash:ip\nadd NOPE 10.0.0.1\n", 2, "no set named 'NOPE'" },
        { "create KUBE-CLUSTER-IP hash:ip,port\n", 1, "already exists" },
        { "flush\ndestroy KUBE-CLUSTER-IP\ncreate Y hash:ip\nadd KUBE-NODE-PORT-TCP 70000\n", 4, "not a number 0-65535" },
        { "list\n", 1, "cannot be restored" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void ImportChecksEverythingFirstAndNamesTheLine(string file, int line, string message)
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(Sets);
        var before = ns.Exec("ipset", "save");
        var result = session.Run("$text | Import-Ipset -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = ns.Name, ["text"] = file });
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("ImportIpsetInvalidLine,IpvsTools.Commands.ImportIpsetCommand", error.FullyQualifiedErrorId);
        Assert.Equal($"line {line}", error.TargetObject);
        Assert.StartsWith($"Line {line} is refused; nothing was imported", error.Exception.Message);
        Assert.Contains($"\n  Line {line}: ", error.Exception.Message);
        Assert.Contains(message, error.Exception.Message);
        // What to do: -Exist, when the line only creates or adds what is already there.
        Assert.Equal(message.StartsWith("already", StringComparison.Ordinal), error.Exception.Message.Contains("-Exist to pass over"));
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }

    [Fact]
    public void AnExportImportedIntoItsOwnNamespaceIsOneErrorThatSaysWhatToDo()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(Sets);
        var before = ns.Exec("ipset", "save");
        var lines = before.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
        var result = session.Run("Export-Ipset -NetworkNamespace $ns | Import-Ipset -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = ns.Name });
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("ImportIpsetInvalidLine,IpvsTools.Commands.ImportIpsetCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.StartsWith($"{lines} lines are refused; nothing was imported", error.Exception.Message);
        // The first few lines with their reasons, then the count of the rest, then what to do.
        Assert.Contains("\n  Line 1: a set named", error.Exception.Message);
        Assert.Contains($"... and {lines - 5} more line(s).", error.Exception.Message);
        Assert.Contains("run again with -Exist", error.Exception.Message);
        // Every refused line stays reachable on the exception (IpsetRestoreRefusedException.Lines).
        Assert.Equal("IpsetRestoreRefusedException", error.Exception.GetType().Name);
        Assert.Equal(lines, ((System.Collections.ICollection)error.Exception.GetType().GetProperty("Lines")!.GetValue(error.Exception)!).Count);
        Assert.Equal(before, ns.Exec("ipset", "save"));
        // And with -Exist it passes, changing nothing.
        session.Ok("Export-Ipset -NetworkNamespace $ns | Import-Ipset -NetworkNamespace $ns -Exist", new Dictionary<string, object> { ["ns"] = ns.Name });
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }

    [Fact]
    public void EveryBadLineOfAFileIsNamedWithTheFile()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(Sets);
        var before = ns.Exec("ipset", "save");
        var path = Path.Combine(Path.GetTempPath(), "ipvstools-" + Guid.NewGuid().ToString("N") + ".ipset");
        File.WriteAllText(path, "create A hash:ip\nbogus\nadd A 1.2.3.4 timeout\nadd A 1.2.3.5\n");
        try
        {
            var error = Assert.Single(session.Run("Import-Ipset $path -NetworkNamespace $ns", new Dictionary<string, object> { ["ns"] = ns.Name, ["path"] = path }).AllErrors);
            Assert.Equal(path, error.TargetObject);
            Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
            Assert.StartsWith($"2 lines of {path} are refused; nothing was imported", error.Exception.Message);
            Assert.Contains("\n  Line 2: ", error.Exception.Message);
            Assert.Contains("\n  Line 3: ", error.Exception.Message);
        }
        finally
        {
            File.Delete(path);
        }
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }

    [Fact]
    public void AKernelRefusalAfterTheChecksNamesItsLineAndWhatWasApplied()
    {
        using var ns = new TestNamespace();
        var result = session.Run("$text | Import-Ipset -NetworkNamespace $ns",
            new Dictionary<string, object> { ["ns"] = ns.Name, ["text"] = "create S hash:ip maxelem 2\nadd S 10.0.0.1\nadd S 10.0.0.2\nadd S 10.0.0.3\n" });
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("ImportIpsetFailed,IpvsTools.Commands.ImportIpsetCommand", error.FullyQualifiedErrorId);
        Assert.Equal("line 4", error.TargetObject);
        Assert.Contains("3 line(s) before it were applied", error.Exception.Message);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], IpsetWriteCmdletHostTests.Members(ns.Exec("ipset", "save"), "S").Order());
    }

    [Fact]
    public void ImportWhatIfAndExistChangeNothingThatIsThere()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(Sets);
        var before = ns.Exec("ipset", "save");
        var vars = new Dictionary<string, object> { ["ns"] = ns.Name, ["text"] = before, ["changes"] = "create NEW hash:ip\nadd NEW 1.1.1.1\nadd KUBE-IPVS-IPS 10.96.0.99\nswap KUBE-CLUSTER-IP EXTRAS\n" };
        var whatIf = session.Ok("$changes | Import-Ipset -NetworkNamespace $ns -WhatIf -PassThru", vars);
        Assert.Empty(whatIf);
        Assert.Equal(before, ns.Exec("ipset", "save"));
        // The same save again with -Exist: everything is already there.
        session.Ok("$text | Import-Ipset -NetworkNamespace $ns -Exist", vars);
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }
}
