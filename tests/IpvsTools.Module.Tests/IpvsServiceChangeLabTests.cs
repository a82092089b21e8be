using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// The service and real-server cmdlets through the built module in the lab kernel, cross-checked with
/// ipvsadm in the same namespace: what they make, `ipvsadm -Sn` lists; the issue's pipelines work, also
/// with objects deserialized as remoting delivers them; refusals leave the table as it was.
/// </summary>
[Trait("Tier", "Lab")]
public class IpvsServiceChangeLabTests
{
    private readonly PowerShellSession _session;

    public IpvsServiceChangeLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    private static Dictionary<string, object> Vars(TestNamespace ns) => new() { ["ns"] = ns.Name };

    /// <summary>Every kind of service and real server, made by the cmdlets; no wrapping addresses, so the order is fixed.</summary>
    internal const string BuildScript = """
        $n = @{ NetworkNamespace = $ns }
        New-IpvsService -Protocol Tcp -Address 10.96.0.10 -Port 53 -Scheduler rr @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.1.5 @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.2.7 -Port 5353 -Weight 0 @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.0.3 -ForwardingMethod Tunnel @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.0.4 -TunnelType Gue -TunnelPort 6080 -TunnelChecksum Checksum @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.0.5 -TunnelType Gue -TunnelPort 6081 -TunnelChecksum RemoteChecksum @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.0.6 -TunnelType Gue -TunnelPort 6082 @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.0.7 -TunnelType Gre -TunnelChecksum Checksum -Weight 2 @n
        Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.0.8 -TunnelType Gre @n
        New-IpvsService -Protocol Udp -Address 10.96.0.10 -Port 53 -Scheduler wrr @n
        Add-IpvsDestination -Service 'UDP 10.96.0.10:53' -Address 10.244.1.5 -Weight 3 @n
        New-IpvsService -Protocol Tcp -Address 10.96.0.11 -Port 443 -Scheduler wlc -PersistenceTimeout 10800 -PersistenceNetmask 255.255.255.0 @n
        Add-IpvsDestination -Service 'TCP 10.96.0.11:443' -Address 10.0.0.1 -ForwardingMethod Route -Weight 5 -UpperThreshold 100 -LowerThreshold 10 @n
        New-IpvsService -Protocol Tcp -Address 10.96.0.20 -Port 80 -Scheduler sh -SchedulerFlags sh-fallback,sh-port @n
        New-IpvsService -Protocol Tcp -Address 10.96.0.21 -Port 80 -Scheduler mh -SchedulerFlags mh-port @n
        New-IpvsService -Protocol Udp -Address 10.96.0.30 -Port 9000 -Scheduler rr -OnePacket -Persistent @n
        New-IpvsService -Protocol Udp -Address 10.96.0.31 -Port 5060 -Scheduler rr -PersistenceTimeout 30 -PersistenceEngine sip @n
        New-IpvsService -Protocol Sctp -Address 10.96.50.3 -Port 3868 -Scheduler rr @n
        New-IpvsService -Protocol Tcp -Address 10.96.0.40 -Port 0 -Scheduler rr -PersistenceTimeout 100 @n
        New-IpvsService -FirewallMark 5 -Scheduler rr -OnePacket @n
        Add-IpvsDestination -Service 'FWM 5' -Address 10.0.0.9 -ForwardingMethod Tunnel -Weight 2 @n
        New-IpvsService -FirewallMark 6 -IPv6 -Scheduler rr -PersistenceTimeout 20 -PersistenceNetmask 64 @n
        Add-IpvsDestination -Service 'FWM 6 IPv6' -Address fd00::9 -Port 80 -ForwardingMethod Route @n
        New-IpvsService -Protocol Tcp -Address fd00:10:96::a -Port 53 -Scheduler rr -PersistenceTimeout 60 -PersistenceNetmask 64 @n
        Add-IpvsDestination -Service 'TCP [fd00:10:96::a]:53' -Address fd00:10:244::5 @n
        """;

