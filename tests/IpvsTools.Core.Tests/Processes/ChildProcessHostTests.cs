using IpvsTools.Netlink;
using IpvsTools.Processes;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Processes;

[Trait("Tier", "Host")]
public class ChildProcessHostTests
{
    [Fact]
    public void ChildrenRunInsideTheNamespaceThroughNsenter()
    {
        using var ns = new TestNamespace();
        ns.Exec("ipset", "create", "seen-by-the-child", "hash:ip");
        var inside = ChildProcess.Run("ipset", ["list", "-n"], NetworkNamespace.Resolve(ns.Name));
        Assert.Equal(0, inside.ExitCode);
        Assert.Equal("seen-by-the-child\n", inside.StandardOutput);
        using var other = new TestNamespace();
        Assert.Equal("", ChildProcess.Run("ipset", ["list", "-n"], NetworkNamespace.Resolve(other.Name)).StandardOutput);
    }

    [Fact]
    public void ArgumentsAreNeverInterpretedByAShell()
    {
        var result = ChildProcess.Run("printf", ["%s|", "a b", "$(id)", "; echo no", "'quoted'"]);
        Assert.Equal("a b|$(id)|; echo no|'quoted'|", result.StandardOutput);
    }

    [Fact]
    public void StandardInputReachesTheChildAndMissingProgramsAreNamed()
    {
        Assert.Equal("restore me\n", ChildProcess.Run("cat", [], standardInput: "restore me\n").StandardOutput);
        var error = Assert.Throws<IpvsToolsException>(() => ChildProcess.Run("ipvstools-no-such-program", []));
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Contains("ipvstools-no-such-program", error.Message);
    }

    [Fact]
    public void ANamespaceDeletedAfterItWasResolvedIsNamedAsGone()
    {
        using var ns = new TestNamespace();
        var resolved = NetworkNamespace.Resolve(ns.Name)!;
        Tool.Run("ip", "netns", "delete", ns.Name);
        var error = Assert.Throws<IpvsToolsException>(() => ChildProcess.Run("iptables-save", [], resolved));
        Assert.Equal(FailureKind.NotFound, error.Kind);
        Assert.Contains($"Network namespace '{ns.Name}' disappeared", error.Message);
        Assert.Contains("iptables-save", error.Message);
    }
}
