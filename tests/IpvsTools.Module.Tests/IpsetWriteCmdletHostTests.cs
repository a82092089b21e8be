using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// New-, Remove-, Clear-, Rename-, Switch-Ipset and Add-, Remove-, Test-IpsetMember through the built
/// module against the host kernel, each test in its own namespace: what the cmdlets make is what
/// `ipset save` shows, what the tool makes pipes into them, and every refusal leaves `ipset save` as it was.
/// </summary>
[Trait("Tier", "Host")]
public class IpsetWriteCmdletHostTests(PowerShellSession session)
{
    private const string Sets = """
        create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
        add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
        add KUBE-CLUSTER-IP 10.96.0.10,udp:53
        create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536
        create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
        create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
        create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
        create KUBE-HEALTH-CHECK-NODE-PORT bitmap:port range 30000-32767
        create KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536
        create EXTRAS hash:ip,port family inet hashsize 64 maxelem 1000 timeout 600 counters comment

        """;

    [Fact]
    public void NewIpsetMakesTheSetsKubeProxyMakes()
    {
        using var ns = new TestNamespace();
        var output = session.Ok("""
            New-Ipset KUBE-CLUSTER-IP hash:ip,port -HashSize 1024 -MaxElements 65536 -NetworkNamespace $ns -PassThru
            New-Ipset KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net -Family inet6 -NetworkNamespace $ns
            New-Ipset KUBE-NODE-PORT-TCP bitmap:port -Range 0-65535 -NetworkNamespace $ns
            New-Ipset KUBE-IPVS-IPS hash:ip -NetworkNamespace $ns
            New-Ipset EXTRAS hash:ip,port -HashSize 64 -MaxElements 1000 -Timeout 600 -Counters -Comment -NetworkNamespace $ns
            """, Vars(ns));
        var set = Assert.Single(output);
        Assert.Equal("IpvsTools.Ipsets.Ipset", set.TypeNames[0]);
        Assert.Equal("KUBE-CLUSTER-IP", set.Properties["Name"].Value);

        // The same sets made by the tool in a second namespace list the same, but for the random initval.
        using var tool = new TestNamespace();
        foreach (var line in """
            KUBE-CLUSTER-IP hash:ip,port hashsize 1024 maxelem 65536
            KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6
            KUBE-NODE-PORT-TCP bitmap:port range 0-65535
            KUBE-IPVS-IPS hash:ip
            EXTRAS hash:ip,port hashsize 64 maxelem 1000 timeout 600 counters comment
            """.Split('\n'))
            tool.Exec(["ipset", "create", .. line.Trim().Split(' ')]);
        Assert.Equal(WithoutInitVals(tool.Exec("ipset", "save")), WithoutInitVals(ns.Exec("ipset", "save")));
    }

    [Fact]
    public void SetsPipeFromOneNamespaceIntoNewIpsetInAnotherExactly()
    {
        using var source = Prepare(Sets);
        using var copy = new TestNamespace();
        session.Ok("Get-Ipset -NetworkNamespace $source | New-Ipset -NetworkNamespace $copy", new Dictionary<string, object> { ["source"] = source.Name, ["copy"] = copy.Name });
        // Headers byte for byte, initval included (it pipes too); members are not copied.
        Assert.Equal(Creates(source.Exec("ipset", "save")), Creates(copy.Exec("ipset", "save")));
    }