    internal const string BuildSaved = """
        -A -t 10.96.0.10:53 -s rr
        -a -t 10.96.0.10:53 -r 10.244.0.3:53 -i -w 1 --tun-type ipip
        -a -t 10.96.0.10:53 -r 10.244.0.4:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum
        -a -t 10.96.0.10:53 -r 10.244.0.5:53 -i -w 1 --tun-type gue --tun-port 6081 --tun-remcsum
        -a -t 10.96.0.10:53 -r 10.244.0.6:53 -i -w 1 --tun-type gue --tun-port 6082 --tun-nocsum
        -a -t 10.96.0.10:53 -r 10.244.0.7:53 -i -w 2 --tun-type gre --tun-csum
        -a -t 10.96.0.10:53 -r 10.244.0.8:53 -i -w 1 --tun-type gre --tun-nocsum
        -a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
        -a -t 10.96.0.10:53 -r 10.244.2.7:5353 -m -w 0
        -A -t 10.96.0.11:443 -s wlc -p 10800 -M 255.255.255.0
        -a -t 10.96.0.11:443 -r 10.0.0.1:443 -g -w 5
        -A -t 10.96.0.20:80 -s sh -b sh-fallback,sh-port
        -A -t 10.96.0.21:80 -s mh -b mh-port
        -A -t 10.96.0.40:0 -s rr -p 100
        -A -u 10.96.0.10:53 -s wrr
        -a -u 10.96.0.10:53 -r 10.244.1.5:53 -m -w 3
        -A -u 10.96.0.30:9000 -s rr -p 360 -o
        -A -u 10.96.0.31:5060 -s rr -p 30 --pe sip
        -A --sctp-service 10.96.50.3:3868 -s rr
        -A -t [fd00:10:96::a]:53 -s rr -p 60 -M 64
        -a -t [fd00:10:96::a]:53 -r [fd00:10:244::5]:53 -m -w 1
        -A -f 5 -s rr -o
        -a -f 5 -r 10.0.0.9:0 -i -w 2 --tun-type ipip
        -A -f 6 -6 -s rr -p 20 -M 64
        -a -f 6 -6 -r [fd00::9]:80 -g -w 1

        """;

    [Fact]
    public void WhatTheCmdletsMakeIpvsadmSaves()
    {
        using var ns = new TestNamespace();
        _session.Ok(BuildScript, Vars(ns));
        Assert.Equal(BuildSaved.Replace("\r\n", "\n"), ns.Exec("ipvsadm", "-Sn"));
        Assert.Matches(@"-> 10\.0\.0\.1:443\s+100\s+10\s", ns.Exec("ipvsadm", "-Ln", "--thresholds"));
    }

