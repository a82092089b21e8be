using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>Get-IpvsInfo, the timeouts, Reset-IpvsStatistics, Get-IpvsConnection and the sync daemons through the built module, against ipvsadm.</summary>
[Trait("Tier", "Lab")]
public class IpvsNodeCmdletsLabTests
{
    private readonly PowerShellSession _session;

    public IpvsNodeCmdletsLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    private static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };

    private string[] Strings(string script, TestNamespace ns) => _session.Ok(script, Vars(ns)).Select(o => o.ToString()).ToArray();

    [Fact]
    public void InfoShowsTheVersionLineAndTheNamespacesSysctls()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, "-A -t 10.0.0.1:80 -s rr\n");
        ns.Exec("sysctl", "-q", "-w", "net.ipv4.vs.conntrack=1", "net.ipv4.vs.expire_nodest_conn=1", "net.ipv4.vs.expire_quiescent_template=0");
        var info = _session.Ok("Get-IpvsInfo -NetworkNamespace $ns", Vars(ns)).Single();
        Assert.Equal(ns.Exec("ipvsadm", "-Ln").Split('\n')[0], info.ToString());
        Assert.Equal("1.2.1", info.Properties["VersionText"].Value);
        foreach (var (property, sysctl) in new[] { ("Conntrack", "conntrack"), ("ExpireNodestConn", "expire_nodest_conn"), ("ExpireQuiescentTemplate", "expire_quiescent_template"), ("ConnReuseMode", "conn_reuse_mode") })
            Assert.Equal(ns.Exec("sysctl", "-n", "net.ipv4.vs." + sysctl).Trim(), info.Properties[property].Value?.ToString());
        Assert.Equal(ns.Name, info.Properties["NetworkNamespace"].Value);
    }

    [Fact]
    public void TimeoutsReadAndChangeAsIpvsadmSeesThem()
    {
        using var ns = new TestNamespace();
        using var other = new TestNamespace();
        Assert.Equal(ns.Exec("ipvsadm", "-L", "--timeout").TrimEnd('\n'), Strings("Get-IpvsTimeout -NetworkNamespace $ns", ns).Single());
        var changed = _session.Ok("Set-IpvsTimeout -Udp 60 -TcpFin 30 -NetworkNamespace $ns -PassThru", Vars(ns)).Single();
        Assert.Equal("Timeout (tcp tcpfin udp): 900 30 60\n", ns.Exec("ipvsadm", "-L", "--timeout"));
        Assert.Equal(60u, changed.Properties["Udp"].Value);
        _session.Ok("Get-IpvsTimeout -NetworkNamespace $ns | Set-IpvsTimeout -NetworkNamespace $other", new Dictionary<string, object> { ["ns"] = ns.Name, ["other"] = other.Name });
        Assert.Equal("Timeout (tcp tcpfin udp): 900 30 60\n", other.Exec("ipvsadm", "-L", "--timeout"));
        _session.Ok("Set-IpvsTimeout -Tcp 100 -NetworkNamespace $ns -WhatIf", Vars(ns));
        var nothing = _session.Run("Set-IpvsTimeout -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("SetIpvsTimeoutNothingToChange", Assert.Single(nothing.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        var tooLong = _session.Run("Set-IpvsTimeout -Tcp 2678401 -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("ParameterArgumentValidationError", Assert.Single(tooLong.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Equal("Timeout (tcp tcpfin udp): 900 30 60\n", ns.Exec("ipvsadm", "-L", "--timeout"));
    }

    [Fact]
    public void StatisticsResetForPipedServicesOrAll()
    {
        using var ns = new TestNamespace();
        Lab.MakeConnections(ns);
        Lab.WaitUntil(() => ns.Exec("ipvsadm", "-Ln", "--stats").Split('\n').Count(l => l.StartsWith("UDP ") && !l.TrimEnd().EndsWith(" 0")) >= 2,
            "both UDP services count their packet");
        var packets = _session.Ok("(Get-IpvsService -Address 10.96.0.10 -Port 53 -Protocol Udp -NetworkNamespace $ns | Reset-IpvsStatistics -PassThru).Statistics.IncomingPackets", Vars(ns)).Single();
        Assert.Equal(0ul, packets.BaseObject);
        var stats = ns.Exec("ipvsadm", "-Ln", "--stats");
        Assert.Matches(@"UDP\s+10\.96\.0\.10:53\s+0\s+0\s+0\s+0\s+0", stats);
        Assert.Matches(@"UDP\s+\[fd00::10\]:53\s+1\s+1\s", stats);
        _session.Ok("Reset-IpvsStatistics -NetworkNamespace $ns -WhatIf", Vars(ns));
        Assert.Matches(@"UDP\s+\[fd00::10\]:53\s+1\s+1\s", ns.Exec("ipvsadm", "-Ln", "--stats"));
        _session.Ok("Reset-IpvsStatistics -NetworkNamespace $ns", Vars(ns));
        Assert.Matches(@"UDP\s+\[fd00::10\]:53\s+0\s+0\s+0\s+0\s+0", ns.Exec("ipvsadm", "-Ln", "--stats"));
        var missing = _session.Run("Reset-IpvsStatistics -Service 'TCP 10.9.9.9:1' -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("ResetIpvsStatisticsNotFound", Assert.Single(missing.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void ConnectionsAreReadInTheNamespaceAndFiltered()
    {
        using var ns = new TestNamespace();
        Lab.MakeConnections(ns);
        var all = Strings("Get-IpvsConnection -NetworkNamespace $ns | ForEach-Object { \"$_\" }", ns);
        Assert.Equal(Lab.IpvsadmConnections(ns),
            all.Select(Lab.WithoutExpiry).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(["UDP 10.96.0.10:53"], Strings("Get-IpvsService -Address 10.96.0.10 -Protocol Udp -NetworkNamespace $ns | Get-IpvsConnection | ForEach-Object { \"$($_.Protocol) $($_.Virtual)\" }", ns));
        Assert.Equal(["[fd00:244::2]:53"], Strings("Get-IpvsConnection -NetworkNamespace $ns -DestinationAddress fd00:244::2 | ForEach-Object Destination", ns));
        Assert.Equal(["NONE"], Strings("Get-IpvsConnection -NetworkNamespace $ns -Service 'TCP 10.96.0.10:80' -State N* | ForEach-Object State", ns));
        Assert.Equal(2, Strings("Get-IpvsConnection -NetworkNamespace $ns -State udp | ForEach-Object State", ns).Length);
        // A fwmark service's connections are those to its real servers (FWM 5 balances to 10.244.0.2:53 too).
        Assert.Equal(["10.244.0.2:53"], Strings("Get-IpvsConnection 'FWM 5' -NetworkNamespace $ns | ForEach-Object Destination", ns));
        Assert.Empty(Strings("Get-IpvsConnection -NetworkNamespace $ns -ClientAddress 192.0.2.99", ns));
    }

    [Fact]
    public void SyncDaemonsStartListAndStop()
    {
        using var ns = new TestNamespace();
        ns.Exec("ip", "link", "add", "va", "type", "veth", "peer", "name", "vb");
        ns.Exec("ip", "addr", "add", "192.0.2.1/24", "dev", "va");
        ns.Exec("ip", "link", "set", "va", "up");
        ns.Exec("ip", "link", "set", "vb", "up");
        Assert.Empty(_session.Ok("Get-IpvsSyncDaemon -NetworkNamespace $ns", Vars(ns)));
        var started = _session.Ok("Start-IpvsSyncDaemon -State Master -Interface va -SyncId 5 -NetworkNamespace $ns -PassThru", Vars(ns)).Single();
        Assert.Equal("master sync daemon (mcast=va, syncid=5, maxlen=1472, group=224.0.0.81, port=8848, ttl=1)", started.ToString());
        _session.Ok("Start-IpvsSyncDaemon Backup -Interface vb -SyncId 6 -MulticastGroup 239.1.1.1 -MulticastPort 9000 -MulticastTtl 3 -MaxLength 1200 -NetworkNamespace $ns", Vars(ns));
        Assert.Equal(ns.Exec("ipvsadm", "-L", "--daemon"), string.Concat(Strings("Get-IpvsSyncDaemon -NetworkNamespace $ns | ForEach-Object { \"$_\" }", ns).Select(l => l + "\n")));
        Assert.Single(_session.Ok("Get-IpvsSyncDaemon Backup -NetworkNamespace $ns", Vars(ns)));

        var twice = _session.Run("Start-IpvsSyncDaemon Master -Interface va -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("StartIpvsSyncDaemonAlreadyExists", Assert.Single(twice.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        var badGroup = _session.Run("Start-IpvsSyncDaemon Backup -Interface vb -MulticastGroup 10.0.0.1 -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("StartIpvsSyncDaemonInvalidArgument", Assert.Single(badGroup.AllErrors).FullyQualifiedErrorId.Split(',')[0]);

        var stopped = _session.Ok("Get-IpvsSyncDaemon Master -NetworkNamespace $ns | Stop-IpvsSyncDaemon -PassThru", Vars(ns)).Single();
        Assert.Equal(started.ToString(), stopped.ToString());
        Assert.Equal("backup sync daemon (mcast=vb, syncid=6, maxlen=1200, group=239.1.1.1, port=9000, ttl=3)\n", ns.Exec("ipvsadm", "-L", "--daemon"));
        var again = _session.Run("Stop-IpvsSyncDaemon Master -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("StopIpvsSyncDaemonNotFound", Assert.Single(again.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("no master sync daemon is running", again.AllErrors.Single().Exception.Message);
        var noDevice = _session.Run("Start-IpvsSyncDaemon Master -Interface nosuch0 -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("StartIpvsSyncDaemonNotFound", Assert.Single(noDevice.AllErrors).FullyQualifiedErrorId.Split(',')[0]);
        _session.Ok("Stop-IpvsSyncDaemon Backup -NetworkNamespace $ns", Vars(ns));
        Assert.Equal("", ns.Exec("ipvsadm", "-L", "--daemon"));
    }

    [Fact]
    public void OutputSurvivesASerializationRoundTrip()
    {
        using var ns = new TestNamespace();
        Lab.MakeConnections(ns);
        ns.Exec("ip", "addr", "add", "192.0.2.1/24", "dev", "vb");
        _session.Ok("Start-IpvsSyncDaemon Master -Interface vb -SyncId 9 -NetworkNamespace $ns", Vars(ns));
        var differences = _session.Ok("""
            function Compare-Copy($original, $copy, $path) {
                if ($copy.PSObject.TypeNames[0] -ne "Deserialized.$($original.GetType().FullName)") { "$path type name $($copy.PSObject.TypeNames[0])" }
                if ("$original" -ne "$copy") { "$path printed '$original' became '$copy'" }
                foreach ($p in $original.PSObject.Properties) {
                    $value = $copy.($p.Name)
                    if ($p.Value -is [enum]) { $value = $value -as $p.Value.GetType() }
                    if ("$($p.Value)" -ne "$value") { "$path.$($p.Name): '$($p.Value)' became '$value'" }
                }
            }
            $objects = @(Get-IpvsInfo -NetworkNamespace $ns) + @(Get-IpvsTimeout -NetworkNamespace $ns) + @(Get-IpvsConnection -NetworkNamespace $ns) +
                @(Get-IpvsSyncDaemon -NetworkNamespace $ns) + @(Get-IpvsDestination -NetworkNamespace $ns)
            if ($objects.Count -lt 8) { "only $($objects.Count) objects" }
            foreach ($o in $objects) {
                Compare-Copy $o ([System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 4))) "$o"
            }
            """, Vars(ns));
        Assert.Empty(differences.Select(o => o.ToString()));
    }
}
