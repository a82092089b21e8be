using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Get-IpvsService with an exact key (-Address -Port -Protocol, or -FirewallMark), which asks the kernel for
/// that service alone, and the completer of a typed -Service's real servers: each cross-checked against
/// `ipvsadm -Ln -t|-u|--sctp-service A:P` and `ipvsadm -Ln -f M [-6]` on the same kernel. (That only the one
/// service is read is what the bench's key-lookup rows show: flat from 1,000 to 10,000 services.)
/// </summary>
[Trait("Tier", "Lab")]
public class IpvsLookupByKeyLabTests
{
    private readonly PowerShellSession _session;

    public IpvsLookupByKeyLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    // The sample table's keyed services as ipvsadm names them, and as Get-IpvsService's parameters do.
    public static TheoryData<string, string, string, string> AddressKeys => new()
    {
        { "-t", "10.96.0.10:53", "Tcp", "-Address 10.96.0.10 -Port 53" },
        { "-u", "10.96.0.10:53", "Udp", "-Address 10.96.0.10 -Port 53" },
        { "--sctp-service", "10.96.50.3:3868", "Sctp", "-Address 10.96.50.3 -Port 3868" },
        { "-t", "192.168.10.1:443", "Tcp", "-Address 192.168.10.1 -Port 443" },
        { "-t", "[fd00:10:96::a]:53", "Tcp", "-Address fd00:10:96::a -Port 53" },
        { "-t", "10.96.0.40:80", "Tcp", "-Address 10.96.0.40 -Port 80" },
        { "-t", "0.0.0.1:80", "Tcp", "-Address 0.0.0.1 -Port 80" },
    };