    [Fact]
    public void ThePipelinesOfTheIssueWork()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        _session.Ok("Get-IpvsService -Address 10.96.0.10 -Port 53 -Protocol UDP -NetworkNamespace $ns | Set-IpvsScheduler -Scheduler wrr", Vars(ns));
        Assert.Contains("-A -u 10.96.0.10:53 -s wrr\n", ns.Exec("ipvsadm", "-Sn"));
        _session.Ok("Get-IpvsService -Address 10.96.0.10 -NetworkNamespace $ns | Get-IpvsDestination | Set-IpvsDestination -Weight 0", Vars(ns));
        var saved = ns.Exec("ipvsadm", "-Sn");
        Assert.Contains("-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 0\n", saved);
        Assert.Contains("-a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 0\n", saved);
        Assert.Contains("-a -u 10.96.0.10:53 -r 10.244.1.5:53 -m -w 0\n", saved);
        // Nothing else changed.
        Assert.Contains("-a -t 192.168.10.1:443 -r 10.0.0.1:443 -g -w 5\n", saved);
        Assert.Contains("-a -f 5 -r 10.0.0.9:0 -i -w 2 --tun-type ipip\n", saved);
    }

    [Fact]
    public void DeserializedObjectsPipeIntoSetAndRemove()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        // PSSerializer round trips are what remoting delivers: property bags, enums as numbers, IPAddress as a bag.
        _session.Ok("""
            function Copy-ViaRemoting($o) { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 4)) }
            $d = Copy-ViaRemoting @(Get-IpvsDestination 'TCP 10.96.0.10:53' -NetworkNamespace $ns)
            if ($d[0].PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.Ipvs.IpvsDestination') { throw "not deserialized: $($d[0].PSObject.TypeNames[0])" }
            $d | Set-IpvsDestination -Weight 7
            Copy-ViaRemoting @(Get-IpvsDestination 'TCP [fd00:10:96::a]:53' -NetworkNamespace $ns) | Set-IpvsDestination -Weight 4
            Copy-ViaRemoting @(Get-IpvsService -FirewallMark 5 -NetworkNamespace $ns) | Set-IpvsScheduler -Scheduler lc
            Copy-ViaRemoting @(Get-IpvsService -Address fd00:10:96::a -NetworkNamespace $ns) | Set-IpvsScheduler -Scheduler wrr
            Copy-ViaRemoting @(Get-IpvsDestination 'UDP 10.96.0.10:53' -NetworkNamespace $ns) | Remove-IpvsDestination
            Copy-ViaRemoting @(Get-IpvsService -Protocol Sctp -NetworkNamespace $ns) | Remove-IpvsService
            Copy-ViaRemoting @(Get-IpvsService -FirewallMark 6 -NetworkNamespace $ns) | Remove-IpvsService
            """, Vars(ns));
        var saved = ns.Exec("ipvsadm", "-Sn");
        Assert.Contains("-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 7\n", saved);
        Assert.Contains("-a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 7\n", saved);
        Assert.Contains("-a -t [fd00:10:96::a]:53 -r [fd00:10:244::5]:53 -m -w 4\n", saved);
        Assert.Contains("-A -f 5 -s lc\n", saved);
        Assert.Contains("-A -t [fd00:10:96::a]:53 -s wrr -p 60 -M 64\n", saved);
        Assert.Contains("-A -u 10.96.0.10:53 -s rr\n", saved);
        Assert.DoesNotContain("-a -u 10.96.0.10:53", saved);
        Assert.DoesNotContain("--sctp-service", saved);
        Assert.DoesNotContain("-f 6 -6", saved);
    }

    [Fact]
    public void RefusalsAreNamedAndLeaveTheTableAsItWas()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var before = ns.Exec("ipvsadm", "-Sn");

        void Refused(string script, string errorId, ErrorCategory category, string? target = null, string? words = null)
        {
            var result = _session.Run(script, Vars(ns));
            var error = Assert.Single(result.AllErrors);
            Assert.Equal(errorId, error.FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(category, error.CategoryInfo.Category);
            if (target is not null) Assert.Equal(target, error.TargetObject);
            if (words is not null) Assert.Contains(words, error.Exception.Message);
            Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));
        }

        Refused("New-IpvsService -Protocol Tcp -Address 10.96.0.10 -Port 53 -Scheduler rr -NetworkNamespace $ns",
            "NewIpvsServiceAlreadyExists", ErrorCategory.ResourceExists, "TCP 10.96.0.10:53", "already exists");
        Refused("New-IpvsService -Protocol Tcp -Address 10.96.0.99 -Port 53 -Scheduler fastest -NetworkNamespace $ns",
            "NewIpvsServiceUnknownScheduler", ErrorCategory.InvalidArgument, "TCP 10.96.0.99:53", "modprobe ip_vs_fastest");
        Refused("New-IpvsService -Protocol Tcp -Address 10.96.0.99 -Port 53 -Scheduler rr -SchedulerFlags sh-port -NetworkNamespace $ns",
            "NewIpvsServiceInvalidSchedulerFlag", ErrorCategory.InvalidArgument, "TCP 10.96.0.99:53", "belongs to the sh scheduler");
        Refused("New-IpvsService -Protocol Tcp -Address 10.96.0.99 -Port 53 -OnePacket -NetworkNamespace $ns",
            "NewIpvsServiceInvalidArgument", ErrorCategory.InvalidArgument, "TCP 10.96.0.99:53", "one-packet");
        Refused("New-IpvsService -Protocol Tcp -Address 10.96.0.99 -Port 0 -NetworkNamespace $ns",
            "NewIpvsServiceInvalidArgument", ErrorCategory.InvalidArgument, "TCP 10.96.0.99:0", "port 0");
        Refused("New-IpvsService -Protocol Tcp -Address fd00::99 -Port 53 -PersistenceTimeout 60 -PersistenceNetmask 255.255.255.0 -NetworkNamespace $ns",
            "NewIpvsServiceInvalidArgument", ErrorCategory.InvalidArgument, "TCP [fd00::99]:53", "prefix length");
        Refused("Remove-IpvsService -Protocol Tcp -Address 10.96.0.99 -Port 53 -NetworkNamespace $ns",
            "RemoveIpvsServiceNotFound", ErrorCategory.ObjectNotFound, "TCP 10.96.0.99:53");
        Refused("Set-IpvsScheduler -FirewallMark 99 -Scheduler rr -NetworkNamespace $ns",
            "SetIpvsSchedulerNotFound", ErrorCategory.ObjectNotFound, "FWM 99");
        Refused("Set-IpvsScheduler -Service 'TCP 10.96.0.20:80' -Scheduler mh -SchedulerFlags sh-port -NetworkNamespace $ns",
            "SetIpvsSchedulerInvalidSchedulerFlag", ErrorCategory.InvalidArgument, "TCP 10.96.0.20:80", "mh-fallback, mh-port");
        Refused("Set-IpvsService -Service 'TCP 10.96.0.10:53' -NetworkNamespace $ns",
            "SetIpvsServiceNothingToChange", ErrorCategory.InvalidArgument, "TCP 10.96.0.10:53");
        Refused("Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.1.5 -NetworkNamespace $ns",
            "AddIpvsDestinationAlreadyExists", ErrorCategory.ResourceExists, "TCP 10.96.0.10:53 -> 10.244.1.5:53", "already has real server 10.244.1.5:53");
        Refused("Add-IpvsDestination -Service 'TCP 10.96.0.99:53' -Address 10.244.1.5 -NetworkNamespace $ns",
            "AddIpvsDestinationNotFound", ErrorCategory.ObjectNotFound, "TCP 10.96.0.99:53 -> 10.244.1.5:53", "no IPVS service TCP 10.96.0.99:53");
        Refused("Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.1.6 -UpperThreshold 5 -LowerThreshold 10 -NetworkNamespace $ns",
            "AddIpvsDestinationInvalidArgument", ErrorCategory.InvalidArgument, "TCP 10.96.0.10:53 -> 10.244.1.6:53", "lower threshold");
        Refused("Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.1.6 -Port 8053 -ForwardingMethod Route -NetworkNamespace $ns",
            "AddIpvsDestinationPortNotAllowed", ErrorCategory.InvalidArgument, "TCP 10.96.0.10:53 -> 10.244.1.6:8053");
        Refused("Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address fd00::6 -NetworkNamespace $ns",
            "AddIpvsDestinationAddressFamilyMismatch", ErrorCategory.InvalidArgument, "TCP 10.96.0.10:53 -> [fd00::6]:53");
        Refused("Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.1.6 -TunnelType Gue -NetworkNamespace $ns",
            "AddIpvsDestinationInvalidArgument", ErrorCategory.InvalidArgument, null, "GUE tunnel needs its destination port");
        Refused("Add-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 224.0.0.1 -NetworkNamespace $ns",
            "AddIpvsDestinationInvalidArgument", ErrorCategory.InvalidArgument, "TCP 10.96.0.10:53 -> 224.0.0.1:53", "unicast");
        Refused("Set-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.9.9 -Weight 3 -NetworkNamespace $ns",
            "SetIpvsDestinationNotFound", ErrorCategory.ObjectNotFound, "TCP 10.96.0.10:53 -> 10.244.9.9");
        Refused("Set-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.1.5 -NetworkNamespace $ns",
            "SetIpvsDestinationNothingToChange", ErrorCategory.InvalidArgument);
        Refused("Set-IpvsDestination -Service 'TCP 10.96.0.10:53' -Address 10.244.1.5 -TunnelPort 6080 -NetworkNamespace $ns",
            "SetIpvsDestinationInvalidArgument", ErrorCategory.InvalidArgument, "TCP 10.96.0.10:53 -> 10.244.1.5:53", "need Tunnel forwarding");
        Refused("Remove-IpvsDestination -Service 'UDP 10.96.0.10:53' -Address 10.244.2.7 -NetworkNamespace $ns",
            "RemoveIpvsDestinationNotFound", ErrorCategory.ObjectNotFound, "UDP 10.96.0.10:53 -> 10.244.2.7");
        Refused("Get-IpvsDestination -Service 'TCP 10.96.0.99:1' -NetworkNamespace $ns",
            "GetIpvsDestinationServiceNotFound", ErrorCategory.ObjectNotFound, "TCP 10.96.0.99:1");
        // Bad input the binder refuses never reaches the cmdlet or the kernel.
        var notAService = _session.Run("Set-IpvsScheduler -Service 'HTTP 10.0.0.1:80' -Scheduler rr -NetworkNamespace $ns", Vars(ns));
        Assert.Contains("is not an IPVS service", Assert.Single(notAService.AllErrors).Exception.Message);
        Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));
    }

    [Fact]
    public void WhatIfChangesNothingPassThruWritesAndClearNeedsConfirmation()
    {
        using var ns = new TestNamespace();
        Lab.IpvsadmRestore(ns, Lab.SampleTable);
        var before = ns.Exec("ipvsadm", "-Sn");
        _session.Ok("""
            New-IpvsService -Protocol Tcp -Address 10.96.0.99 -Port 80 -NetworkNamespace $ns -WhatIf
            Set-IpvsScheduler -Service 'TCP 10.96.0.10:53' -Scheduler lc -NetworkNamespace $ns -WhatIf
            Get-IpvsDestination -NetworkNamespace $ns | Set-IpvsDestination -Weight 9 -WhatIf
            Get-IpvsDestination -NetworkNamespace $ns | Remove-IpvsDestination -WhatIf
            Get-IpvsService -NetworkNamespace $ns | Remove-IpvsService -WhatIf
            Clear-IpvsService -NetworkNamespace $ns -WhatIf
            """, Vars(ns));
        Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));

        var created = _session.Ok("New-IpvsService -Protocol Udp -Address 10.96.0.99 -Port 53 -Scheduler rr -NetworkNamespace $ns -PassThru", Vars(ns)).Single();
        Assert.Equal("UDP 10.96.0.99:53", created.ToString());
        Assert.Equal(ns.Name, created.Properties["NetworkNamespace"].Value);
        var destination = _session.Ok("Get-IpvsService -Address 10.96.0.99 -NetworkNamespace $ns | Add-IpvsDestination -Address 10.244.1.9 -PassThru", Vars(ns)).Single();
        Assert.Equal("10.244.1.9:53", destination.ToString());
        var changed = _session.Ok("Set-IpvsDestination -Service 'UDP 10.96.0.99:53' -Address 10.244.1.9 -Weight 4 -NetworkNamespace $ns -PassThru", Vars(ns)).Single();
        Assert.Equal(4, changed.Properties["Weight"].Value);
        var scheduler = _session.Ok("Set-IpvsScheduler -Service 'UDP 10.96.0.99:53' -Scheduler sh -SchedulerFlags sh-port -NetworkNamespace $ns -PassThru", Vars(ns)).Single();
        Assert.Equal(new[] { "sh-port" }, (string[])scheduler.Properties["Flags"].Value);
        var persistent = _session.Ok("Set-IpvsService -Service 'UDP 10.96.0.99:53' -PersistenceTimeout 120 -OnePacket -NetworkNamespace $ns -PassThru", Vars(ns)).Single();
        Assert.Equal(new[] { "persistent", "one-packet", "sh-port" }, (string[])persistent.Properties["Flags"].Value);
        Assert.Contains("-A -u 10.96.0.99:53 -s sh -p 120 -o -b sh-port\n", ns.Exec("ipvsadm", "-Sn"));
        var removed = _session.Ok("Remove-IpvsService -Service 'UDP 10.96.0.99:53' -NetworkNamespace $ns -PassThru", Vars(ns)).Single();
        Assert.Single((System.Collections.IEnumerable)removed.Properties["Destinations"].Value);

        // Clear-IpvsService asks first (ConfirmImpact High): a host that cannot prompt refuses, and nothing is removed.
        var unconfirmed = _session.Run("Clear-IpvsService -NetworkNamespace $ns", Vars(ns));
        Assert.NotEmpty(unconfirmed.AllErrors);
        Assert.Equal(before, ns.Exec("ipvsadm", "-Sn"));
        var cleared = _session.Ok("Clear-IpvsService -NetworkNamespace $ns -Confirm:$false -PassThru", Vars(ns));
        Assert.Equal(14, cleared.Count);
        Assert.Equal("", ns.Exec("ipvsadm", "-Sn"));
    }

    [Fact]
    public void ChangesToKubeProxysServicesWarnThatItWillRevertThem()
    {
        using var ns = new TestNamespace();
        Lab.Dataplane(ns);
        Lab.IpvsadmRestore(ns, "-A -u 10.96.0.10:53 -s rr\n-A -t 10.96.0.99:80 -s rr\n-A -t [fd00::10]:80 -s rr\n");
        string[] Warnings(string script) => _session.Ok(script + " 3>&1 | Where-Object { $_ -is [System.Management.Automation.WarningRecord] } | ForEach-Object { $_.Message }", Vars(ns))
            .Select(o => (string)o.BaseObject).ToArray();
        var warning = Assert.Single(Warnings("Set-IpvsScheduler -Service 'UDP 10.96.0.10:53' -Scheduler wrr -NetworkNamespace $ns"));
        Assert.Contains("10.96.0.10 is on kube-ipvs0", warning);
        Assert.Contains("kube-proxy owns this service and will set the scheduler back", warning);
        Assert.Contains("-A -u 10.96.0.10:53 -s wrr\n", ns.Exec("ipvsadm", "-Sn"));
        // Not on kube-ipvs0 (fd00::10 is on lo; 10.96.0.99 nowhere): no warning.
        Assert.Empty(Warnings("Set-IpvsScheduler -Service 'TCP 10.96.0.99:80' -Scheduler wrr -NetworkNamespace $ns"));
        Assert.Empty(Warnings("Set-IpvsScheduler -Service 'TCP [fd00::10]:80' -Scheduler wrr -NetworkNamespace $ns"));
    }
}
