@{
    RootModule           = 'IpvsTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '3f7d1c52-8e0b-4b8e-9a51-6c2d7e4b1a90'
    Author               = 'IpvsTools contributors'
    CompanyName          = 'IpvsTools'
    Copyright            = '(c) IpvsTools contributors. All rights reserved.'
    Description          = 'Administer the load-balancing layer of Linux nodes: IP Virtual Server (IPVS), ipsets, iptables rules and kube-ipvs0, as kube-proxy in IPVS mode programs them. Talks to the kernel over netlink and returns objects.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    # The engine must be loadable before the cmdlet assembly is inspected (its types appear in OutputType attributes).
    RequiredAssemblies   = @('IpvsTools.Core.dll')
    FormatsToProcess     = @('IpvsTools.Format.ps1xml')
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
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Linux', 'IPVS', 'Kubernetes', 'kube-proxy', 'ipset', 'iptables', 'networking')
            ReleaseNotes = 'Foundation: netlink core, network namespaces, Get-Ipset; Get-IpvsService.'
        }
    }
}
