namespace IpvsTools.ModuleTests.Refusals;

/// <summary>
/// For every exported cmdlet, arguments that pass its own checks and so reach the kernel in the
/// namespace <see cref="RefusalNode"/> prepares ($snapshot and $rules name readable files there).
/// A cmdlet exported without a row here fails <see cref="RefusalLabTests"/>: add its row.
/// </summary>
internal static class KernelCmdletArguments
{
    /// <summary>Cmdlets the kernel refuses without CAP_NET_ADMIN: each must fail with PermissionDenied and say what to do.</summary>
    public static readonly IReadOnlyDictionary<string, string> NeedCapNetAdmin = new Dictionary<string, string>
    {
        ["Get-Ipset"] = "",
        ["New-Ipset"] = "NEWSET hash:ip",
        ["Remove-Ipset"] = "Y -Confirm:$false",
        ["Clear-Ipset"] = "X -Confirm:$false",
        ["Rename-Ipset"] = "Y Y2",
        ["Switch-Ipset"] = "X Y",
        ["Add-IpsetMember"] = "X 10.0.0.9",
        ["Remove-IpsetMember"] = "X 10.0.0.1",
        ["Test-IpsetMember"] = "X 10.0.0.1",
        ["Export-Ipset"] = "",
        ["Import-Ipset"] = "-InputObject 'create Z hash:ip'",
        ["Get-KubeIpset"] = "",
        ["Get-KubeIptablesRule"] = "",
        ["Test-KubeIptablesRule"] = "",
        ["Get-KubeIpvsPlan"] = "-Path $snapshot -NodeName node-a",
        ["Get-IpvsService"] = "",
        ["New-IpvsService"] = "-Address 10.96.0.99 -Protocol Tcp -Port 80",
        ["Set-IpvsService"] = "-Address 10.96.0.10 -Protocol Tcp -Port 53 -Persistent",
        ["Set-IpvsScheduler"] = "-Address 10.96.0.10 -Protocol Tcp -Port 53 -Scheduler wrr",
        ["Remove-IpvsService"] = "-Address 10.96.0.10 -Protocol Tcp -Port 53",
        ["Clear-IpvsService"] = "-Confirm:$false",
        ["Get-IpvsDestination"] = "",
        ["Add-IpvsDestination"] = "10.244.1.9 -Service 'TCP 10.96.0.10:53' -Port 53",
        ["Set-IpvsDestination"] = "10.244.1.5 -Service 'TCP 10.96.0.10:53' -Port 53 -Weight 3",
        ["Remove-IpvsDestination"] = "10.244.1.5 -Service 'TCP 10.96.0.10:53' -Port 53",
        ["Export-IpvsConfig"] = "",
        ["Import-IpvsConfig"] = "-Path $rules",
        ["Get-IpvsInfo"] = "",
        ["Get-IpvsTimeout"] = "",
        ["Set-IpvsTimeout"] = "-Tcp 901",
        ["Reset-IpvsStatistics"] = "",
        ["Get-IpvsSyncDaemon"] = "",
        ["Start-IpvsSyncDaemon"] = "Master -Interface lo",
        ["Stop-IpvsSyncDaemon"] = "Master",
        ["Test-ServiceReachability"] = "10.96.0.10 53 -Protocol Udp -TimeoutSeconds 1",
        ["Sync-KubeIpvs"] = "-Path $snapshot -NodeName node-a -Confirm:$false",
        ["Compare-KubeIpvs"] = "-Path $snapshot -NodeName node-a",
        ["Remove-KubeIpvs"] = "-Confirm:$false",
        // -Mode Auto asks nft first, which needs CAP_NET_ADMIN.
        ["Get-KubeProxyService"] = "",
        // The same detection as Get-KubeProxyService, after the snapshot is read.
        ["Compare-KubeProxyService"] = "-Path $snapshot -NodeName node-a",
        // Reads the IPVS table (and nft, ipsets, iptables) of the namespace.
        ["Test-KubeProxyMigration"] = "",
    };

    /// <summary>Cmdlets whose kernel interface answers every user; each must succeed without privileges. Value: arguments, and why.</summary>
    public static readonly IReadOnlyDictionary<string, (string Arguments, string Why)> KernelAllows = new Dictionary<string, (string, string)>
    {
        ["Get-KubeIpvsInterface"] = ("", "rtnetlink answers link and address dumps for every user, as `ip addr` shows"),
        ["Get-IpvsConnection"] = ("", "/proc/net/ip_vs_conn is world-readable (mode 0444)"),
    };

    /// <summary>
    /// Bad input each cmdlet must refuse with its own check, before any kernel request: run without
    /// CAP_NET_ADMIN, a kernel request would fail PermissionDenied first. Value: the ErrorId expected
    /// (before the comma of FullyQualifiedErrorId).
    /// </summary>
    public static readonly (string Script, string ErrorId)[] Invalid =
    [
        // ports over 65535
        ("New-IpvsService -Address 10.96.0.99 -Protocol Tcp -Port 70000", "CannotConvertArgumentNoMessage"),
        ("Add-IpvsDestination 10.244.1.9 -Service 'TCP 10.96.0.10:65536'", "ParameterArgumentTransformationError"),
        ("Import-IpvsConfig -Path $badRules", "ImportIpvsConfigInvalidLine"),
        // set names over 31 characters
        ("New-Ipset ('K' * 32) hash:ip", "NewIpsetInvalidName"),
        ("Add-IpsetMember ('K' * 32) 10.0.0.1", "AddIpsetMemberInvalidName"),
        ("Rename-Ipset X ('K' * 32)", "RenameIpsetInvalidName"),
        // bad CIDRs
        ("Get-KubeIpvsPlan -Path $snapshot -NodeName node-a -ExcludeCidr 10.0.0.0/33", "GetKubeIpvsPlanInvalidCidr"),
        ("Get-KubeIpvsPlan -Path $snapshot -NodeName node-a -ClusterCidr 10.0.0.300/8", "GetKubeIpvsPlanInvalidCidr"),
        ("Get-KubeIpvsPlan -Path $snapshot -NodeName node-a -NodePortAddress fd00::/129", "GetKubeIpvsPlanInvalidCidr"),
        // unknown schedulers and their flags
        ("New-IpvsService -Address 10.96.0.99 -Protocol Tcp -Port 80 -Scheduler nosuch", "NewIpvsServiceUnknownScheduler"),
        ("Set-IpvsScheduler -Address 10.96.0.10 -Protocol Tcp -Port 53 -Scheduler nosuch", "SetIpvsSchedulerUnknownScheduler"),
        ("Get-KubeIpvsPlan -Path $snapshot -NodeName node-a -Scheduler nosuch", "ParameterArgumentValidationError"),
        ("New-IpvsService -Address 10.96.0.99 -Protocol Tcp -Port 80 -Scheduler sh -SchedulerFlags mh-port", "NewIpvsServiceInvalidSchedulerFlag"),
        // other options and lines
        ("New-Ipset S2 hash:net -Family inet7", "NewIpsetInvalidOption"),
        ("Import-Ipset -InputObject 'create Z hash:ip', 'bogus Z 1'", "ImportIpsetInvalidLine"),
        ("Import-Ipset -InputObject 'create Z hash:ip hashsize x'", "ImportIpsetInvalidLine"),
    ];
}
