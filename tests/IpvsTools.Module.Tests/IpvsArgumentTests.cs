using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Argument handling without a kernel: the transformations that turn strings and deserialized objects
/// back into addresses and service keys, and the Tab completers of -Scheduler and -SchedulerFlags.
/// </summary>
public class IpvsArgumentTests(PowerShellSession session)
{
    private string[] Strings(string script) => session.Ok(script).Select(o => o.ToString()).ToArray();

    [Fact]
    public void AddressesComeBackFromStringsAndDeserializedBags()
    {
        Assert.Equal(["10.96.0.10", "fd00::1", "fd00::2"], Strings("""
            $t = [IpvsTools.Commands.IPAddressTransformationAttribute]::new()
            # PowerShell 7 rehydrates IPAddress itself; older peers and nested depths can deliver a property bag like this one.
            $bag = [pscustomobject]@{ AddressFamily = 2; IPAddressToString = '10.96.0.10' }
            $bag.PSObject.TypeNames.Insert(0, 'Deserialized.System.Net.IPAddress')
            $bag.PSObject.Methods.Add([System.Management.Automation.PSScriptMethod]::new('ToString', { '10.96.0.10' }))
            $t.Transform($null, $bag).ToString()
            $t.Transform($null, 'fd00::1').ToString()
            $t.Transform($null, '[fd00::2]').ToString()
            """));
        var error = session.Run("[IpvsTools.Commands.IPAddressTransformationAttribute]::new().Transform($null, '10.96.0.300')");
        Assert.Contains("is not an IP address", Assert.Single(error.AllErrors).Exception.InnerException?.Message ?? Assert.Single(error.AllErrors).Exception.Message);
    }

    [Fact]
    public void ServiceKeysComeBackFromNamesObjectsAndDeserializedBags()
    {
        Assert.Equal(["TCP 10.96.0.10:53", "UDP [fd00::10]:53", "FWM 5 IPv6", "SCTP 10.0.0.1:3868", "TCP 10.96.0.10:53", "FWM 7", "UDP [fd00::10]:53", "TCP 10.96.0.11:80"], Strings("""
            $t = [IpvsTools.Commands.IpvsServiceKeyTransformationAttribute]::new()
            function Copy-ViaRemoting($o) { [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($o, 4)) }
            $key = [IpvsTools.Ipvs.IpvsServiceKey]::ForAddress('Tcp', [ipaddress]'10.96.0.10', 53)
            $v6 = [IpvsTools.Ipvs.IpvsServiceKey]::ForAddress('Udp', [ipaddress]'fd00::10', 53)
            $mark = [IpvsTools.Ipvs.IpvsServiceKey]::ForFirewallMark(5, 'InterNetworkV6')
            $t.Transform($null, 'TCP 10.96.0.10:53').DisplayName
            $t.Transform($null, (Copy-ViaRemoting $v6)).DisplayName
            $t.Transform($null, (Copy-ViaRemoting $mark)).DisplayName
            $t.Transform($null, 'sctp  10.0.0.1:3868').DisplayName
            $service = [IpvsTools.Ipvs.IpvsService]::new($key, 'rr', 0, 0, '255.255.255.255', $null, $null, [IpvsTools.Ipvs.IpvsStatistics]::Zero, [IpvsTools.Ipvs.IpvsRates]::Zero, $null)
            $t.Transform($null, (Copy-ViaRemoting $service)).DisplayName
            $t.Transform($null, [pscustomobject]@{ FirewallMark = 7; AddressFamily = 'IPv4' }).DisplayName
            $t.Transform($null, [pscustomobject]@{ Protocol = 17; Address = 'fd00::10'; Port = 53; FirewallMark = 0 }).DisplayName
            @($t.Transform($null, @('TCP 10.96.0.11:80')))[0].DisplayName
            """));
        var error = session.Run("[IpvsTools.Commands.IpvsServiceKeyTransformationAttribute]::new().Transform($null, 'HTTP 10.0.0.1:80')");
        Assert.Contains("is not an IPVS service", string.Join(" ", error.AllErrors.Select(e => e.Exception.InnerException?.Message ?? e.Exception.Message)));
    }

    [Fact]
    public void SchedulerNamesAndTheirFlagsCompleteOnTab()
    {
        string[] Complete(string line) => Strings($"(TabExpansion2 -inputScript '{line}' -cursorColumn {line.Length}).CompletionMatches | ForEach-Object CompletionText");
        Assert.Equal(["wlc", "wrr"], Complete("Set-IpvsScheduler -Scheduler w"));
        Assert.Contains("mh", Complete("New-IpvsService -Scheduler "));
        Assert.Equal(["sh-fallback", "sh-port"], Complete("New-IpvsService -Scheduler sh -SchedulerFlags sh"));
        Assert.Equal(["mh-fallback", "mh-port"], Complete("Set-IpvsScheduler -Scheduler mh -SchedulerFlags m"));
        Assert.Equal(["flag-1", "flag-2", "flag-3"], Complete("Set-IpvsScheduler -Scheduler wrr -SchedulerFlags "));
    }
}