    [Fact]
    public void MembersAddedByTheModuleAreWhatIpsetSaveShows()
    {
        using var ns = Prepare(Sets);
        session.Ok("""
            Add-IpsetMember KUBE-CLUSTER-IP 10.96.0.10,tcp:53, 10.96.0.10,TCP:9153 -NetworkNamespace $ns
            '10.244.0.5,tcp:53,10.244.0.5', '10.244.0.5,udp:53,10.244.0.5' | Add-IpsetMember -Name KUBE-LOOP-BACK -NetworkNamespace $ns
            Add-IpsetMember KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.7.0/16 -NetworkNamespace $ns
            Add-IpsetMember KUBE-NODE-PORT-TCP 30080, 31000-31002 -NetworkNamespace $ns
            Add-IpsetMember KUBE-6-CLUSTER-IP fd00:10:96::a,udp:53 -NetworkNamespace $ns
            Add-IpsetMember EXTRAS 10.0.0.1,tcp:80 -Timeout 0 -Comment 'from the test' -Packets 5 -Bytes 300 -NetworkNamespace $ns
            """, Vars(ns));
        var save = ns.Exec("ipset", "save");
        Assert.Equal(
            ["10.96.0.1,tcp:443", "10.96.0.10,tcp:53", "10.96.0.10,tcp:9153", "10.96.0.10,udp:53"],
            Members(save, "KUBE-CLUSTER-IP").Order());
        Assert.Equal(["10.244.0.5,tcp:53,10.244.0.5", "10.244.0.5,udp:53,10.244.0.5"], Members(save, "KUBE-LOOP-BACK").Order());
        Assert.Equal(["203.0.113.10,tcp:80,192.168.0.0/16"], Members(save, "KUBE-LOAD-BALANCER-SOURCE-CIDR"));
        Assert.Equal(["30080", "31000", "31001", "31002"], Members(save, "KUBE-NODE-PORT-TCP"));
        Assert.Equal(["fd00:10:96::a,udp:53"], Members(save, "KUBE-6-CLUSTER-IP"));
        Assert.Equal(["10.0.0.1,tcp:80 timeout 0 packets 5 bytes 300 comment \"from the test\""], Members(save, "EXTRAS"));
    }

    [Fact]
    public void MembersReadFromTheKernelPipeIntoRemoveAndTest()
    {
        using var ns = Prepare(Sets + "add KUBE-LOOP-BACK 10.244.0.5,tcp:53,10.244.0.5\nadd KUBE-NODE-PORT-TCP 30080\n");
        // Each member carries its set's name and namespace: nothing else is needed.
        var tested = session.Ok("(Get-Ipset KUBE-* -NetworkNamespace $ns).Members | Test-IpsetMember", Vars(ns));
        Assert.Equal([true, true, true, true], tested.Select(o => (bool)o.BaseObject));
        session.Ok("(Get-Ipset KUBE-* -NetworkNamespace $ns).Members | Remove-IpsetMember", Vars(ns));
        Assert.DoesNotContain(ns.Exec("ipset", "save").Split('\n'), l => l.StartsWith("add KUBE-"));
        var detailed = session.Ok("Test-IpsetMember KUBE-CLUSTER-IP 10.96.0.1,tcp:443 -Detailed -NetworkNamespace $ns", Vars(ns)).Single();
        Assert.Equal("IpvsTools.Ipsets.IpsetMemberTestResult", detailed.TypeNames[0]);
        Assert.Equal(false, detailed.Properties["IsMember"].Value);
        Assert.Equal("10.96.0.1,tcp:443", detailed.Properties["Member"].Value);
        Assert.Equal(ns.Name, detailed.Properties["NetworkNamespace"].Value);
    }

    [Fact]
    public void TestIpsetMemberAgreesWithTheTool()
    {
        using var ns = Prepare(Sets + "add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.0.0/16\n");
        string[] probes = ["203.0.113.10,tcp:80,192.168.0.0/16", "203.0.113.10,tcp:80,192.168.5.5", "203.0.113.10,udp:80,192.168.0.0/16", "203.0.113.11,tcp:80,10.0.0.1"];
        var answers = session.Ok("Test-IpsetMember KUBE-LOAD-BALANCER-SOURCE-CIDR $probes -NetworkNamespace $ns",
            new Dictionary<string, object> { ["ns"] = ns.Name, ["probes"] = probes }).Select(o => (bool)o.BaseObject);
        Assert.Equal(probes.Select(p => ns.TryExec("ipset", "test", "KUBE-LOAD-BALANCER-SOURCE-CIDR", p).ExitCode == 0), answers);
    }

