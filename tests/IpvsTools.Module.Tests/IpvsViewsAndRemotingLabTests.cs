using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// The IPVS surface in the lab kernel: the named Statistics and Rates views rendered by a console host
/// and cross-checked with ipvsadm, what remoting returns (a PSSerializer round trip at the depth
/// Invoke-Command uses) rendered and piped into the change cmdlets, and Tab completion read from the table.
/// </summary>
[Trait("Tier", "Lab")]
public class IpvsViewsAndRemotingLabTests
{
    private const string CopyViaRemoting =
        "function Copy-ViaRemoting { process { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($_)) } }\n";

    private readonly PowerShellSession _session;

    public IpvsViewsAndRemotingLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    [Fact]
    public void TheStatisticsViewShowsWhatIpvsadmStatsExactShows()
    {
        using var ns = new TestNamespace();
        TrafficTable(ns);
        // The kernel folds its per-CPU counters into what it reports every 2 s, and the datagrams' neighbour
        // lookups end a few seconds later: wait until every datagram is counted and nothing moves for 2.5 s.
        string Stats() => ns.Exec("ipvsadm", "-Ln", "--stats", "--exact");
        Lab.WaitUntil(() =>
        {
            var before = Stats();
            Thread.Sleep(2500);
            return before == Stats() && before.Split('\n').Select(Tokens).Any(t => t.Length > 3 && t[0] == "UDP" && t[1] == "10.96.0.10:53" && t[3] == "3");
        }, "the IPVS counters to count the 3 datagrams and settle");
        var text = RenderingHost.Instance.Render(
            "[IpvsTools.Ipvs.IpvsadmText]::SortServices([IpvsTools.Ipvs.IpvsService[]]@(Get-IpvsService -NetworkNamespace $ns)) | ForEach-Object { $_.PSObject.TypeNames.Insert(0, 'IpvsTools.Ipvs.IpvsService#Statistics'); $_ }",
            Vars(ns));
        var lines = RenderingHost.Lines(text);
        Assert.Matches(@"^Prot\s+LocalAddress:Port\s+Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes$", lines[0]);
        // ipvsadm: three header lines, then a line per service and per real server ("  -> ADDR" + counters).
        var expected = Stats().Split('\n').Skip(3).Where(l => l.Length > 0).Select(Tokens).ToList();
        Assert.Equal(expected, lines.Skip(2).Select(Tokens).ToList());
        Assert.Contains(expected, t => t[0] == "UDP" && t[2] != "0"); // the traffic was counted, so the numbers are compared for real

        // The real servers' own Statistics view: under their service, a row per real server with the same counters as
        // ipvsadm's "  -> " lines.
        var destinations = RenderingHost.Lines(RenderingHost.Instance.Render(
            "Get-IpvsDestination 'UDP 10.96.0.10:53' -NetworkNamespace $ns | ForEach-Object { $_.PSObject.TypeNames.Insert(0, 'IpvsTools.Ipvs.IpvsDestination#Statistics'); $_ }",
            Vars(ns)));
        Assert.Matches(@"^\s*Service: UDP\s+10\.96\.0\.10:53$", destinations[0]);
        Assert.Matches(@"^RemoteAddress:Port\s+Conns\s+InPkts\s+OutPkts\s+InBytes\s+OutBytes$", destinations[1]);
        destinations.RemoveAt(0);
        var udp = expected.FindIndex(t => t[0] == "UDP" && t[1] == "10.96.0.10:53");
        var expectedDestinations = expected.Skip(udp + 1).TakeWhile(t => t[0] == "->").Select(t => string.Join(' ', t[1..])).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, expectedDestinations.Count);
        Assert.Equal(expectedDestinations, destinations.Skip(2).Select(l => string.Join(' ', Tokens(l))).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void TheRatesViewShowsEachServicesAndRealServersRates()
    {
        using var ns = new TestNamespace();
        TrafficTable(ns);
        // Rates move every 2 s: compare with the rates of the very objects rendered.
        var text = RenderingHost.Instance.Render("""
            $script:rendered = [IpvsTools.Ipvs.IpvsadmText]::SortServices([IpvsTools.Ipvs.IpvsService[]]@(Get-IpvsService -NetworkNamespace $ns))
            $script:rendered | ForEach-Object { $_.PSObject.TypeNames.Insert(0, 'IpvsTools.Ipvs.IpvsService#Rates'); $_ }
            """, Vars(ns));
        var lines = RenderingHost.Lines(text);
        Assert.Matches(@"^Prot\s+LocalAddress:Port\s+CPS\s+InPPS\s+OutPPS\s+InBPS\s+OutBPS$", lines[0]);
        var expected = ns.Exec("ipvsadm", "-Ln", "--rate", "--exact").Split('\n').Skip(3).Where(l => l.Length > 0).Select(l => Tokens(l)[..2]).ToList();
        Assert.Equal(expected, lines.Skip(2).Select(l => Tokens(l)[..2]).ToList());
        var numbers = _session.Ok("""
            foreach ($s in [IpvsTools.Ipvs.IpvsadmText]::SortServices([IpvsTools.Ipvs.IpvsService[]]@(Get-IpvsService -NetworkNamespace $ns))) {
                foreach ($r in @($s.Rates) + @([IpvsTools.Ipvs.IpvsadmText]::SortDestinations($s.Destinations) | ForEach-Object Rates)) {
                    "$($r.ConnectionsPerSecond) $($r.IncomingPacketsPerSecond) $($r.OutgoingPacketsPerSecond) $($r.IncomingBytesPerSecond) $($r.OutgoingBytesPerSecond)"
                }
            }
            """, Vars(ns)).Select(o => (string)o.BaseObject).ToList();
        Assert.Equal(numbers.Count, lines.Count - 2);
        // Each rendered row ends in five numbers; they are rates of those services (the count and the shape are checked here,
        // the values against a second read would race the kernel's 2 s estimator).
        Assert.All(lines.Skip(2), l => Assert.Matches(@"(\s+\d+){5}$", l));
    }

    [Fact]
    public void WhatRemotingReturnsRendersAsTheOriginalsDo()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var vars = Vars(ns);
        var original = RenderingHost.Instance.Render("Get-IpvsService -NetworkNamespace $ns", vars);
        var copied = RenderingHost.Instance.Render(CopyViaRemoting + "Get-IpvsService -NetworkNamespace $ns | Copy-ViaRemoting", vars);
        Assert.Contains("Deserialized.IpvsTools.Ipvs.IpvsService", string.Join(" ", _session.Ok(CopyViaRemoting + "(Get-IpvsService -NetworkNamespace $ns | Copy-ViaRemoting)[0].PSObject.TypeNames", vars)));
        Assert.Contains("10.244.1.5:53", original);
        Assert.Equal(original, copied);
        var destinations = RenderingHost.Instance.Render("Get-IpvsDestination -NetworkNamespace $ns", vars);
        Assert.Equal(destinations, RenderingHost.Instance.Render(CopyViaRemoting + "Get-IpvsDestination -NetworkNamespace $ns | Copy-ViaRemoting", vars));
        foreach (var script in new[] { "Get-IpvsInfo -NetworkNamespace $ns", "Get-IpvsTimeout -NetworkNamespace $ns" })
            Assert.Equal(RenderingHost.Instance.Render(script, vars), RenderingHost.Instance.Render(CopyViaRemoting + script + " | Copy-ViaRemoting", vars));
    }