    [Theory]
    [MemberData(nameof(AddressKeys))]
    public void AnAddressKeyShowsWhatIpvsadmShowsForIt(string option, string endpoint, string protocol, string parameters)
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        Assert.Equal(ns.Exec("ipvsadm", "-Ln", option, endpoint), Listing(ns, $"Get-IpvsService {parameters} -Protocol {protocol} -NetworkNamespace $ns"));
        // Get-IpvsDestination -Service asks for that service alone as well: its real servers are ipvsadm's "->" lines.
        var lines = ns.Exec("ipvsadm", "-Ln", option, endpoint).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.StartsWith("  ->", StringComparison.Ordinal)).Skip(1);
        var key = $"{protocol.ToUpperInvariant()} {endpoint}";
        Assert.Equal(lines, _session.Ok("Get-IpvsDestination -Service $key -NetworkNamespace $ns | ForEach-Object { [IpvsTools.Ipvs.IpvsadmText]::FormatDestinationLine($_) }",
            new Dictionary<string, object> { ["ns"] = ns.Name, ["key"] = key }).Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void AFirewallMarkIsLookedUpInBothFamiliesInIpvsadmsOrder()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable + "-A -f 7 -s rr\n-a -f 7 -r 10.0.0.7:0 -g -w 1\n-A -f 7 -6 -s wlc\n-a -f 7 -6 -r [fd00::7]:0 -g -w 2\n");
        Assert.Equal(ns.Exec("ipvsadm", "-Ln", "-f", "5"), Listing(ns, "Get-IpvsService -FirewallMark 5 -NetworkNamespace $ns"));
        Assert.Equal(ns.Exec("ipvsadm", "-Ln", "-f", "6", "-6"), Listing(ns, "Get-IpvsService -FirewallMark 6 -NetworkNamespace $ns"));
        // Mark 7 in both families: both services, IPv4 first, as in `ipvsadm -Ln` of the whole table (ipvsadm -Ln -f
        // prints its two header lines, then the service and its real servers).
        var both = ns.Exec("ipvsadm", "-Ln", "-f", "7") + string.Concat(ns.Exec("ipvsadm", "-Ln", "-f", "7", "-6").Split('\n').Skip(2).Select(l => l + "\n")).TrimEnd('\n') + "\n";
        Assert.Equal(both, Listing(ns, "Get-IpvsService -FirewallMark 7 -NetworkNamespace $ns"));
        var order = ns.Exec("ipvsadm", "-Ln").Split('\n').Where(l => l.StartsWith("FWM  7", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, order.Count);
        Assert.Equal(order, _session.Ok("Get-IpvsService -FirewallMark 7, 5 -NetworkNamespace $ns | Where-Object FirewallMark -eq 7 | ForEach-Object { [IpvsTools.Ipvs.IpvsadmText]::FormatServiceLine($_) }",
            Vars(ns)).Select(o => (string)o.BaseObject));
    }

    [Theory]
    [InlineData("-Address 10.96.0.99 -Port 80 -Protocol Tcp", "TCP 10.96.0.99 port 80", "-t", "10.96.0.99:80")]
    [InlineData("-Address 10.96.0.20 -Port 80 -Protocol Udp", "UDP 10.96.0.20 port 80", "-u", "10.96.0.20:80")]
    [InlineData("-Address 10.96.0.10 -Port 54 -Protocol Tcp", "TCP 10.96.0.10 port 54", "-t", "10.96.0.10:54")]
    [InlineData("-FirewallMark 8", "firewall mark 8", "-f", "8")]
    public void AMissingKeyIsOneNotFoundErrorAsIpvsadmFindsNothing(string parameters, string target, string option, string key)
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var before = ns.Exec("ipvsadm", "-Sn");
        var tool = ns.TryExec("ipvsadm", "-Ln", option, key);
        Assert.NotEqual(0, tool.ExitCode);
        Assert.Equal("", tool.Output);

        var result = _session.Run($"Get-IpvsService {parameters} -NetworkNamespace $ns", Vars(ns));
        Assert.Empty(result.Output);
        var error = Assert.Single(result.AllErrors);
        Assert.Equal("GetIpvsServiceNotFound,IpvsTools.Commands.GetIpvsServiceCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal(target, error.TargetObject);
        Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));
    }

    [Fact]
    public void SeveralAddressesOfOneKeyFindThoseThatExist()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var expected = ns.Exec("ipvsadm", "-Ln", "-t", "10.96.0.20:80").Split('\n').Skip(2)
            .Concat(ns.Exec("ipvsadm", "-Ln", "-t", "10.96.0.21:80").Split('\n').Skip(2)).Where(l => l.Length > 0);
        var result = _session.Run("Get-IpvsService -Address 10.96.0.21, 10.96.0.99, 10.96.0.20, 10.96.0.21 -Port 80 -Protocol Tcp -NetworkNamespace $ns | ForEach-Object { [IpvsTools.Ipvs.IpvsadmText]::FormatServiceLine($_); $_.Destinations | ForEach-Object { [IpvsTools.Ipvs.IpvsadmText]::FormatDestinationLine($_) } }", Vars(ns));
        Assert.Empty(result.AllErrors);
        Assert.Equal(expected, result.Output.Select(o => (string)o.BaseObject));
    }

    [Fact]
    public void TheRealServerCompleterReadsTheTypedServiceOnly()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        string[] Complete(string line) => _session.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object> { ["line"] = line }).Select(o => (string)o.BaseObject).ToArray();
        var n = $"-NetworkNamespace {ns.Name}";
        var tool = ns.Exec("ipvsadm", "-Ln", "-t", "10.96.0.10:53").Split('\n').Where(l => l.StartsWith("  -> 10.", StringComparison.Ordinal))
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].Split(':')[0]).Order();
        Assert.Equal(tool, Complete($"Set-IpvsDestination {n} -Service 'TCP 10.96.0.10:53' -Address "));
        Assert.Equal(["fd00:10:244::5"], Complete($"Remove-IpvsDestination {n} -Service 'TCP [fd00:10:96::a]:53' -Address "));
        Assert.Equal(["10.0.0.9"], Complete($"Set-IpvsDestination {n} -Service 'FWM 5' -Address "));
        Assert.Empty(Complete($"Set-IpvsDestination {n} -Service 'TCP 10.96.0.99:80' -Address "));
    }

    /// <summary>
    /// What `ipvsadm -Ln -t A:P` (or -f M) prints for the services a command writes: the listing of the whole
    /// table without its first line (the version line, which ipvsadm prints only when it lists everything).
    /// </summary>
    private string Listing(TestNamespace ns, string command)
    {
        var text = (string)_session.Ok($$"""
            $client = [IpvsTools.Ipvs.IpvsClient]::Open([IpvsTools.Namespaces.NetworkNamespace]::Resolve($ns))
            try { $info = $client.GetInfo() } finally { $client.Dispose() }
            [IpvsTools.Ipvs.IpvsadmText]::FormatList($info, [IpvsTools.Ipvs.IpvsService[]]@({{command}}))
            """, Vars(ns)).Single().BaseObject;
        Assert.StartsWith("IP Virtual Server version ", text, StringComparison.Ordinal);
        return text[(text.IndexOf('\n', StringComparison.Ordinal) + 1)..];
    }

    private static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };
}
