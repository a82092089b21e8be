@{
    RootModule           = 'IpvsTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '3f7d1c52-8e0b-4b8e-9a51-6c2d7e4b1a90'
    Author               = 'IpvsTools contributors'
    CompanyName          = 'IpvsTools'
    Copyright            = '(c) IpvsTools contributors. MIT License.'
    Description          = 'Administer the load-balancing layer of Linux nodes: IP Virtual Server (IPVS), ipsets, iptables rules and kube-ipvs0, as kube-proxy in IPVS mode programs them. Talks to the kernel over netlink and returns objects.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # The engine must be loadable before the cmdlet assembly is inspected (its types appear in OutputType attributes).
    RequiredAssemblies   = @('IpvsTools.Core.dll')
    FormatsToProcess     = @('IpvsTools.Format.ps1xml')
    # Serialization depths, so remoting (Invoke-Command) returns real servers and members as objects.
    TypesToProcess       = @('IpvsTools.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-Ipset'
        'New-Ipset'
        'Remove-Ipset'
        'Clear-Ipset'
        'Rename-Ipset'
        'Switch-Ipset'
        'Add-IpsetMember'
        'Remove-IpsetMember'
        'Test-IpsetMember'
        'Export-Ipset'
        'Import-Ipset'
        'Get-KubeIpset'
        'Get-IpvsService'
        'Get-KubeIpvsInterface'
        'Get-KubeIptablesRule'
        'Test-KubeIptablesRule'
        'Get-KubeIpvsPlan'
        # IPVS changes (issue 4)
        'New-IpvsService'
        'Set-IpvsService'
        'Set-IpvsScheduler'
        'Remove-IpvsService'
        'Clear-IpvsService'
        'Get-IpvsDestination'
        'Add-IpvsDestination'
        'Set-IpvsDestination'
        'Remove-IpvsDestination'
        'Export-IpvsConfig'
        'Import-IpvsConfig'
        'Get-IpvsInfo'
        'Get-IpvsTimeout'
        'Set-IpvsTimeout'
        'Reset-IpvsStatistics'
        'Get-IpvsConnection'
        'Get-IpvsSyncDaemon'
        'Start-IpvsSyncDaemon'
        'Stop-IpvsSyncDaemon'
        # reachability (issue 7)
        'Test-ServiceReachability'
        # Sync (issue 6)
        'Sync-KubeIpvs'
        'Compare-KubeIpvs'
        'Remove-KubeIpvs'
        # kube-proxy in every mode (issue 17)
        'Get-KubeProxyService'
        'Compare-KubeProxyService'
        'Test-KubeProxyMigration'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'IPVS', 'Kubernetes', 'kube-proxy', 'ipset', 'iptables', 'networking', 'LVS', 'netlink')
            # The license text ships as LICENSE in the module folder; this is the license's canonical text.
            LicenseUri   = 'https://spdx.org/licenses/MIT.html'
            ReleaseNotes = @'
0.1.0
- IPVS: Get-/New-/Set-/Remove-/Clear-IpvsService, Set-IpvsScheduler, Get-/Add-/Set-/Remove-IpvsDestination,
  Export-/Import-IpvsConfig (ipvsadm -Sn / -R), Get-IpvsInfo, Get-/Set-IpvsTimeout, Reset-IpvsStatistics,
  Get-IpvsConnection, Get-/Start-/Stop-IpvsSyncDaemon; straight over generic netlink.
- ipset: Get-, New-, Remove-, Clear-, Rename-, Switch-Ipset, Add-/Remove-/Test-IpsetMember, Export-/Import-Ipset
  (ipset save / restore) over nfnetlink.
- kube-proxy: Get-KubeIpset, Get-KubeIptablesRule, Test-KubeIptablesRule, Get-KubeIpvsInterface and
  Get-KubeIpvsPlan (the writes that would bring a node to what kube-proxy's IPVS mode programs).
- Every cmdlet: -NetworkNamespace, -WhatIf/-Confirm on changes, pipeline input by property name (also from
  remoting), format views (Format-Table -View Statistics / Rates for IPVS), MAML help and about_IpvsTools.
'@
        }
    }
}
