<#
.SYNOPSIS
    Pester 5 suite: may this node leave kube-proxy's IPVS mode? One It per Test-KubeProxyMigration finding.

.DESCRIPTION
    Runs Test-KubeProxyMigration once at discovery and turns each finding into an It, grouped in one Context per
    check, each Context tagged with its check's name (KernelVersion, KernelModule, NftVersion, NftJson,
    ForeignVirtualServer, Scheduler, Persistence, IpvsTimeouts, StrictArp, LocalhostNodePort,
    SecondaryAddressNodePort, HostListener, Leftover, Phase), so that -Tag / -ExcludeTag pick checks. A Pass passes;
    a Blocker fails with its detail and remedy; a Warning is Inconclusive (or fails with -WarningFails). Before the
    switch it is the go/no-go; after it, the leftovers. Needs root and Pester 5.

.EXAMPLE
    $data = @{ TargetMode = 'Nftables'; Path = './cluster.json'; NodeName = 'node-a' }
    Invoke-Pester -Container (New-PesterContainer -Path ./tests/compliance/KubeProxyMigration.Tests.ps1 -Data $data) -Output Detailed

.EXAMPLE
    # Only the blockers that lose state, in CI:
    Invoke-Pester -Container (New-PesterContainer -Path ./tests/compliance/KubeProxyMigration.Tests.ps1) -TagFilter ForeignVirtualServer, Leftover
#>
param(
    # The mode kube-proxy moves to: Nftables or Iptables.
    [ValidateSet('Nftables', 'Iptables')]
    [string] $TargetMode = 'Nftables',

    # The network namespace of the node's dataplane (a name under /run/netns or a path); empty: pwsh's own.
    [string] $NetworkNamespace,

    # Cluster snapshot files (kubectl get svc,endpointslices,nodes -A -o json): the findings name the Services they affect.
    [string[]] $Path = @(),

    # The node's name in the cluster; empty: the host name.
    [string] $NodeName,

    # The API server's --service-node-port-range.
    [string] $NodePortRange = '30000-32767',

    # Fail on warnings too (behaviour that changes with the switch), not only on blockers.
    [switch] $WarningFails,

    # Where to import IpvsTools from: a module name or the path of IpvsTools.psd1.
    [string] $ModulePath = 'IpvsTools'
)

BeforeDiscovery {
    Import-Module -Name $ModulePath -ErrorAction Stop
    $arguments = @{ TargetMode = $TargetMode; NodePortRange = $NodePortRange; ErrorAction = 'Stop' }
    if ($NetworkNamespace) { $arguments.NetworkNamespace = $NetworkNamespace }
    if ($Path.Count -gt 0) {
        $arguments.Path = $Path
        if ($NodeName) { $arguments.NodeName = $NodeName }
    }
    $findings = @(Test-KubeProxyMigration @arguments)
    # One group per check, in the order the findings come (the module's: phase, kernel, IPVS behaviour, leftovers).
    $groups = [ordered]@{}
    foreach ($finding in $findings) {
        if (-not $groups.Contains($finding.Check)) { $groups[$finding.Check] = [System.Collections.Generic.List[hashtable]]::new() }
        $groups[$finding.Check].Add(@{ Status = "$($finding.Status)"; Target = $finding.Target; Detail = $finding.Detail; Remedy = $finding.Remedy; Services = ($finding.Services -join ', ') })
    }
    $checks = @($groups.Keys | ForEach-Object { @{ Check = $_; Findings = @($groups[$_]) } })
}

Describe "Moving kube-proxy to $TargetMode mode" -Tag 'KubeProxyMigration' {
    foreach ($group in $checks) {
        Context $group.Check -Tag $group.Check {
            It '<Status> <Target>' -ForEach $group.Findings {
                $because = $Detail + $(if ($Remedy) { " Remedy: $Remedy" } else { '' }) + $(if ($Services) { " Services: $Services" } else { '' })
                if ($Status -eq 'Warning' -and -not $WarningFails) {
                    Set-ItResult -Inconclusive -Because $because
                    return
                }
                $Status | Should -Be 'Pass' -Because $because
            }
        }
    }
}