    [Fact]
    public void WhatRemotingReturnsPipesIntoTheChangeCmdlets()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        _session.Ok(CopyViaRemoting + """
            $services = @(Get-IpvsService -NetworkNamespace $ns | Copy-ViaRemoting)
            $dns = $services | Where-Object { $_.Port -eq 53 -and $_.Protocol -eq 6 -and $_.AddressFamily -eq 2 }
            if ($dns.Destinations[0].PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.Ipvs.IpvsDestination') { throw "real servers came back as $($dns.Destinations[0].PSObject.TypeNames[0])" }
            $dns.Destinations | Set-IpvsDestination -Weight 9
            $dns | Add-IpvsDestination -Address 10.244.9.9 -Port 53 -Weight 2
            $services | Where-Object { $_.Port -eq 443 } | Set-IpvsService -PersistenceTimeout 600
            $services | Where-Object { $_.FirewallMark -eq 6 } | Remove-IpvsService
            $dns | Reset-IpvsStatistics
            Get-IpvsDestination 'UDP 10.96.0.10:53' -NetworkNamespace $ns | Copy-ViaRemoting | Remove-IpvsDestination
            """, Vars(ns));
        var saved = ns.Exec("ipvsadm", "-Sn");
        Assert.Contains("-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 9\n", saved);
        Assert.Contains("-a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 9\n", saved);
        Assert.Contains("-a -t 10.96.0.10:53 -r 10.244.9.9:53 -m -w 2\n", saved);
        Assert.Contains("-A -t 192.168.10.1:443 -s wrr -p 600 -M 255.255.255.0\n", saved);
        Assert.DoesNotContain("-f 6 -6", saved);
        Assert.DoesNotContain("-a -u 10.96.0.10:53", saved);
        Assert.Contains("-A -u 10.96.0.10:53 -s rr\n", saved);
    }

    [Fact]
    public void ServiceAddressesPortsNamesAndRealServersCompleteFromTheKernel()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        string[] Complete(string line) => _session.Ok("(TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object> { ["line"] = line }).Select(o => (string)o.BaseObject).ToArray();
        var n = $"-NetworkNamespace {ns.Name}";
        Assert.Equal(["10.96.0.20", "10.96.0.21"], Complete($"Get-IpvsService {n} -Address 10.96.0.2"));
        Assert.Equal(["10.96.0.10", "10.96.0.20", "10.96.0.21", "10.96.0.30", "10.96.0.40", "10.96.50.3"], Complete($"Get-IpvsService {n} -Address 10.96."));
        Assert.Equal(["10.96.0.30"], Complete($"Set-IpvsService {n} -Protocol Udp -Address 10.96.0.3"));
        Assert.Equal(["53"], Complete($"Remove-IpvsService {n} -Protocol Tcp -Address 10.96.0.10 -Port "));
        Assert.Equal(["443"], Complete($"Get-IpvsService {n} -Address 192.168.10.1 -Port "));
        Assert.Equal(["'TCP 10.96.0.10:53'"], Complete($"Get-IpvsDestination {n} -Service 'TCP 10.96.0.10:5"));
        Assert.Contains("'TCP [fd00:10:96::a]:53'", Complete($"Add-IpvsDestination {n} -Service TCP"));
        Assert.Contains("'FWM 5'", Complete($"Get-IpvsConnection {n} -Service F"));
        Assert.Equal(["10.244.1.5", "10.244.2.7"], Complete($"Set-IpvsDestination {n} -Service 'TCP 10.96.0.10:53' -Address 10.244."));
        Assert.Equal(["10.244.1.5"], Complete($"Remove-IpvsDestination {n} -Service 'UDP 10.96.0.10:53' -Address "));
        Assert.Equal(["10.0.0.50"], Complete($"Get-IpvsConnection {n} -DestinationAddress 10.0.0.5"));
        Assert.Empty(Complete($"Get-IpvsService {n} -Address 172."));
        // Test-ServiceReachability's virtual address and port complete from the same table.
        Assert.Equal(["10.96.0.20", "10.96.0.21"], Complete($"Test-ServiceReachability {n} -Address 10.96.0.2"));
        Assert.Equal(["10.96.0.30"], Complete($"Test-ServiceReachability {n} -Protocol Udp -Address 10.96.0.3"));
        Assert.Equal(["53"], Complete($"Test-ServiceReachability {n} -Address 10.96.0.10 -Port "));
    }

    [Fact]
    public void TheNodeViewsShowWhatIpvsadmShows()
    {
        using var ns = new TestNamespace();
        Lab.MakeConnections(ns);
        var vars = Vars(ns);
        var timeouts = RenderingHost.Lines(RenderingHost.Instance.Render("Get-IpvsTimeout -NetworkNamespace $ns", vars));
        Assert.Matches(@"^\s*Tcp\s+TcpFin\s+Udp$", timeouts[0]);
        Assert.Equal(Tokens(ns.Exec("ipvsadm", "-L", "--timeout").Trim())[^3..], Tokens(timeouts[2]));

        // ipvsadm -Lnc without its expiry column (time passes between the two reads).
        var connections = RenderingHost.Lines(RenderingHost.Instance.Render("Get-IpvsConnection -NetworkNamespace $ns", vars));
        Assert.Matches(@"^Pro\s+Expire\s+State\s+Source\s+Virtual\s+Destination$", connections[0]);
        string Row(string line) { var t = Tokens(line); return string.Join(' ', t.Take(1).Concat(t.Skip(2))); }
        var expected = ns.Exec("ipvsadm", "-Lnc").Split('\n').Skip(2).Where(l => l.Length > 0).Select(Row).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, connections.Skip(2).Select(Row).Order(StringComparer.Ordinal).ToList());

        _session.Ok("Start-IpvsSyncDaemon Backup -Interface vb -SyncId 6 -MulticastGroup 239.1.1.1 -MulticastPort 9000 -MulticastTtl 3 -MaxLength 1200 -NetworkNamespace $ns", vars);
        var daemons = RenderingHost.Lines(RenderingHost.Instance.Render("Get-IpvsSyncDaemon -NetworkNamespace $ns", vars));
        Assert.Matches(@"^State\s+Interface\s+SyncId\s+MaxLength\s+Group\s+Port\s+Ttl$", daemons[0]);
        Assert.Equal("backup sync daemon (mcast=vb, syncid=6, maxlen=1200, group=239.1.1.1, port=9000, ttl=3)\n", ns.Exec("ipvsadm", "-L", "--daemon"));
        Assert.Equal(["Backup", "vb", "6", "1200", "239.1.1.1", "9000", "3"], Tokens(daemons[2]));

        var destinations = RenderingHost.Lines(RenderingHost.Instance.Render("Get-IpvsDestination 'TCP 10.96.0.10:80' -NetworkNamespace $ns", vars));
        Assert.Matches(@"^\s*Service: TCP\s+10\.96\.0\.10:80$", destinations[0]);
        Assert.Matches(@"^RemoteAddress:Port\s+Forward\s+Weight\s+ActiveConn\s+InActConn$", destinations[1]);
        Assert.Matches(@"^10\.244\.0\.3:8080\s+Masq\s+1\s+\d+\s+\d+$", destinations[3]);
    }

    /// <summary>UDP services with real servers behind a veth, and datagrams through them, so the counters are not all 0.</summary>
    private static void TrafficTable(TestNamespace ns)
    {
        Lab.Dataplane(ns);
        Lab.IpvsadmRestore(ns, """
            -A -u 10.96.0.10:53 -s rr
            -a -u 10.96.0.10:53 -r 10.244.0.2:53 -m
            -a -u 10.96.0.10:53 -r 10.244.0.3:53 -m -w 2
            -A -u [fd00::10]:53 -s rr
            -a -u [fd00::10]:53 -r [fd00:244::2]:53 -m
            -A -t 10.96.0.10:80 -s rr
            -A -f 5 -s rr
            -a -f 5 -r 10.244.0.2:53 -m

            """);
        for (var i = 0; i < 3; i++) Lab.SendUdp(ns, "10.96.0.10", 53);
        Lab.SendUdp(ns, "fd00::10", 53);
    }

    private static string[] Tokens(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };
}