    public static TheoryData<string, string, string> Refusals => new()
    {
        // script, ErrorId, target
        { "New-Ipset ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 hash:ip -NetworkNamespace $ns", "NewIpsetInvalidName", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456" },
        { "New-Ipset X bitmap:port -NetworkNamespace $ns", "NewIpsetInvalidOption", "X" },
        { "New-Ipset X bitmap:port -Range 10-5 -NetworkNamespace $ns", "NewIpsetInvalidOption", "X" },
        { "New-Ipset X hash:net -Netmask 24 -NetworkNamespace $ns", "NewIpsetInvalidOption", "X" },
        { "New-Ipset X hash:ip -Family inet7 -NetworkNamespace $ns", "NewIpsetInvalidOption", "X" },
        { "New-Ipset KUBE-CLUSTER-IP hash:ip,port -NetworkNamespace $ns", "NewIpsetAlreadyExists", "KUBE-CLUSTER-IP" },
        { "Add-IpsetMember KUBE-CLUSTER-IP fd00::1,tcp:53 -NetworkNamespace $ns", "AddIpsetMemberInvalidMember", "fd00::1,tcp:53" },
        { "Add-IpsetMember KUBE-CLUSTER-IP 10.0.0.1,tcp:65536 -NetworkNamespace $ns", "AddIpsetMemberInvalidMember", "10.0.0.1,tcp:65536" },
        { "Add-IpsetMember KUBE-CLUSTER-IP 10.0.0.1,tcp:80, 10.0.0.2,tcp:nosuchservice -NetworkNamespace $ns", "AddIpsetMemberInvalidMember", "10.0.0.2,tcp:nosuchservice" },
        { "Add-IpsetMember KUBE-CLUSTER-IP 10.0.0.1,tcp:80 -Comment x -NetworkNamespace $ns", "AddIpsetMemberInvalidMember", "10.0.0.1,tcp:80" },
        { "Add-IpsetMember KUBE-CLUSTER-IP 10.0.0.1,tcp:80 -Timeout 5 -NetworkNamespace $ns", "AddIpsetMemberInvalidMember", "10.0.0.1,tcp:80" },
        { "Add-IpsetMember KUBE-HEALTH-CHECK-NODE-PORT 80 -NetworkNamespace $ns", "AddIpsetMemberInvalidMember", "80" },
        { "Add-IpsetMember NOPE 10.0.0.1 -NetworkNamespace $ns", "AddIpsetMemberNotFound", "NOPE" },
        { "Add-IpsetMember KUBE-CLUSTER-IP 10.96.0.1,tcp:443 -NetworkNamespace $ns", "AddIpsetMemberAlreadyExists", "10.96.0.1,tcp:443" },
        { "Remove-IpsetMember KUBE-CLUSTER-IP 10.96.0.99,tcp:443 -NetworkNamespace $ns", "RemoveIpsetMemberNotFound", "10.96.0.99,tcp:443" },
        { "Test-IpsetMember KUBE-CLUSTER-IP 10.96.0.0/30,tcp:443 -NetworkNamespace $ns", "TestIpsetMemberInvalidMember", "10.96.0.0/30,tcp:443" },
        { "Remove-Ipset NOPE -Confirm:$false -NetworkNamespace $ns", "RemoveIpsetNotFound", "NOPE" },
        { "Clear-Ipset NOPE -Confirm:$false -NetworkNamespace $ns", "ClearIpsetNotFound", "NOPE" },
        { "Rename-Ipset KUBE-CLUSTER-IP KUBE-IPVS-IPS -NetworkNamespace $ns", "RenameIpsetAlreadyExists", "KUBE-IPVS-IPS" },
        { "Rename-Ipset NOPE X -NetworkNamespace $ns", "RenameIpsetNotFound", "NOPE" },
        { "Switch-Ipset KUBE-CLUSTER-IP KUBE-IPVS-IPS -NetworkNamespace $ns", "SwitchIpsetTypeMismatch", "KUBE-CLUSTER-IP" },
        { "Switch-Ipset KUBE-CLUSTER-IP KUBE-6-CLUSTER-IP -NetworkNamespace $ns", "SwitchIpsetTypeMismatch", "KUBE-CLUSTER-IP" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void RefusalsNameTheProblemAndLeaveTheKernelAsItWas(string script, string errorId, string target)
    {
        using var ns = Prepare(Sets);
        var before = ns.Exec("ipset", "save");
        var result = session.Run(script, Vars(ns));
        var error = Assert.Single(result.AllErrors);
        Assert.StartsWith(errorId + ",IpvsTools.Commands.", error.FullyQualifiedErrorId);
        Assert.Equal(target, error.TargetObject);
        Assert.NotEqual(ErrorCategory.NotSpecified, error.CategoryInfo.Category);
        if (errorId.EndsWith("AlreadyExists") && errorId.StartsWith("Add"))
            Assert.Contains("already in the set", error.Exception.Message);
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }

    [Fact]
    public void EveryTypeTheHostHasIsCreatedFilledAndExportedAsTheToolDoes()
    {
        using var ns = new TestNamespace();
        var vars = Vars(ns);
        session.Ok("""
            New-Ipset B bitmap:ip -Range 10.0.0.0/16 -Netmask 24 -Timeout 60 -Counters -NetworkNamespace $ns
            Add-IpsetMember B '10.0.1.0/24' -Timeout 0 -NetworkNamespace $ns
            New-Ipset M bitmap:ip,mac -Range 10.1.0.0-10.1.0.255 -NetworkNamespace $ns
            Add-IpsetMember M '10.1.0.1,02:00:00:00:00:0a', '10.1.0.2' -NetworkNamespace $ns
            Add-IpsetMember M 10.1.0.3, 10.1.0.4,02:00:00:00:00:0b -NetworkNamespace $ns
            New-Ipset P hash:ip,port -Netmask 24 -NetworkNamespace $ns
            Add-IpsetMember P '10.2.0.9,udp:53' -NetworkNamespace $ns
            New-Ipset Q hash:ip -Bitmask 255.255.0.255 -NetworkNamespace $ns
            Add-IpsetMember Q 10.3.4.5 -NetworkNamespace $ns
            Remove-IpsetMember Q 10.3.9.5 -NetworkNamespace $ns
            New-Ipset I hash:net,iface -NetworkNamespace $ns
            Add-IpsetMember I '10.4.0.0/16,physdev:eth1', '10.5.0.0/16,eth0' -NetworkNamespace $ns
            New-Ipset L list:set -Size 4 -NetworkNamespace $ns
            Add-IpsetMember L B, Q -NetworkNamespace $ns
            Add-IpsetMember L 'P,before,Q' -NetworkNamespace $ns
            """, vars);
        var save = ns.Exec("ipset", "save");
        Assert.Equal(save, (string)session.Ok("Export-Ipset -NetworkNamespace $ns", vars).Single().BaseObject);
        Assert.Contains("create P hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval ", save);
        Assert.Contains(" netmask 24\n", save);
        Assert.Contains("add M 10.1.0.2\nadd M 10.1.0.3\nadd M 10.1.0.4,02:00:00:00:00:0B\n", save);
        Assert.Contains("add L B\nadd L P\nadd L Q\n", save);
        Assert.DoesNotContain("add Q ", save);
        var members = session.Ok("(Get-Ipset L -NetworkNamespace $ns).Members.Element", vars).Select(o => o.ToString());
        Assert.Equal(["B", "P", "Q"], members);
        // The headers pipe into New-Ipset by property name: the copy has the same create lines (initval included).
        using var copy = new TestNamespace();
        session.Ok("Get-Ipset -NetworkNamespace $ns | New-Ipset -NetworkNamespace $copy", new Dictionary<string, object> { ["ns"] = ns.Name, ["copy"] = copy.Name });
        static IEnumerable<string> Creates(string text) => text.Split('\n').Where(l => l.StartsWith("create ", StringComparison.Ordinal));
        Assert.Equal(Creates(save), Creates(copy.Exec("ipset", "save")));
    }

    [Fact]
    public void OneUnquotedMemberIsOneMemberInTheMessage()
    {
        // PowerShell binds an unquoted 10.0.0.300,tcp:80 as two strings: the message speaks of one member.
        using var ns = Prepare(Sets);
        var error = Assert.Single(session.Run("Add-IpsetMember KUBE-CLUSTER-IP 10.0.0.300,tcp:80 -NetworkNamespace $ns", Vars(ns)).AllErrors);
        Assert.Equal("10.0.0.300,tcp:80", error.TargetObject);
        Assert.DoesNotContain("batch of 2", error.Exception.Message);
        Assert.Contains("Nothing was sent to ipset 'KUBE-CLUSTER-IP'", error.Exception.Message);
        // Two members, one bad: the batch of two is named as such.
        error = Assert.Single(session.Run("Add-IpsetMember KUBE-CLUSTER-IP 10.0.0.1,tcp:80, 10.0.0.300,tcp:80 -NetworkNamespace $ns", Vars(ns)).AllErrors);
        Assert.Contains("batch of 2 members", error.Exception.Message);
    }

    [Fact]
    public void AnOverLongNameIsAnInvalidArgumentOfGetIpset()
    {
        using var ns = Prepare(Sets);
        var error = Assert.Single(session.Run("Get-Ipset ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456 -NetworkNamespace $ns", Vars(ns)).AllErrors);
        Assert.Equal("GetIpsetInvalidName,IpvsTools.Commands.GetIpsetCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.IsType<ArgumentException>(error.Exception);
        Assert.Contains("longer than 31 bytes", error.Exception.Message);
        error = Assert.Single(session.Run("Get-Ipset NOPE -NetworkNamespace $ns", Vars(ns)).AllErrors);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.IsType<ItemNotFoundException>(error.Exception);
    }

    [Fact]
    public void ImportExistWhatIfSaysTheExistingSetIsKept()
    {
        using var ns = Prepare(Sets);
        var before = ns.Exec("ipset", "save");
        // -WhatIf writes to the host: run the module in a real shell to read it.
        var said = Tool.Run("dotnet", Shell.Find(), "-Module", session.ModuleManifest, "-Command",
            $"Export-Ipset -NetworkNamespace {ns.Name} | Import-Ipset -NetworkNamespace {ns.Name} -Exist -WhatIf");
        Assert.DoesNotContain("Create ipset", said);
        Assert.Contains("What if: Performing the operation \"Keep the existing ipset (-Exist: the kernel leaves a set of the same type and options as it is", said);
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }

    [Fact]
    public void TheKernelsRefusalOfOneMemberLeavesTheOthersApplied()
    {
        using var ns = Prepare(Sets);
        var result = session.Run("Add-IpsetMember KUBE-CLUSTER-IP 10.96.0.2,tcp:80, 10.96.0.1,tcp:443, 10.96.0.3,tcp:80 -NetworkNamespace $ns", Vars(ns));
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("AddIpsetMemberAlreadyExists,IpvsTools.Commands.AddIpsetMemberCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Equal("10.96.0.1,tcp:443", error.TargetObject);
        Assert.Equal(["10.96.0.1,tcp:443", "10.96.0.10,udp:53", "10.96.0.2,tcp:80", "10.96.0.3,tcp:80"], Members(ns.Exec("ipset", "save"), "KUBE-CLUSTER-IP").Order());
        // -Exist: nothing to complain about.
        session.Ok("Add-IpsetMember KUBE-CLUSTER-IP 10.96.0.1,tcp:443 -Exist -NetworkNamespace $ns; Remove-IpsetMember KUBE-CLUSTER-IP 10.9.9.9,tcp:1 -Exist -NetworkNamespace $ns", Vars(ns));
    }

    [Fact]
    public void WhatIfChangesNothing()
    {
        using var ns = Prepare(Sets);
        var before = ns.Exec("ipset", "save");
        session.Ok("""
            New-Ipset X hash:ip -NetworkNamespace $ns -WhatIf
            Remove-Ipset KUBE-* -NetworkNamespace $ns -WhatIf
            Clear-Ipset * -NetworkNamespace $ns -WhatIf
            Rename-Ipset KUBE-IPVS-IPS Y -NetworkNamespace $ns -WhatIf
            Switch-Ipset KUBE-CLUSTER-IP EXTRAS -NetworkNamespace $ns -WhatIf
            Add-IpsetMember KUBE-IPVS-IPS 10.96.0.10 -NetworkNamespace $ns -WhatIf
            Remove-IpsetMember KUBE-CLUSTER-IP 10.96.0.1,tcp:443 -NetworkNamespace $ns -WhatIf
            """, Vars(ns));
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }

    [Fact]
    public void RemoveClearRenameAndSwitchAsTheToolSeesThem()
    {
        using var ns = Prepare(Sets + "create NEW hash:ip,port family inet hashsize 1024 maxelem 65536\nadd NEW 10.96.9.9,tcp:80\n");
        var swapped = session.Ok("Switch-Ipset KUBE-CLUSTER-IP NEW -PassThru -NetworkNamespace $ns", Vars(ns));
        Assert.Equal(["KUBE-CLUSTER-IP", "NEW"], swapped.Select(o => (string)o.Properties["Name"].Value));
        Assert.Equal(["10.96.9.9,tcp:80"], Members(ns.Exec("ipset", "save"), "KUBE-CLUSTER-IP"));

        var removed = session.Ok("Remove-Ipset NEW -Confirm:$false -PassThru -NetworkNamespace $ns", Vars(ns)).Single();
        Assert.Equal(2u, removed.Properties["EntryCount"].Value);
        Assert.DoesNotContain("NEW", ns.Exec("ipset", "list", "-n").Split('\n'));

        session.Ok("Rename-Ipset KUBE-IPVS-IPS KUBE-IPVS-IPS-OLD -NetworkNamespace $ns", Vars(ns));
        Assert.Contains("KUBE-IPVS-IPS-OLD", ns.Exec("ipset", "list", "-n").Split('\n'));

        var cleared = session.Ok("Get-Ipset KUBE-CLUSTER-IP -NetworkNamespace $ns | Clear-Ipset -Confirm:$false -PassThru", Vars(ns)).Single();
        Assert.Equal(0u, cleared.Properties["EntryCount"].Value);
        Assert.Empty(Members(ns.Exec("ipset", "save"), "KUBE-CLUSTER-IP"));

        session.Ok("Remove-Ipset 'KUBE-6-*', EXTRAS -Confirm:$false -NetworkNamespace $ns", Vars(ns));
        Assert.DoesNotContain(ns.Exec("ipset", "list", "-n").Split('\n'), n => n.StartsWith("KUBE-6-") || n == "EXTRAS");
    }

    [Fact]
    public void AReferencedSetIsRefusedWithWhatToDo()
    {
        using var ns = Prepare(Sets);
        ns.Exec("iptables", "-w", "-A", "INPUT", "-m", "set", "--match-set", "KUBE-CLUSTER-IP", "dst,dst", "-j", "ACCEPT");
        var before = ns.Exec("ipset", "save");
        var remove = Assert.Single(session.Run("Remove-Ipset KUBE-CLUSTER-IP -Confirm:$false -NetworkNamespace $ns", Vars(ns)).AllErrors);
        Assert.Equal("RemoveIpsetBusy,IpvsTools.Commands.RemoveIpsetCommand", remove.FullyQualifiedErrorId);
        Assert.Contains("iptables rules", remove.Exception.Message);
        var rename = Assert.Single(session.Run("Rename-Ipset KUBE-CLUSTER-IP X -NetworkNamespace $ns", Vars(ns)).AllErrors);
        Assert.Equal("RenameIpsetBusy,IpvsTools.Commands.RenameIpsetCommand", rename.FullyQualifiedErrorId);
        Assert.Contains("Switch-Ipset", rename.Exception.Message);
        Assert.Equal(before, ns.Exec("ipset", "save"));
    }

    [Fact]
    public void ThousandsOfPipedMembersGoInOneBatch()
    {
        using var ns = Prepare(Sets);
        var verbose = session.Ok("""
            $members = foreach ($i in 0..4999) { "10.100.$([math]::Floor($i / 256)).$($i % 256),tcp:80" }
            $members | Add-IpsetMember -Name KUBE-CLUSTER-IP -NetworkNamespace $ns -Verbose 4>&1
            """, Vars(ns)).Select(o => o.ToString()).ToList();
        Assert.Contains(verbose, v => v.Contains("5000 of 5000 member(s) applied in 4 request(s)"));
        Assert.Equal(5002, Members(ns.Exec("ipset", "save"), "KUBE-CLUSTER-IP").Count);
    }

    [Fact]
    public void TestResultsSurviveASerializationRoundTrip()
    {
        using var ns = Prepare(Sets);
        var differences = session.Ok("""
            $r = Test-IpsetMember KUBE-CLUSTER-IP 10.96.0.1,tcp:443 -Detailed -NetworkNamespace $ns
            $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($r))
            if ($copy.PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.Ipsets.IpsetMemberTestResult') { "type name $($copy.PSObject.TypeNames[0])" }
            foreach ($p in $r.PSObject.Properties) { if ("$($p.Value)" -ne "$($copy.($p.Name))") { "$($p.Name): '$($p.Value)' became '$($copy.($p.Name))'" } }
            if ("$r" -ne "$copy") { "printed $r became $copy" }
            """, Vars(ns));
        Assert.Empty(differences.Select(d => d.ToString()));
    }

    internal static TestNamespace Prepare(string sets)
    {
        var ns = new TestNamespace();
        var path = Path.Combine(Path.GetTempPath(), "ipvstools-" + Guid.NewGuid().ToString("N") + ".ipset");
        File.WriteAllText(path, sets);
        try
        {
            ns.Exec("ipset", "restore", "-file", path);
        }
        catch
        {
            ns.Dispose();
            throw;
        }
        finally
        {
            File.Delete(path);
        }
        return ns;
    }

    internal static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };

    internal static List<string> Members(string save, string set)
        => save.Split('\n').Where(l => l.StartsWith($"add {set} ")).Select(l => l[$"add {set} ".Length..]).ToList();

    private static List<string> Creates(string save) => save.Split('\n').Where(l => l.StartsWith("create ")).ToList();

    private static string WithoutInitVals(string save)
        => string.Join("\n", save.Split('\n').Select(l => l.Contains(" initval ") ? l[..l.IndexOf(" initval ", StringComparison.Ordinal)] : l));
}
